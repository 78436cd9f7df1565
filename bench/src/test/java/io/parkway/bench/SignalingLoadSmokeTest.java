package io.parkway.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parkway.signaling.SignalingServer;
import io.parkway.signaling.SignalingServerBuilder;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The signaling load against an in-process signaling server on 127.0.0.1: every session joins and every relayed
 * message arrives; and the harness does notice refused connections and messages the server drops. No timing is
 * asserted.
 */
@Timeout(60)
class SignalingLoadSmokeTest {

    private static SignalingServer start(SignalingServerBuilder builder) throws InterruptedException {
        return builder.listen(new InetSocketAddress("127.0.0.1", 0))
                .turnSecret("benchsecret")
                .iceServer("turn:127.0.0.1:3478?transport=udp")
                .build()
                .start();
    }

    /** 20 sessions in 2 rooms (a speaker and 9 listeners each), 1 s measured, no warm-up. */
    private static SignalingRun.Result run(SignalingServer server, double rate, Duration drain)
            throws InterruptedException {
        URI url = URI.create("ws://127.0.0.1:" + server.boundAddress().getPort() + "/ws");
        return SignalingRun.run(new SignalingRun.Config(url, 20, 2, rate, Duration.ZERO, Duration.ofSeconds(1), drain,
                200, Duration.ofSeconds(20), Duration.ofSeconds(10), 2, 0));
    }

    private static long relayedByServer(SignalingServer server) {
        Map<String, Long> m = server.stats().messages();
        return m.get("offer") + m.get("answer") + m.get("candidate");
    }

    @Test
    void everySessionJoinsAndEveryRelayedMessageArrives() throws InterruptedException {
        try (SignalingServer server = start(SignalingServer.builder().maxConnectionsPerIp(100))) {
            // 4 messages/s per session: each speaker offers 10/s and sends 20 messages/s, under the default 50/s.
            SignalingRun.Result r = run(server, 4, Duration.ofSeconds(10));
            SignalingLoad.print(r, 4 * 20, 200);

            assertEquals(Map.of(), r.failures());
            assertEquals(20, r.joined());
            assertEquals(20, r.held());
            assertTrue(r.sent() > 0, "sent: " + r.sent());
            assertEquals(r.sent(), r.received(), "relayed messages sent in the window and received");
            assertEquals(0, r.unstamped());
            assertTrue(r.latency().max() > 0, "latency max: " + r.latency());
            // The server saw (at least) what the clients counted, and refused nothing.
            assertTrue(relayedByServer(server) >= r.sent(),
                    "server: " + server.stats().messages() + ", sent " + r.sent());
            assertTrue(server.stats().errors().values().stream().allMatch(n -> n == 0),
                    "errors: " + server.stats().errors());
        }
    }

    @Test
    void messagesTheServerDropsAreCountedAsLost() throws InterruptedException {
        // 2 messages/s per connection: the speakers (about 10 messages/s here) are rate-limited, which drops messages.
        try (SignalingServer server = start(SignalingServer.builder().maxConnectionsPerIp(100)
                .maxMessagesPerSecond(2))) {
            SignalingRun.Result r = run(server, 4, Duration.ofSeconds(1));

            assertEquals(20, r.joined());
            assertTrue(r.lost() > 0, "lost: " + r.lost() + " of " + r.sent());
            assertTrue(r.failures().keySet().stream().anyMatch(k -> k.startsWith("error: rate-limited")),
                    "failures: " + r.failures());
        }
    }

    @Test
    void connectionsOverThePerIpLimitAreReportedWithTheReason() throws InterruptedException {
        try (SignalingServer server = start(SignalingServer.builder().maxConnectionsPerIp(15))) {
            SignalingRun.Result r = run(server, 0, Duration.ofSeconds(1));

            assertEquals(15, r.joined());
            assertEquals(5, r.failed());
            assertEquals(1, r.failures().size(), "failures: " + r.failures());
            String reason = r.failures().keySet().iterator().next();
            assertTrue(reason.contains("429"), "reason: " + reason);
            assertEquals(5L, r.failures().get(reason));
        }
    }
}
