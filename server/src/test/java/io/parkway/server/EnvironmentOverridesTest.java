package io.parkway.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.parkway.server.ParkwayConfig.LogLevel;
import io.parkway.turn.IpRange;
import io.parkway.turn.ListenAddress;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code PARKWAY_…} environment variables over the configuration file: names, value syntax, validation. */
class EnvironmentOverridesTest {

    private static final String FILE = """
            realm: file.example
            turn:
              listen: [ "udp://127.0.0.1:3478" ]
              users: { alice: wonderland }
              rest-secrets: [ "s3cret" ]
            """;

    private static ParkwayConfig load(Path dir, Map<String, String> env) throws Exception {
        return ConfigLoader.load(Files.writeString(dir.resolve("parkway.yaml"), FILE), env);
    }

    @Test
    void variablesOverrideTheKeysTheyName(@TempDir Path dir) throws Exception {
        ParkwayConfig c = load(dir, Map.of(
                "PARKWAY_REALM", "env.example",
                "PARKWAY_TURN_RELAY_EXTERNAL_ADDRESS", "203.0.113.7",
                "PARKWAY_TURN_REST_SECRETS", "new, old",
                "PARKWAY_TURN_USERS", "bob:pw:with:colons, carol : pw2",
                "PARKWAY_TURN_LISTEN", "udp://127.0.0.1:0,tcp://127.0.0.1:0",
                "PARKWAY_TURN_PEERS_ALLOW", "127.0.0.0/8",
                "PARKWAY_TURN_ALLOCATIONS_PER_USER", "32",
                "PARKWAY_TURN_REST_SECRET_GRACE", "300",
                "PARKWAY_LOG_LEVEL", "debug",
                "PARKWAY_DRAIN_TIMEOUT", "5"));
        assertEquals("env.example", c.realm());
        assertEquals(InetAddress.getByName("203.0.113.7"), c.turn().relay().externalAddress());
        assertEquals(List.of("new", "old"), c.turn().restSecrets());
        assertEquals(Map.of("bob", "pw:with:colons", "carol", "pw2"), c.turn().users(), "replaces the file's users");
        assertEquals(List.of(ListenAddress.parse("udp://127.0.0.1:0"), ListenAddress.parse("tcp://127.0.0.1:0")),
                c.turn().listen());
        assertEquals(List.of(IpRange.parse("127.0.0.0/8")), c.turn().peers().allow());
        assertEquals(32, c.turn().allocationsPerUser());
        assertEquals(Duration.ofSeconds(300), c.turn().restSecretGrace());
        assertEquals(LogLevel.DEBUG, c.log().level());
        assertEquals(Duration.ofSeconds(5), c.drainTimeout());
    }

    @Test
    void otherVariablesAndTheLaunchersAreIgnored(@TempDir Path dir) throws Exception {
        ParkwayConfig c = load(dir, Map.of("PARKWAY_JAVA_OPTS", "-Xmx64m", "HOME", "/root", "parkway_realm", "x"));
        assertEquals(ConfigLoader.parse(FILE, "file"), c);
    }

    @Test
    void emptyListsAndNullRestoreTheDefault(@TempDir Path dir) throws Exception {
        ParkwayConfig c = load(dir, Map.of("PARKWAY_TURN_REST_SECRETS", "", "PARKWAY_TURN_USERS", " ",
                "PARKWAY_REALM", "null"));
        assertEquals(List.of(), c.turn().restSecrets());
        assertEquals(Map.of(), c.turn().users());
        assertEquals(ParkwayConfig.defaults().realm(), c.realm());
    }

    @Test
    void overridesApplyOverTheEmbeddedDefaultsToo() throws Exception {
        ParkwayConfig dev = ParkwayConfig.development("dev");
        ParkwayConfig c = ConfigLoader.overlay(dev, "embedded", Map.of("PARKWAY_TURN_LISTEN", "udp://127.0.0.1:0"));
        assertEquals(List.of(ListenAddress.parse("udp://127.0.0.1:0")), c.turn().listen());
        assertEquals(dev.turn().restSecrets(), c.turn().restSecrets());
        assertEquals(dev.turn().peers(), c.turn().peers());
        assertEquals(dev, ConfigLoader.overlay(dev, "embedded", Map.of()));
    }

