package io.parkway.bench;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parkway.turn.IpRange;
import io.parkway.turn.ListenAddress;
import io.parkway.turn.PeerPolicy;
import io.parkway.turn.TurnServer;
import io.parkway.turn.TurnTransport;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The load generator against an in-process Parkway with a UDP and a TCP listener: every packet comes back, over
 * channels and Send indications, with UDP and TCP clients; idle allocations refresh; set-up failures are reported by
 * method and error code. No timing is asserted.
 */
@Timeout(60)
class TurnLoadSmokeTest {
    private static TurnServer server;
    private static EchoServer echo;
    private static InetSocketAddress udp;
    private static InetSocketAddress tcp;

    @BeforeAll
    static void start() throws InterruptedException {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        server = TurnServer.builder()
                .realm("parkway.test")
                .listen(List.of(ListenAddress.parse("udp://127.0.0.1:0"), ListenAddress.parse("tcp://127.0.0.1:0")))
                .relayAddress(loopback)
                .user("bench", "bench")
                .user("quota", "quota")
                .restSecrets(List.of("benchsecret"))
                .peerPolicy(PeerPolicy.builder().allow(IpRange.parse("127.0.0.0/8")).build())
                .build()
                .start();
        udp = bound(TurnTransport.UDP);
        tcp = bound(TurnTransport.TCP);
        echo = EchoServer.start(new InetSocketAddress(loopback, 0));
    }

    private static InetSocketAddress bound(TurnTransport transport) {
        return server.boundAddresses().stream().filter(a -> a.transport() == transport)
                .map(ListenAddress::address).findFirst().orElseThrow();
    }

    @AfterAll
    static void stop() throws Exception {
        if (echo != null) {
            echo.close();
        }
        if (server != null) {
            server.close();
        }
    }

    /** Every run deletes its allocations when it ends (Refresh with LIFETIME 0), or the next run could get 437s. */
    @AfterEach
    void allocationsReleased() {
        await("allocations released").atMost(Duration.ofSeconds(30))
                .until(() -> server.stats().allocationsActive() == 0);
    }

    private static TurnLoad.Config config(InetSocketAddress to, int allocations, String user, boolean sendIndications,
                                          boolean overTcp, String restSecret) {
        return new TurnLoad.Config(to, echo.address(), allocations, 170, user, user, restSecret, sendIndications,
                overTcp, 1, 2, 0);
    }

    private static TurnLoad.Result run(TurnLoad.Config config) throws InterruptedException {
        return TurnLoad.run(config, new TurnLoad.Window(50, Duration.ZERO, Duration.ofSeconds(1),
                Duration.ofMillis(500)));
    }

    private static void assertAllCameBack(TurnLoad.Result r) {
        assertEquals(2, r.setup().ready(), "ready; errors: " + r.setup().errors());
        assertTrue(r.sent() > 0, "sent: " + r.sent());
        assertEquals(r.sent(), r.received());
        assertEquals(0, r.badPackets());
    }

    @Test
    void channelDataComesBack() throws InterruptedException {
        assertAllCameBack(run(config(udp, 2, "bench", false, false, null)));
    }

    @Test
    void sendIndicationsWithRestCredentialsComeBack() throws InterruptedException {
        assertAllCameBack(run(config(udp, 2, "bench", true, false, "benchsecret")));
    }

    @Test
    void channelDataOverTcpComesBack() throws InterruptedException {
        // 170-byte payloads: each ChannelData message carries 2 bytes of padding over TCP (RFC 8656 section 12.5).
        long overTcp = server.stats().relayedPacketsToPeer(TurnTransport.TCP);
        TurnLoad.Result r = run(config(tcp, 2, "bench", false, true, null));
        assertAllCameBack(r);
        assertTrue(server.stats().relayedPacketsToPeer(TurnTransport.TCP) - overTcp >= r.sent(),
                "the server relayed the packets from TCP clients");
    }

    @Test
    void sendIndicationsOverTcpComeBack() throws InterruptedException {
        long overTcp = server.stats().relayedPacketsToPeer(TurnTransport.TCP);
        TurnLoad.Result r = run(config(tcp, 2, "bench", true, true, null));
        assertAllCameBack(r);
        assertTrue(server.stats().relayedPacketsToPeer(TurnTransport.TCP) - overTcp >= r.sent(),
                "the server relayed the packets from TCP clients");
    }

    @Test
    void idleAllocationsRefreshAndStillRelay() throws InterruptedException {
        try (TurnLoad load = TurnLoad.start(config(udp, 2, "bench", false, false, null))) {
            assertEquals(2, load.setUp().ready());
            load.startRefreshing(Duration.ofMillis(100));
            await("two refresh rounds").atMost(Duration.ofSeconds(30))
                    .until(() -> load.refreshes().done() >= 4);
            load.stopRefreshing();
            assertEquals(0, load.refreshes().failed(), "last error: " + load.refreshes().lastError());
            assertAllCameBack(load.measure(new TurnLoad.Window(50, Duration.ZERO, Duration.ofMillis(500),
                    Duration.ofMillis(500))));
        }
    }

    @Test
    void setupErrorsAreCountedByMethodAndCode() throws InterruptedException {
        // A user's quota (16 by default) below the allocations asked for: the rest get 486 Allocation Quota Reached.
        int quota = 16;
        try (TurnLoad load = TurnLoad.start(config(udp, quota + 2, "quota", false, false, null))) {
            TurnLoad.Setup setup = load.setUp();
            assertEquals(quota, setup.ready());
            assertEquals(Map.of("allocate 486", 2), setup.errors());
            assertEquals("allocate_486:2", setup.errorsKey());
        }
    }
}
