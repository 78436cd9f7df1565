package io.parkway.server.check;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parkway.turn.ListenAddress;
import io.parkway.turn.TurnServer;
import io.parkway.turn.TurnServerBuilder;
import io.parkway.turn.TurnTransport;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code parkway check} run in-process against a {@link TurnServer} on 127.0.0.1 with the DEFAULT peer policy (no
 * allow list): the echo peer is the check's second allocation, so a passing check proves that relay-to-relay works
 * under the safe default.
 */
class CheckCommandTest {
    static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    static final String SECRET = "s3cret";
    static final String USER = "alice";
    static final String PASSWORD = "wonderland";

    private static TurnServer server;

    @BeforeAll
    static void startServer() throws Exception {
        server = start(builder());
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    static TurnServerBuilder builder() {
        return TurnServer.builder()
                .listen(ListenAddress.parse("udp://127.0.0.1:0"))
                .listen(ListenAddress.parse("tcp://127.0.0.1:0"))
                .relayAddress(LOOPBACK)
                .user(USER, PASSWORD)
                .restSecrets(List.of(SECRET));
    }

    static TurnServer start(TurnServerBuilder builder) throws InterruptedException {
        return builder.build().start();
    }

    static String address(TurnServer s, TurnTransport transport) {
        InetSocketAddress a = s.boundAddresses().stream().filter(l -> l.transport() == transport)
                .findFirst().orElseThrow().address();
        return "127.0.0.1:" + a.getPort();
    }

    @Test
    void restSecretPassesEveryStep() {
        String target = address(server, TurnTransport.UDP);
        long created = server.stats().allocationsCreated();
        Result r = run("--server", target, "--secret", SECRET);
        assertEquals(0, r.code, r.all());
        assertEquals("", r.err);
        assertLine(r, "^Checking STUN/TURN on " + Pattern.quote(target) + " over udp as \\d+:parkway-check .*$");
        assertLine(r, "^\\[ok\\] +binding +\\d+\\.\\d ms  reflexive 127\\.0\\.0\\.1:\\d+, server \"Parkway\"$");
        assertLine(r, "^\\[ok\\] +allocate \\(A\\) +\\d+\\.\\d ms  relayed 127\\.0\\.0\\.1:\\d+ lifetime 600s"
                + " realm parkway\\.test$");
        assertLine(r, "^\\[ok\\] +allocate \\(B\\) +\\d+\\.\\d ms  relayed 127\\.0\\.0\\.1:\\d+ lifetime 600s$");
        assertLine(r, "^\\[ok\\] +permission \\(A->B\\) +\\d+\\.\\d ms  peer 127\\.0\\.0\\.1:\\d+$");
        assertLine(r, "^\\[ok\\] +permission \\(B->A\\) +\\d+\\.\\d ms  peer 127\\.0\\.0\\.1:\\d+$");
        assertLine(r, "^\\[ok\\] +channel bind 0x4000 +\\d+\\.\\d ms  A -> 127\\.0\\.0\\.1:\\d+$");
        assertLine(r, "^\\[ok\\] +relay round trip +\\d+\\.\\d ms  10/10 packets, rtt min/avg/max"
                + " \\d+\\.\\d/\\d+\\.\\d/\\d+\\.\\d ms$");
        assertLine(r, "^\\[ok\\] +refresh 0 \\(delete\\) +\\d+\\.\\d ms  both allocations released$");
        assertTrue(r.out.endsWith("VERDICT: OK - STUN and TURN relay work on " + target + " (udp)\n"), r.out);
        assertFalse(r.out.contains("[warn]") || r.out.contains("[FAIL]"), r.out);
        assertEquals(created + 2, server.stats().allocationsCreated());
        await().atMost(Duration.ofSeconds(5)).until(() -> server.stats().allocationsActive() == 0);
    }

    @Test
    void staticUserPasses() {
        String target = address(server, TurnTransport.UDP);
        Result r = run("--server", target, "--user", USER, "--password", PASSWORD, "--count", "3");
        assertEquals(0, r.code, r.all());
        assertLine(r, "^Checking STUN/TURN on .* as alice, 3 relayed packets$");
        assertLine(r, "^\\[ok\\] +relay round trip +\\d+\\.\\d ms  3/3 packets, .*$");
        assertTrue(r.out.endsWith("VERDICT: OK - STUN and TURN relay work on " + target + " (udp)\n"), r.out);
    }

    @Test
    void overTcp() {
        String target = address(server, TurnTransport.TCP);
        Result r = run("--server", target, "--secret", SECRET, "--tcp", "--count", "3");
        assertEquals(0, r.code, r.all());
        assertLine(r, "^\\[ok\\] +relay round trip +\\d+\\.\\d ms  3/3 packets, .*$");
        assertTrue(r.out.endsWith("VERDICT: OK - STUN and TURN relay work on " + target + " (tcp)\n"), r.out);
    }

    @Test
    void hostNameIsResolvedOnce() {
        String target = address(server, TurnTransport.UDP).replace("127.0.0.1", "localhost");
        Result r = run("--server", target, "--secret", SECRET, "--count", "1");
        // localhost may resolve to ::1 first on some hosts, where nothing listens: accept only the IPv4 outcome.
        if (r.out.contains("localhost -> 127.0.0.1")) {
            assertEquals(0, r.code, r.all());
            assertLine(r, "^\\[ok\\] +resolve +\\d+\\.\\d ms  localhost -> 127\\.0\\.0\\.1$");
            assertTrue(r.out.contains("VERDICT: OK - STUN and TURN relay work on " + target + " = "
                    + target.replace("localhost", "127.0.0.1") + " (udp)"), r.out);
        }
    }

    @Test
    void wrongSecretFailsAtAllocateWithTheCredentialsHint() {
        long active = server.stats().allocationsActive();
        Result r = run("--server", address(server, TurnTransport.UDP), "--secret", "not-the-secret");
        assertEquals(1, r.code, r.all());
        assertLine(r, "^\\[ok\\] +binding .*$");
        assertLine(r, "^\\[FAIL\\] +allocate \\(A\\) +\\d+\\.\\d ms  401 Unauthenticated$");
        assertLine(r, "^VERDICT: FAILED at allocate \\(A\\): 401 Unauthenticated - the server rejected the credentials"
                + " \\(realm \"parkway\\.test\"\\): check that --secret is one of the server's turn\\.rest-secrets.*$");
        assertFalse(r.out.contains("not-the-secret"), "never prints the secret: " + r.out);
        assertEquals(active, server.stats().allocationsActive());
    }

    @Test
    void wrongPasswordFailsAtAllocate() {
        Result r = run("--server", address(server, TurnTransport.UDP), "--user", USER, "--password", "nope");
        assertEquals(1, r.code, r.all());
        assertLine(r, "^VERDICT: FAILED at allocate \\(A\\): 401 Unauthenticated - .*check --user and --password.*$");
        assertFalse(r.out.contains("nope"), r.out);
    }

    @Test
    void silentServerFailsAtBindingWithATimeoutHint() throws Exception {
        try (DatagramSocket blackHole = new DatagramSocket(0, LOOPBACK)) {
            Result r = run("--server", "127.0.0.1:" + blackHole.getLocalPort(), "--secret", SECRET,
                    "--timeout", "1");
            assertEquals(1, r.code, r.all());
            assertLine(r, "^\\[FAIL\\] +binding +\\d+\\.\\d ms  no response after 2 tries in 1\\.\\d s over udp$");
            assertLine(r, "^VERDICT: FAILED at binding: no response after 2 tries in 1\\.\\d s over udp - is the server"
                    + " running and listening on 127\\.0\\.0\\.1:\\d+ \\(turn\\.listen\\), and does every firewall .*"
                    + "let UDP port \\d+ through\\?$");
        }
    }

    @Test
    void closedPortFailsAtBinding() throws Exception {
        int port;
        try (DatagramSocket s = new DatagramSocket(0, LOOPBACK)) {
            port = s.getLocalPort();
        }
        Result r = run("--server", "127.0.0.1:" + port, "--secret", SECRET, "--timeout", "1");
        assertEquals(1, r.code, r.all());
        // The hint names ICMP port unreachable when the kernel's rate limit let one through, else a timeout.
        assertLine(r, "^VERDICT: FAILED at binding: no response after \\d tries in 1\\.\\d s over udp.*$");
    }

    @Test
    void quotaReachedAtSecondAllocationIsExplainedAndTheFirstIsDeleted() throws Exception {
        try (TurnServer small = start(builder().allocationsPerRestCredential(1))) {
            Result r = run("--server", address(small, TurnTransport.UDP), "--secret", SECRET, "--user", "carol");
            assertEquals(1, r.code, r.all());
            assertLine(r, "^\\[ok\\] +allocate \\(A\\) .*$");
            assertLine(r, "^\\[FAIL\\] +allocate \\(B\\) +\\d+\\.\\d ms  486 Allocation Quota Reached$");
            assertLine(r, "^VERDICT: FAILED at allocate \\(B\\): 486 Allocation Quota Reached - user \"carol\" already"
                    + " holds as many allocations as the server allows \\(turn\\.allocations-per-user.*$");
            await().atMost(Duration.ofSeconds(5)).until(() -> small.stats().allocationsActive() == 0);
            assertEquals(1, small.stats().allocationsDeleted(), "the clean-up deleted allocation A");
        }
    }

    @Test
    void drainingServerRefusesAllocations() throws Exception {
        try (TurnServer draining = start(builder())) {
            draining.drain();
            Result r = run("--server", address(draining, TurnTransport.UDP), "--secret", SECRET);
            assertEquals(1, r.code, r.all());
            assertLine(r, "^VERDICT: FAILED at allocate \\(A\\): 503 .* - the server is draining before a shutdown.*$");
        }
    }

    /**
     * The cloud VPS setup: relay sockets on a local address, a public external address advertised. B's relayed
     * address is the external one, which the server delivers to inside the host; nothing is sent to 203.0.113.7.
     */
    @Test
    void passesBehindOneToOneNatWithAnExternalAddress() throws Exception {
        try (TurnServer behindNat = start(builder().externalAddress(InetAddress.getByName("203.0.113.7")))) {
            Result r = run("--server", address(behindNat, TurnTransport.UDP), "--secret", SECRET, "--count", "3");
            assertEquals(0, r.code, r.all());
            assertLine(r, "^\\[ok\\] +allocate \\(A\\) +\\d+\\.\\d ms  relayed 203\\.0\\.113\\.7:\\d+ .*$");
            assertLine(r, "^\\[ok\\] +channel bind 0x4000 +\\d+\\.\\d ms  A -> 203\\.0\\.113\\.7:\\d+$");
            assertLine(r, "^\\[ok\\] +relay round trip +\\d+\\.\\d ms  3/3 packets, .*$");
            assertFalse(r.out.contains("[warn]"), r.out);
        }
    }

    @Test
    void warnsWhenTheRelayedAddressIsPrivateButTheServerPublic() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CheckReport report = new CheckReport(new PrintWriter(out, true, UTF_8));
        InetAddress publicServer = InetAddress.getByName("203.0.113.5");
        SelfTest.warnAboutRelayedAddress(InetAddress.getByName("203.0.113.5"), publicServer, report);
        SelfTest.warnAboutRelayedAddress(InetAddress.getByName("127.0.0.1"), LOOPBACK, report);
        SelfTest.warnAboutRelayedAddress(InetAddress.getByName("10.0.0.5"), InetAddress.getByName("10.0.0.5"), report);
        assertEquals(0, report.warnings(), out.toString(UTF_8));
        SelfTest.warnAboutRelayedAddress(InetAddress.getByName("10.0.0.5"), publicServer, report);
        SelfTest.warnAboutRelayedAddress(InetAddress.getByName("0.0.0.0"), publicServer, report);
        assertEquals(2, report.warnings());
        assertEquals("""
                [warn] allocate (A)                     relayed address 10.0.0.5 is private but the server was reached at \
                public 203.0.113.5: clients on the internet cannot send to it. Behind 1:1 NAT (a cloud VPS) set \
                turn.relay.external-address to the public IP (coturn: external-ip)
                [warn] allocate (A)                     relayed address 0.0.0.0 is a wildcard: set turn.relay.address \
                to the IP relay sockets bind
                """, out.toString(UTF_8));
        report.verdictOk("fine");
        assertTrue(out.toString(UTF_8).endsWith("VERDICT: OK - fine (2 warnings above)\n"), out.toString(UTF_8));
    }

