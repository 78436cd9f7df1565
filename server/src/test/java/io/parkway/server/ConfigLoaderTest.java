package io.parkway.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parkway.turn.IpRange;
import io.parkway.turn.ListenAddress;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

    /** The shipped configuration, relative to this module's directory (surefire's working directory). */
    static final Path SHIPPED = Path.of("../conf/parkway.yaml");

    @Test
    void shippedConfigLoadsWithTheDocumentedValues() throws Exception {
        ParkwayConfig c = ConfigLoader.load(SHIPPED);
        ParkwayConfig d = ParkwayConfig.defaults();
        assertEquals("parkway.test", c.realm());
        assertEquals(List.of(ListenAddress.parse("udp://127.0.0.1:3478"), ListenAddress.parse("tcp://127.0.0.1:3478")),
                c.turn().listen());
        assertEquals(InetAddress.getByName("127.0.0.1"), c.turn().relay().address());
        assertNull(c.turn().relay().externalAddress());
        assertEquals(new ParkwayConfig.PortRange(49152, 65535), c.turn().relay().ports());
        assertEquals(Map.of("alice", "wonderland"), c.turn().users());
        assertEquals(List.of("s3cret"), c.turn().restSecrets());
        assertEquals(List.of(), c.turn().peers().allow());
        assertEquals(List.of(), c.turn().peers().deny());
        // Everything else the shipped file states is the embedded default.
        assertEquals(d.realm(), c.realm());
        assertEquals(d.turn().listen(), c.turn().listen());
        assertEquals(d.turn().relay().ports(), c.turn().relay().ports());
        assertEquals(Duration.ofSeconds(600), c.turn().allocationLifetime());
        assertEquals(d.turn().allocationLifetime(), c.turn().allocationLifetime());
        assertEquals(d.turn().maxAllocationLifetime(), c.turn().maxAllocationLifetime());
        assertEquals(d.turn().allocationsPerUser(), c.turn().allocationsPerUser());
        assertEquals(d.turn().maxAllocations(), c.turn().maxAllocations());
        assertEquals(3600, c.turn().maxAllocationLifetime().toSeconds());
        assertEquals(16, c.turn().allocationsPerUser());
        assertEquals(100_000, c.turn().maxAllocations());
        assertEquals(Duration.ZERO, c.turn().restSecretGrace());
        assertEquals(d.turn().restSecretGrace(), c.turn().restSecretGrace());
        assertEquals(ParkwayConfig.LogLevel.INFO, c.log().level());
        assertEquals(d.log(), c.log());
        assertEquals(Duration.ofSeconds(30), c.drainTimeout());
        assertEquals(d.drainTimeout(), c.drainTimeout());
    }

    @Test
    void lifecycleAndLogKeys() throws Exception {
        ParkwayConfig c = ConfigLoader.parse("""
                turn: { rest-secret-grace: 300 }
                log: { level: warn }
                drain-timeout: 0
                """, "lifecycle");
        assertEquals(Duration.ofSeconds(300), c.turn().restSecretGrace());
        assertEquals(ParkwayConfig.LogLevel.WARN, c.log().level());
        assertEquals(Duration.ZERO, c.drainTimeout(), "0: close at once, without waiting");
        assertProblems("""
                turn: { rest-secret-grace: -1 }
                log: { level: TRACE, colour: 1 }
                drain-timeout: 1.5
                """,
                "turn.rest-secret-grace: -1 (expected: whole seconds, 0-31536000)",
                "log.colour: unknown key (expected one of: level)",
                "log.level: TRACE (expected: one of ERROR, WARN, INFO, DEBUG)",
                "drain-timeout: 1.5 (expected: whole seconds, 0-31536000)");
    }

    @Test
    void secretsAreNeverShownInProblems() {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.parse("""
                turn:
                  users: "alice:topsecret1"
                  rest-secrets: [ "ok", 12345, "" ]
                """, "secrets.yaml"));
        assertEquals(List.of(
                "turn.users: a string of 16 characters (not shown) (expected: a mapping of user name to password,"
                        + " such as { alice: wonderland })",
                "turn.rest-secrets[1]: a number (not shown) (expected: a string of 1-1024 characters; quote it)",
                "turn.rest-secrets[2]: \"\" (expected: a string of 1-1024 characters)"), e.problems());
        // A syntax error: the parser's message would quote the document's line; only its first line is kept.
        e = assertThrows(ConfigException.class, () -> ConfigLoader.parse(
                "turn:\n  users: { alice: topsecret2\n  rest-secrets: [ \"topsecret3\" \n", "broken.yaml"));
        assertTrue(e.problems().get(0).startsWith("YAML line "), e.getMessage());
        assertTrue(!e.getMessage().contains("topsecret"), e.getMessage());
    }

    @Test
    void emptyDocumentIsTheDefaults() throws Exception {
        assertEquals(ParkwayConfig.defaults(), ConfigLoader.parse("", "empty"));
        assertEquals(ParkwayConfig.defaults(), ConfigLoader.parse("# nothing\n", "comment"));
        assertEquals(ParkwayConfig.defaults(), ConfigLoader.parse("turn:\n", "null turn"));
    }

    @Test
    void missingKeysTakeTheirDefaults() throws Exception {
        ParkwayConfig c = ConfigLoader.parse("""
                turn:
                  relay: { ports: 50000-50010 }
                  peers: { allow: [ 127.0.0.0/8 ] }
                """, "partial");
        ParkwayConfig d = ParkwayConfig.defaults();
        assertEquals(new ParkwayConfig.PortRange(50000, 50010), c.turn().relay().ports());
        assertNull(c.turn().relay().address());
        assertEquals(List.of(IpRange.parse("127.0.0.0/8")), c.turn().peers().allow());
        assertEquals(d.turn().listen(), c.turn().listen());
        assertEquals(d.realm(), c.realm());
    }

    @Test
    void everyProblemIsReportedAtOnce() {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.parse("""
                realm: ""
                bogus: 1
                turn:
                  listen: [ "udp://127.0.0.1:3478", "foo://x" ]
                  relay:
                    address: not-an-ip
                    ports: 70000-80000
                    colour: blue
                  users: { alice: 1234, bob: }
                  rest-secrets: s3cret
                  peers:
                    allow: [ 10.0.0.0/33, 192.168.1.1/24 ]
                    deny: [ banana ]
                  allocation-lifetime: -5
                  max-allocations: 0
                  bogus: true
                """, "bad.yaml"));
        List<String> p = e.problems();
        assertEquals(List.of(
                "bogus: unknown key (expected one of: " + String.join(", ", ConfigLoader.ROOT_KEYS) + ")",
                "realm: \"\" (expected: a string of 1-127 characters)",
                "turn.bogus: unknown key (expected one of: " + String.join(", ", ConfigLoader.TURN_KEYS) + ")",
                "turn.listen[1]: foo://x (expected: udp://IP:PORT or tcp://IP:PORT, IPv6 in brackets)",
                "turn.relay.colour: unknown key (expected one of: address, external-address, ports)",
                "turn.relay.address: not-an-ip (expected: a local IP literal; host names are not resolved)",
                "turn.relay.ports: 70000-80000 (expected: MIN-MAX within 1-65535)",
                "turn.users.alice: a number (not shown) (expected: a string of 1-1024 characters; quote it)",
                "turn.users.bob: null (expected: a string of 1-1024 characters)",
                "turn.rest-secrets: a string of 6 characters (not shown) (expected: a list of secrets, newest first,"
                        + " such as [ \"s3cret\" ])",
                "turn.peers.allow[0]: 10.0.0.0/33 (expected: an IPv4 prefix length 0-32)",
                "turn.peers.allow[1]: 192.168.1.1/24 (expected: no bits set after the prefix, such as 192.168.1.0/24)",
                "turn.peers.deny[0]: banana (expected: ADDRESS/PREFIX such as 10.0.0.0/8 or fc00::/7)",
                "turn.allocation-lifetime: -5 (expected: whole seconds, 1-2147483647)",
                "turn.max-allocations: 0 (expected: a whole number, 1-2147483647)"), p);
        assertTrue(e.getMessage().startsWith("invalid configuration bad.yaml (15 problems):\n  bogus: unknown key"),
                e.getMessage());
    }

    @Test
    void unknownKeyNamesItsPathAndTheKnownKeys() {
        assertProblems("turn:\n  peers:\n    alow: [ 127.0.0.0/8 ]\n",
                "turn.peers.alow: unknown key (expected one of: allow, deny)");
    }

    @Test
    void badCidr() {
        assertProblems("turn: { peers: { deny: [ \"10.0.0.0/8\", \"fe80::/129\", 42 ] } }",
                "turn.peers.deny[1]: fe80::/129 (expected: an IPv6 prefix length 0-128)",
                "turn.peers.deny[2]: 42 (expected: ADDRESS/PREFIX such as 10.0.0.0/8 or fc00::/7)");
    }

    @Test
    void badPortRanges() {
        assertProblems("turn: { relay: { ports: 0-100 } }",
                "turn.relay.ports: 0-100 (expected: MIN-MAX within 1-65535)");
        assertProblems("turn: { relay: { ports: 60000-50000 } }",
                "turn.relay.ports: 60000-50000 (expected: MIN-MAX within 1-65535)");
        assertProblems("turn: { relay: { ports: 50000 } }",
                "turn.relay.ports: 50000 (expected: MIN-MAX within 1-65535)");
        assertProblems("turn: { relay: { ports: [1, 2] } }",
                "turn.relay.ports: [1,2] (expected: MIN-MAX within 1-65535)");
    }

    @Test
    void badListenAddresses() {
        assertProblems("turn: { listen: [ \"tcp://localhost:3478\", 3478, \"udp://127.0.0.1:99999\" ] }",
                "turn.listen[0]: tcp://localhost:3478 (expected: an IP literal, not a host name)",
                "turn.listen[1]: 3478 (expected: udp://IP:PORT or tcp://IP:PORT)",
                "turn.listen[2]: udp://127.0.0.1:99999 (expected: udp://IP:PORT or tcp://IP:PORT, IPv6 in brackets)");
        assertProblems("turn: { listen: [ ] }",
                "turn.listen: [] (expected: at least one udp://IP:PORT or tcp://IP:PORT)");
        assertProblems("turn: { listen: \"udp://127.0.0.1:3478\" }",
                "turn.listen: udp://127.0.0.1:3478 (expected: a list of udp://IP:PORT or tcp://IP:PORT)");
        assertProblems("turn: { listen: [ \"udp://127.0.0.1:3478\", \"udp://127.0.0.1:3478\" ] }",
                "turn.listen[1]: udp://127.0.0.1:3478 (expected: each address once)");
    }

    @Test
    void ipv6AndEphemeralListenAddressesAreAccepted() throws Exception {
        ParkwayConfig c = ConfigLoader.parse("turn: { listen: [ \"udp://[::1]:0\", \"udp://[::1]:0\" ],"
                + " relay: { address: \"::1\" } }", "ipv6");
        assertEquals(2, c.turn().listen().size());
        assertEquals(InetAddress.getByName("::1"), c.turn().relay().address());
    }

    @Test
    void lifetimesMustBeOrdered() {
        assertProblems("turn: { allocation-lifetime: 600, max-allocation-lifetime: 300 }",
                "turn.max-allocation-lifetime: 300 (expected: at least turn.allocation-lifetime, 600)");
        assertProblems("turn: { allocation-lifetime: 7200 }",
                "turn.allocation-lifetime: 7200 (expected: at most turn.max-allocation-lifetime, 3600)");
        assertProblems("turn: { allocation-lifetime: \"600\" }",
                "turn.allocation-lifetime: 600 (expected: whole seconds, 1-2147483647)");
    }

    @Test
    void wildcardRelayNeedsAnExternalAddress() throws Exception {
        assertProblems("turn: { listen: [ \"udp://0.0.0.0:3478\" ] }",
                "turn.relay.address: null, so the IP of turn.listen[0], udp://0.0.0.0:3478 (expected: a specific "
                        + "local IP, or turn.relay.external-address set)");
        assertProblems("turn: { relay: { address: 0.0.0.0 } }",
                "turn.relay.address: 0.0.0.0 (expected: a specific local IP, or turn.relay.external-address set)");
        ParkwayConfig c = ConfigLoader.parse(
                "turn: { listen: [ \"udp://0.0.0.0:3478\" ], relay: { external-address: 203.0.113.7 } }", "nat");
        assertEquals(InetAddress.getByName("203.0.113.7"), c.turn().relay().externalAddress());
    }

    @Test
    void rootMustBeAMapping() {
        assertProblems("- a\n- b\n", "configuration: [\"a\",\"b\"] (expected: a mapping with keys "
                + String.join(", ", ConfigLoader.ROOT_KEYS) + ")");
        assertProblems("turn: 5\n", "turn: 5 (expected: a mapping with keys "
                + String.join(", ", ConfigLoader.TURN_KEYS) + ")");
    }

    @Test
    void yamlSyntaxErrorsAndDuplicateKeysNameTheLine() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> ConfigLoader.parse("realm: a\nturn: [ unclosed\n", "broken.yaml"));
        assertTrue(e.problems().get(0).startsWith("YAML line "), e.getMessage());
        e = assertThrows(ConfigException.class, () -> ConfigLoader.parse("realm: a\nrealm: b\n", "dup.yaml"));
        assertTrue(e.problems().get(0).startsWith("YAML line 2"), e.getMessage());
        assertTrue(e.problems().get(0).contains("realm"), e.getMessage());
    }

    @Test
    void missingFile(@TempDir Path dir) {
        Path missing = dir.resolve("nope.yaml");
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(missing));
        assertEquals(List.of("config file: " + missing + " (expected: an existing file)"), e.problems());
    }

    @Test
    void loadsFromFile(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("p.yaml"), "realm: example.org\n");
        assertEquals("example.org", ConfigLoader.load(file).realm());
    }

    private static void assertProblems(String yaml, String... expected) {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.parse(yaml, "test.yaml"));
        assertEquals(List.of(expected), e.problems());
    }
}
