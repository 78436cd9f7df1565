package io.parkway.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** What a reload logs as changed: keys with old and new values, secrets described but never shown. */
class ConfigChangesTest {

    private static ParkwayConfig parse(String yaml) throws ConfigException {
        return ConfigLoader.parse(yaml, "test");
    }

    @Test
    void reloadableChangesShowOldAndNewValuesButNeverSecrets() throws Exception {
        ParkwayConfig before = parse("""
                turn:
                  users: { alice: pw-alice-1, bob: pw-bob-1 }
                  rest-secrets: [ "sec-1", "sec-2" ]
                  allocations-per-user: 16
                """);
        ParkwayConfig after = parse("""
                turn:
                  users: { alice: pw-alice-2, carol: pw-carol-1 }
                  rest-secrets: [ "sec-3", "sec-1" ]
                  rest-secret-grace: 60
                  allocations-per-user: 32
                  peers: { allow: [ 10.1.0.0/16 ] }
                log: { level: DEBUG }
                drain-timeout: 5
                """);
        List<String> changes = ConfigChanges.changes(before, after, ConfigChanges.RELOADABLE::contains);
        assertEquals(List.of(
                "turn.users (added carol, removed bob, changed the value of alice; values not shown)",
                "turn.rest-secrets (1 added, 1 removed; values not shown)",
                "turn.peers.allow [] -> [10.1.0.0/16]",
                "turn.allocations-per-user 16 -> 32",
                "turn.rest-secret-grace 0s -> 60s",
                "log.level INFO -> DEBUG",
                "drain-timeout 30s -> 5s"), changes);
        String all = String.join(" ", changes);
        assertTrue(!all.contains("pw-") && !all.contains("sec-"), all);
    }

    @Test
    void settingsThatNeedARestartAreTheOthers() throws Exception {
        ParkwayConfig before = parse("turn: { listen: [ \"udp://127.0.0.1:3478\" ] }");
        ParkwayConfig after = parse("realm: other\nturn: { listen: [ \"udp://127.0.0.1:3479\" ],"
                + " relay: { ports: 50000-50100, external-address: 203.0.113.7 } }");
        assertEquals(List.of(
                "realm parkway.test -> other",
                "turn.listen [udp://127.0.0.1:3478] -> [udp://127.0.0.1:3479]",
                "turn.relay.external-address null -> 203.0.113.7",
                "turn.relay.ports 49152-65535 -> 50000-50100"),
                ConfigChanges.changes(before, after, key -> !ConfigChanges.RELOADABLE.contains(key)));
        assertEquals(List.of(), ConfigChanges.changes(before, after, ConfigChanges.RELOADABLE::contains));
    }

    @Test
    void everyKeyIsFlattened() {
        assertEquals(EnvironmentOverrides.variables().size(), ConfigChanges.flatten(ParkwayConfig.defaults()).size(),
                ConfigChanges.flatten(ParkwayConfig.defaults()).keySet().toString());
        ConfigChanges.flatten(ParkwayConfig.defaults()).keySet().forEach(key -> assertTrue(
                EnvironmentOverrides.variables().contains(EnvironmentOverrides.variable(key)), key));
    }
}