    @Test
    void everyProblemNamesItsVariableAndNoValueIsShown(@TempDir Path dir) {
        ConfigException e = assertThrows(ConfigException.class, () -> load(dir, Map.of(
                "PARKWAY_TURN_RELAY_PORTS", "70000-80000",
                "PARKWAY_TURN_COLOUR", "blue",
                "PARKWAY_TURN_USERS", "alice:ok,topsecretwithoutcolon",
                "PARKWAY_TURN_REST_SECRETS", "fine,,",
                "PARKWAY_TURN_ALLOCATION_LIFETIME", "soon",
                "PARKWAY_LOG_LEVEL", "LOUD")));
        String m = e.getMessage();
        assertTrue(m.contains("turn.relay.ports (PARKWAY_TURN_RELAY_PORTS): 70000-80000 (expected: MIN-MAX within"
                + " 1-65535)"), m);
        assertTrue(m.contains("PARKWAY_TURN_COLOUR: unknown variable (expected one of: PARKWAY_DRAIN_TIMEOUT,"), m);
        assertTrue(m.contains("turn.users (PARKWAY_TURN_USERS): item 2 (not shown) (expected: NAME:VALUE items"
                + " separated by commas"), m);
        assertTrue(m.contains("turn.rest-secrets[1] (PARKWAY_TURN_REST_SECRETS): \"\" (expected: a string of"
                + " 1-1024 characters)"), m);
        assertTrue(m.contains("turn.rest-secrets[2] (PARKWAY_TURN_REST_SECRETS): \"\""), m);
        assertTrue(m.contains("turn.allocation-lifetime (PARKWAY_TURN_ALLOCATION_LIFETIME): soon (expected: whole"
                + " seconds"), m);
        assertTrue(m.contains("log.level (PARKWAY_LOG_LEVEL): LOUD (expected: one of ERROR, WARN, INFO, DEBUG)"), m);
        assertEquals(7, e.problems().size(), m);
        assertFalse(m.contains("topsecret") || m.contains("blue"), m);
    }