    @Test
    void usageErrorsExitWith2() {
        assertUsage("credentials: none given (expected: --secret S, or --user U --password P)",
                "--server", "127.0.0.1:3478");
        assertUsage("--secret and --password: both given", "--server", "127.0.0.1", "--secret", "s", "--user", "u",
                "--password", "p");
        assertUsage("--password without --user", "--server", "127.0.0.1", "--password", "p");
        assertUsage("--server: 127.0.0.1:99999 (expected: a port in 1-65535)", "--server", "127.0.0.1:99999",
                "--secret", "s");
        assertUsage("--server: a:b:c (expected: HOST:PORT, HOST, or [IPV6]:PORT)", "--server", "a:b:c",
                "--secret", "s");
        assertUsage("--count: 0 (expected: 1-10000)", "--server", "127.0.0.1", "--secret", "s", "--count", "0");
        assertUsage("--timeout: 0.0 (expected: more than 0, at most 600 seconds)", "--server", "127.0.0.1",
                "--secret", "s", "--timeout", "0");
        assertUsage("--ttl: 0 (expected: >= 1 second)", "--server", "127.0.0.1", "--secret", "s", "--ttl", "0");
        assertUsage("Missing required option: '--server=HOST:PORT'", "--secret", "s");
    }

    @Test
    void help() {
        Result r = run("--help");
        assertEquals(0, r.code);
        assertTrue(r.out.contains("--server=HOST:PORT") && r.out.contains("Exit codes:"), r.out);
    }

    private static void assertUsage(String expected, String... args) {
        Result r = run(args);
        assertEquals(2, r.code, r.all());
        assertTrue(r.err.contains(expected), "expected \"" + expected + "\" in: " + r.err);
        assertEquals("", r.out);
    }

    static void assertLine(Result r, String regex) {
        assertTrue(Pattern.compile(regex, Pattern.MULTILINE).matcher(r.out).find(),
                "no line matching " + regex + " in:\n" + r.out);
    }

    static Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintWriter o = new PrintWriter(out, true, UTF_8);
        PrintWriter e = new PrintWriter(err, true, UTF_8);
        int code = new CommandLine(new CheckCommand()).setOut(o).setErr(e).execute(args);
        o.flush();
        e.flush();
        return new Result(code, out.toString(UTF_8), err.toString(UTF_8));
    }

    record Result(int code, String out, String err) {
        String all() {
            return out + err;
        }
    }
}
