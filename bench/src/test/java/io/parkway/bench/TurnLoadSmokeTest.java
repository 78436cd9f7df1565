package io.parkway.bench;

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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The load generator against an in-process Parkway: every packet comes back. No timing is asserted. */
@Timeout(30)
class TurnLoadSmokeTest {
    private static TurnServer server;
    private static EchoServer echo;
    private static InetSocketAddress udp;

    @BeforeAll
    static void start() throws InterruptedException {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        server = TurnServer.builder()
                .realm("parkway.test")
                .listen(ListenAddress.parse("udp://127.0.0.1:0"))
                .relayAddress(loopback)
                .user("bench", "bench")
                .restSecrets(List.of("benchsecret"))
                .peerPolicy(PeerPolicy.builder().allow(IpRange.parse("127.0.0.0/8")).build())
                .build()
                .start();
        udp = server.boundAddresses().stream().filter(a -> a.transport() == TurnTransport.UDP)
                .map(ListenAddress::address).findFirst().orElseThrow();
        echo = EchoServer.start(new InetSocketAddress(loopback, 0));
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

    private static TurnLoad.Result run(boolean sendIndications, String restSecret) throws InterruptedException {
        return TurnLoad.run(new TurnLoad.Config(udp, echo.address(), 2, 50, 170, Duration.ZERO,
                Duration.ofSeconds(1), Duration.ofMillis(500), "bench", "bench", restSecret, sendIndications, 1, 2,
                0));
    }

    @Test
    void channelDataComesBack() throws InterruptedException {
        TurnLoad.Result r = run(false, null);
        assertEquals(2, r.allocationsReady());
        assertTrue(r.sent() > 0, "sent: " + r.sent());
        assertEquals(r.sent(), r.received());
        assertEquals(0, r.badPackets());
    }

    @Test
    void sendIndicationsWithRestCredentialsComeBack() throws InterruptedException {
        TurnLoad.Result r = run(true, "benchsecret");
        assertEquals(2, r.allocationsReady());
        assertTrue(r.sent() > 0, "sent: " + r.sent());
        assertEquals(r.sent(), r.received());
        assertEquals(0, r.badPackets());
    }
}
