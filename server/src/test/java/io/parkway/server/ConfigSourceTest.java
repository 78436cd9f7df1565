package io.parkway.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigSourceTest {

    @Test
    void explicitThenTheFirstDefaultThatExistsThenEmbedded(@TempDir Path dir) throws Exception {
        Path first = dir.resolve("first.yaml");
        Path second = Files.writeString(dir.resolve("second.yaml"), "realm: second\n");
        Path explicit = Path.of("given.yaml");
        assertEquals(explicit, ConfigSource.resolve(explicit, List.of(second)).file());
        assertEquals(second, ConfigSource.resolve(null, List.of(first, second)).file());
        Files.writeString(first, "realm: first\n");
        assertEquals(first, ConfigSource.resolve(null, List.of(first, second)).file());
        ConfigSource embedded = ConfigSource.resolve(null, List.of(dir.resolve("none.yaml")));
        assertTrue(embedded.embedded());
        assertNull(embedded.file());
        assertEquals("embedded development defaults", embedded.name());
        assertEquals(List.of("dev"), embedded.load(Map.of(), "dev").turn().restSecrets());
        assertEquals("first", ConfigSource.resolve(null, List.of(first)).load(Map.of(), null).realm());
    }

    @Test
    void describeNamesVariablesButNotValues() {
        ConfigSource s = new ConfigSource(Path.of("/etc/parkway/parkway.yaml"), "why");
        assertEquals("/etc/parkway/parkway.yaml (why) with PARKWAY_REALM, PARKWAY_TURN_USERS",
                s.describe(Map.of("PARKWAY_TURN_USERS", "a:secret", "PARKWAY_REALM", "r", "PARKWAY_JAVA_OPTS", "x")));
    }
}