    @Test
    void fileProblemsAndVariableProblemsAreReportedTogether(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("bad.yaml"), "turn: { max-allocations: 0 }\n");
        ConfigException e = assertThrows(ConfigException.class,
                () -> ConfigLoader.load(file, Map.of("PARKWAY_DRAIN_TIMEOUT", "-1")));
        assertEquals(List.of(
                "turn.max-allocations: 0 (expected: a whole number, 1-2147483647)",
                "drain-timeout (PARKWAY_DRAIN_TIMEOUT): -1 (expected: whole seconds, 0-31536000)"), e.problems());
    }

    @Test
    void variableNamesFollowTheKeyPaths() {
        assertEquals("PARKWAY_TURN_RELAY_EXTERNAL_ADDRESS",
                EnvironmentOverrides.variable("turn.relay.external-address"));
        assertTrue(EnvironmentOverrides.variables().containsAll(List.of("PARKWAY_REALM", "PARKWAY_TURN_LISTEN",
                "PARKWAY_TURN_USERS", "PARKWAY_TURN_REST_SECRETS", "PARKWAY_TURN_REST_SECRET_GRACE",
                "PARKWAY_LOG_LEVEL", "PARKWAY_DRAIN_TIMEOUT")));
        assertFalse(EnvironmentOverrides.variables().contains("PARKWAY_TURN_RELAY"), "a section is not a value");
    }

    /**
     * The schema the variables are resolved against covers the shipped file, which documents every key: each of its
     * keys has a variable, and each sequence or mapping value is declared as one (so its variable is split).
     */
    @Test
    void everyKeyOfTheShippedFileHasAVariable() throws Exception {
        JsonNode shipped = new YAMLMapper().readTree(ConfigLoaderTest.SHIPPED.toFile());
        List<String> problems = new ArrayList<>();
        walk("", shipped, problems);
        assertEquals(List.of(), problems);
    }

    private static void walk(String section, JsonNode node, List<String> problems) {
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            String path = ConfigReader.child(section, e.getKey());
            if (ConfigLoader.SECTIONS.containsKey(path)) {
                walk(path, e.getValue(), problems);
                continue;
            }
            if (!EnvironmentOverrides.variables().contains(EnvironmentOverrides.variable(path))) {
                problems.add(path + ": no variable (expected: its section in ConfigLoader.SECTIONS)");
            }
            if (e.getValue().isArray() != ConfigLoader.SEQUENCE_KEYS.contains(path)) {
                problems.add(path + ": a sequence must be in ConfigLoader.SEQUENCE_KEYS, and only a sequence");
            }
            if (e.getValue().isObject() != ConfigLoader.MAPPING_KEYS.contains(path)) {
                problems.add(path + ": a mapping value must be in ConfigLoader.MAPPING_KEYS, or be a section");
            }
        }
    }

    // ---------------------------------------------------------------- the process

    @Test
    void serveAppliesVariablesAndNamesThemButNotTheirValues(@TempDir Path dir) throws Exception {
        Path config = Files.writeString(dir.resolve("parkway.yaml"), FILE);
        try (ParkwayProcess parkway = ParkwayProcess.serve(config, Map.of(
                "PARKWAY_TURN_LISTEN", "udp://127.0.0.1:0",
                "PARKWAY_TURN_USERS", "bob:builder-9d1f",
                "PARKWAY_DRAIN_TIMEOUT", "0"))) {
            String starting = parkway.awaitLine("starting with ");
            assertTrue(starting.endsWith(config + " (--config) with PARKWAY_DRAIN_TIMEOUT, PARKWAY_METRICS_LISTEN,"
                    + " PARKWAY_SIGNALING_LISTEN, PARKWAY_TURN_LISTEN, PARKWAY_TURN_USERS"), starting);
            int port = parkway.port("udp");
            try (MiniTurnClient bob = new MiniTurnClient(port, "bob", "builder-9d1f");
                    MiniTurnClient alice = new MiniTurnClient(port, "alice", "wonderland")) {
                assertTrue(bob.allocate().success(), "the user the variable set");
                assertEquals(401, alice.allocate().code(), "the file's users are replaced");
            }
            parkway.signal("HUP"); // a reload reads the same variables again
            assertTrue(parkway.awaitLine("SIGHUP: reloaded").contains("no reloadable setting changed"),
                    parkway.output());
            parkway.signal("TERM");
            assertEquals(0, parkway.awaitExit(Duration.ofMinutes(1)), parkway.output());
            parkway.assertNeverPrinted(List.of("builder-9d1f", "wonderland", "s3cret"));
        }
    }

    @Test
    void serveRefusesBadVariablesBeforeBindingAnything(@TempDir Path dir) throws Exception {
        Path config = Files.writeString(dir.resolve("parkway.yaml"), FILE);
        try (ParkwayProcess parkway = ParkwayProcess.serve(config, Map.of(
                "PARKWAY_TURN_RELAY_PORTS", "70000-80000",
                "PARKWAY_TRUN_REALM", "typo",
                "PARKWAY_TURN_USERS", "alice"))) {
            assertEquals(2, parkway.awaitExit(Duration.ofMinutes(1)), parkway.output());
            String out = parkway.output();
            assertTrue(out.contains("parkway: invalid configuration " + config + " (3 problems):"), out);
            assertTrue(out.contains("turn.relay.ports (PARKWAY_TURN_RELAY_PORTS): 70000-80000"), out);
            assertTrue(out.contains("PARKWAY_TRUN_REALM: unknown variable"), out);
            assertTrue(out.contains("turn.users (PARKWAY_TURN_USERS): item 1 (not shown)"), out);
            assertFalse(out.contains("starting with") || out.contains("listening on"), "nothing bound: " + out);
        }
    }

    @Test
    void nothingIsSetForAnEmptyEnvironment() {
        assertNull(EnvironmentOverrides.from(Map.of()).apply(null, new ConfigReader()));
    }
}
