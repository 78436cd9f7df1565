package io.parkway.turn.interop;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parkway.testing.CoturnTools;
import io.parkway.testing.EchoPeer;
import io.parkway.turn.IpRange;
import io.parkway.turn.ListenAddress;
import io.parkway.turn.PeerPolicy;
import io.parkway.turn.TurnServer;
import io.parkway.turn.TurnStats;
import io.parkway.turn.TurnTransport;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Parkway against coturn's own test clients ({@code turnutils_stunclient}, {@code turnutils_uclient}) and echo peer
 * ({@code turnutils_peer}), all on 127.0.0.1 and ephemeral ports. uclient checks every relayed message's sequence
 * number, so "0 lost, received == sent" means every datagram went client → relay → peer → relay → client intact.
 *
 * <p>What uclient does, so the numbers below make sense: by default (no {@code -c}) its sessions come as RTP and RTCP
 * pairs ({@code -m 5} runs 6); allocations ask for EVEN-PORT with a reservation and the next one redeems the
 * RESERVATION-TOKEN; RTCP goes to the peer port plus one; and before each pair it makes a "probe" allocation that it
 * abandons without deleting (it expires after uclient's 777 s lifetime). So {@code -m 10} holds some 30 allocations
 * for one user and every run leaves its probes behind, hence the raised per-user quota here (the product default,
 * 16, is meant for real users).
 *
 * <p>One server for the class, tests in any order: every assertion on the server's counters is on a difference taken
 * around the run. Every process is bounded by a timeout and killed in {@code finally}.
 */
@Timeout(value = 5, unit = java.util.concurrent.TimeUnit.MINUTES)
class TurnutilsInteropTest {
    private static final String LOOPBACK = "127.0.0.1";
    private static final Duration RUN_TIMEOUT = Duration.ofSeconds(60);
    /** How long the negative (-N) and protocol-corruption (-R) runs may go on; -R can hang, coturn or not. */
    private static final Duration HOSTILE_RUN_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration COUNTERS = Duration.ofSeconds(10);
    private static final int MESSAGE_LENGTH = 170;
    private static final int INTERVAL_MS = 10;
    private static final String[] ALICE = {"-u", "alice", "-w", "wonderland"};

    private static CoturnTools tools;
    private static LogCapture logs;
    private static TurnServer server;
    private static EchoPeer peer;

    @BeforeAll
    static void start() throws Exception {
        tools = CoturnTools.require();
        logs = LogCapture.attach();
        // Loopback peers only, and nothing else even if a corrupted request (-R) named another address.
        server = loopbackServer(PeerPolicy.builder()
                .allow(IpRange.parse("127.0.0.0/8"))
                .deny(IpRange.parse("0.0.0.0/0"), IpRange.parse("::/0"))
                .build());
        peer = EchoPeer.start(tools.peer());
    }

    @AfterAll
    static void stop() {
        try {
            if (peer != null) {
                peer.close();
            }
        } finally {
            try {
                if (server != null) {
                    server.close();
                }
            } finally {
                if (logs != null) {
                    logs.close();
                }
            }
        }
    }

    @AfterEach
    void serverLoggedNoWarnings() {
        List<String> warnings = logs.drain();
        assertTrue(warnings.isEmpty(), () -> "the server or Netty logged warnings:\n" + String.join("\n", warnings));
    }

    @Test
    @DisplayName("turnutils_stunclient: Binding over UDP returns the reflexive address")
    void stunBindingOverUdp() throws Exception {
        long bindings = server.stats().bindingRequests();

        ExternalProcess.Result r = ExternalProcess.run(RUN_TIMEOUT,
                List.of(tools.stunclient().toString(), "-p", Integer.toString(port(server, TurnTransport.UDP)),
                        LOOPBACK));

        assertAll(r.describe(),
                () -> assertFalse(r.timedOut()),
                () -> assertEquals(0, r.exitCode()),
                () -> assertTrue(r.output().contains("UDP reflexive addr: 127.0.0.1:")));
        await().atMost(COUNTERS).untilAsserted(() -> assertTrue(server.stats().bindingRequests() > bindings,
                () -> "bindingRequests " + server.stats().bindingRequests() + " (expected: > " + bindings + ")"));
    }

    @Test
    @DisplayName("uclient over UDP, channels: 10 clients x 1000 messages, none lost")
    void udpChannels() throws Exception {
        assertRelaysWithoutLoss(TurnTransport.UDP, 10, 1000, ALICE);
    }

    @Test
    @DisplayName("uclient over UDP, Send and Data indications (-s): none lost")
    void udpSendIndications() throws Exception {
        assertRelaysWithoutLoss(TurnTransport.UDP, 5, 200, concat(ALICE, "-s"));
    }

    @Test
    @DisplayName("uclient over TCP (-t), channels: none lost")
    void tcpChannels() throws Exception {
        assertRelaysWithoutLoss(TurnTransport.TCP, 4, 200, concat(ALICE, "-t"));
    }

    @Test
    @DisplayName("uclient over TCP (-t), Send and Data indications (-s): none lost")
    void tcpSendIndications() throws Exception {
        assertRelaysWithoutLoss(TurnTransport.TCP, 4, 200, concat(ALICE, "-t", "-s"));
    }

    @Test
    @DisplayName("TURN REST credentials (-W) with the right secret relay")
    void restSecret() throws Exception {
        assertRelaysWithoutLoss(TurnTransport.UDP, 2, 50, "-u", "bob", "-W", "s3cret");
    }

    @Test
    @DisplayName("TURN REST credentials with a wrong secret are refused (401, bad_integrity)")
    void restWrongSecret() throws Exception {
        assertAllocationRefused("-u", "bob", "-W", "wrong");
    }

    @Test
    @DisplayName("A static user with the wrong password is refused (401, bad_integrity)")
    void wrongPassword() throws Exception {
        assertAllocationRefused("-u", "alice", "-w", "not-wonderland");
    }

    @Test
    @DisplayName("Default peer policy: 127.0.0.1 is refused with 403 on ChannelBind and CreatePermission")
    void defaultPeerPolicyRefusesLoopback() throws Exception {
        try (TurnServer defaults = loopbackServer(null)) {
            int udp = port(defaults, TurnTransport.UDP);

            ExternalProcess.Result channels = ExternalProcess.run(RUN_TIMEOUT,
                    uclientCommand(udp, concat(ALICE, "-m", "1", "-n", "10")));
            ExternalProcess.Result permissions = ExternalProcess.run(RUN_TIMEOUT,
                    uclientCommand(udp, concat(ALICE, "-s", "-m", "1", "-n", "10")));

            for (ExternalProcess.Result r : List.of(channels, permissions)) {
                assertAll(r.describe(),
                        () -> assertFalse(r.timedOut()),
                        () -> assertTrue(r.exitCode() != 0),
                        () -> assertTrue(r.output().contains("error 403"), "expected uclient to print \"error 403\""));
            }
            assertTrue(channels.output().contains("channel bind: error 403"), channels::describe);
            assertTrue(permissions.output().contains("create permission error 403"), permissions::describe);
            TurnStats stats = defaults.stats();
            await().atMost(COUNTERS).untilAsserted(() -> assertAll(
                    () -> assertTrue(stats.peerDenied() >= 2, "peerDenied " + stats.peerDenied() + " (expected: >= 2)"),
                    () -> assertTrue(count(stats.errorResponsesByCode(), 403) >= 2,
                            "error responses " + stats.errorResponsesByCode() + " (expected: 403 at least twice)")));
            assertEquals(0, stats.relayedPacketsToPeer(), "nothing may have been relayed to a refused peer");
        }
    }

    @Test
    @DisplayName("After uclient's negative (-N) and corrupting (-R) runs the server still relays without loss")
    void keepsServingAfterNegativeAndCorruptedTraffic() throws Exception {
        TurnStats stats = server.stats();
        long malformed = stats.malformedDropped();
        long badRequests = count(stats.errorResponsesByCode(), 400);
        int udp = port(server, TurnTransport.UDP);
        int tcp = port(server, TurnTransport.TCP);

        // Side by side, to bound the time: -R can leave uclient waiting forever for a reply to a request it corrupted.
        List<List<String>> hostile = List.of(
                uclientCommand(udp, concat(ALICE, "-N", "-m", "2", "-n", "50")),
                uclientCommand(tcp, concat(ALICE, "-t", "-N", "-m", "2", "-n", "50")),
                uclientCommand(udp, concat(ALICE, "-R", "-m", "2", "-n", "100")),
                uclientCommand(udp, concat(ALICE, "-R", "-s", "-m", "2", "-n", "100")),
                uclientCommand(tcp, concat(ALICE, "-t", "-R", "-m", "2", "-n", "100")));
        List<ExternalProcess> running = new ArrayList<>();
        List<ExternalProcess.Result> results = new ArrayList<>();
        try {
            for (List<String> command : hostile) {
                running.add(ExternalProcess.start(command));
            }
            long deadline = System.nanoTime() + HOSTILE_RUN_TIMEOUT.toNanos();
            for (ExternalProcess p : running) {
                results.add(p.await(Duration.ofNanos(Math.max(0, deadline - System.nanoTime()))));
            }
        } finally {
            running.forEach(ExternalProcess::close);
        }
        for (ExternalProcess.Result r : results) {
            System.out.println("hostile run " + String.join(" ", r.command().subList(1, r.command().size())) + " -> "
                    + (r.timedOut() ? "killed after " + HOSTILE_RUN_TIMEOUT.toSeconds() + " s" : "exit " + r.exitCode()));
        }

        long malformedAfter = stats.malformedDropped();
        long badRequestsAfter = count(stats.errorResponsesByCode(), 400);
        System.out.println("hostile runs: malformedDropped " + malformed + " -> " + malformedAfter + ", 400 responses "
                + badRequests + " -> " + badRequestsAfter + ", errors by code " + stats.errorResponsesByCode());
        assertTrue(malformedAfter > malformed || badRequestsAfter > badRequests,
                () -> "expected malformedDropped or 400 responses to grow: malformedDropped " + malformed + " -> "
                        + malformedAfter + ", 400s " + badRequests + " -> " + badRequestsAfter + "\n"
                        + results.stream().map(ExternalProcess.Result::describe).reduce("", String::concat));

        assertRelaysWithoutLoss(TurnTransport.UDP, 2, 100, ALICE);
        assertRelaysWithoutLoss(TurnTransport.TCP, 2, 100, concat(ALICE, "-t"));
    }

    // ------------------------------------------------------------------------------------------------------------

    /** A server on 127.0.0.1 (UDP and TCP, ephemeral ports); {@code policy} null leaves the default peer policy. */
    private static TurnServer loopbackServer(PeerPolicy policy) throws Exception {
        var builder = TurnServer.builder()
                .realm("parkway.test")
                .listen(ListenAddress.parse("udp://127.0.0.1:0"))
                .listen(ListenAddress.parse("tcp://127.0.0.1:0"))
                .relayAddress(InetAddress.getByName(LOOPBACK))
                .user("alice", "wonderland")
                .restSecrets(List.of("s3cret"))
                .allocationsPerUser(10_000).allocationsPerRestCredential(10_000); // uclient's abandoned probe allocations add up; see the class comment
        if (policy != null) {
            builder.peerPolicy(policy);
        }
        return builder.build().start();
    }

    private static int port(TurnServer s, TurnTransport transport) {
        return s.boundAddresses().stream()
                .filter(a -> a.transport() == transport)
                .findFirst()
                .orElseThrow(() -> new AssertionError("no " + transport + " listener in " + s.boundAddresses()))
                .address().getPort();
    }

    /**
     * {@code turnutils_uclient} relaying through the server's {@code serverPort} to the echo peer, with
     * {@value #MESSAGE_LENGTH}-byte messages every {@value #INTERVAL_MS} ms per session (uclient's default is 20 ms; 10 ms
     * halves the run and still leaves every socket on the path far from a full receive buffer when a busy machine
     * deschedules a process for a moment).
     */
    private static List<String> uclientCommand(int serverPort, String... options) {
        List<String> command = new ArrayList<>(List.of(tools.uclient().toString(),
                "-p", Integer.toString(serverPort),
                "-e", LOOPBACK, "-r", Integer.toString(peer.port()),
                "-l", Integer.toString(MESSAGE_LENGTH),
                "-z", Integer.toString(INTERVAL_MS)));
        command.addAll(Arrays.asList(options));
        command.add(LOOPBACK);
        return command;
    }

    /**
     * Runs uclient with {@code clients} clients of {@code messages} messages each and asserts what uclient measured
     * (exit 0, 0 lost, received == sent) and what the server counted (every message relayed both ways, full length).
     */
    private static void assertRelaysWithoutLoss(TurnTransport transport, int clients, int messages, String... options)
            throws IOException, InterruptedException {
        assertTrue(peer.isAlive(), () -> peer + " has exited");
        TurnStats stats = server.stats();
        long toPeer = stats.relayedPacketsToPeer();
        long toClient = stats.relayedPacketsToClient();
        long bytesToPeer = stats.relayedBytesToPeer();
        long bytesToClient = stats.relayedBytesToClient();

        ExternalProcess.Result r = ExternalProcess.run(RUN_TIMEOUT, uclientCommand(port(server, transport),
                concat(options, "-m", Integer.toString(clients), "-n", Integer.toString(messages))));

        assertFalse(r.timedOut(), r::describe);
        assertEquals(0, r.exitCode(), r::describe);
        UclientSummary s = UclientSummary.parse(r.output())
                .orElseThrow(() -> new AssertionError("uclient printed no totals\n" + r.describe()));
        assertAll(r.describe(),
                () -> assertEquals(0, s.lost(), "lost packets"),
                () -> assertEquals(0, s.sendDropped(), "send dropped"),
                () -> assertEquals(s.sent(), s.received(), "received == sent"),
                () -> assertTrue(s.sent() >= (long) clients * messages,
                        "sent " + s.sent() + " (expected: >= " + clients + " x " + messages + ")"));
        await().atMost(COUNTERS).untilAsserted(() -> assertAll("server counters after " + s,
                () -> assertTrue(stats.relayedPacketsToPeer() - toPeer >= s.sent(),
                        "relayedPacketsToPeer grew by " + (stats.relayedPacketsToPeer() - toPeer)),
                () -> assertTrue(stats.relayedPacketsToClient() - toClient >= s.received(),
                        "relayedPacketsToClient grew by " + (stats.relayedPacketsToClient() - toClient)),
                () -> assertTrue(stats.relayedBytesToPeer() - bytesToPeer >= s.sent() * MESSAGE_LENGTH,
                        "relayedBytesToPeer grew by " + (stats.relayedBytesToPeer() - bytesToPeer)),
                () -> assertTrue(stats.relayedBytesToClient() - bytesToClient >= s.received() * MESSAGE_LENGTH,
                        "relayedBytesToClient grew by " + (stats.relayedBytesToClient() - bytesToClient))));
    }

    /** uclient with {@code credentials} cannot allocate, and the server counted a bad_integrity failure. */
    private static void assertAllocationRefused(String... credentials) throws IOException, InterruptedException {
        TurnStats stats = server.stats();
        long badIntegrity = count(stats.authFailuresByReason(), "bad_integrity");
        long toPeer = stats.relayedPacketsToPeer();

        ExternalProcess.Result r = ExternalProcess.run(RUN_TIMEOUT,
                uclientCommand(port(server, TurnTransport.UDP), concat(credentials, "-m", "1", "-n", "10")));

        assertAll(r.describe(),
                () -> assertFalse(r.timedOut()),
                () -> assertTrue(r.exitCode() != 0 || r.output().contains("Cannot complete Allocation"),
                        "expected a non-zero exit or \"Cannot complete Allocation\""),
                () -> assertTrue(UclientSummary.parse(r.output()).map(s -> s.received() == 0).orElse(true),
                        "nothing may be relayed"));
        await().atMost(COUNTERS).untilAsserted(() -> assertTrue(
                count(stats.authFailuresByReason(), "bad_integrity") > badIntegrity,
                () -> "authFailuresByReason " + stats.authFailuresByReason() + " (expected: bad_integrity > "
                        + badIntegrity + ")"));
        assertEquals(toPeer, stats.relayedPacketsToPeer(), "nothing may have been relayed");
    }

    private static <K> long count(Map<K, Long> counters, K key) {
        return counters.getOrDefault(key, 0L);
    }

    private static String[] concat(String[] first, String... more) {
        String[] all = Arrays.copyOf(first, first.length + more.length);
        System.arraycopy(more, 0, all, first.length, more.length);
        return all;
    }
}
