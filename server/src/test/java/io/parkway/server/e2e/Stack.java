package io.parkway.server.e2e;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.parkway.signaling.SignalingServer;
import io.parkway.turn.IpRange;
import io.parkway.turn.ListenAddress;
import io.parkway.turn.PeerPolicy;
import io.parkway.turn.TurnServer;
import io.parkway.turn.TurnStats;
import io.parkway.turn.TurnTransport;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.slf4j.LoggerFactory;

/**
 * Parkway in-process, the way {@code parkway serve} composes it: a TURN server on UDP and TCP of 127.0.0.1 (relay
 * addresses on 127.0.0.1, peers in 127.0.0.0/8 allowed, TURN REST secret) and a signaling server on 127.0.0.1 that
 * serves the web demo from the classpath and hands out REST credentials for exactly those two TURN URLs. All ports
 * are ephemeral.
 *
 * <p>It also watches the TURN server's log for any client or peer address that is not loopback (see {@link
 * #assertOnlyLoopback()}): the network rule of the test suite, and proof that Chromium honoured
 * {@code webrtc.ip_handling_policy}.
 */
final class Stack implements AutoCloseable {

    static final String REST_SECRET = "e2e-rest-secret";
    private static final ObjectMapper JSON = new ObjectMapper();

    final TurnServer turn;
    final SignalingServer signaling;
    final int turnUdpPort;
    final int turnTcpPort;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final LoopbackGuard guard;

    private Stack(TurnServer turn, SignalingServer signaling, int udp, int tcp, LoopbackGuard guard) {
        this.turn = turn;
        this.signaling = signaling;
        this.turnUdpPort = udp;
        this.turnTcpPort = tcp;
        this.guard = guard;
    }

    static Stack start() throws Exception {
        LoopbackGuard guard = new LoopbackGuard();
        try {
            return start(guard);
        } catch (Exception | Error e) {
            guard.detach();
            throw e;
        }
    }

    private static Stack start(LoopbackGuard guard) throws Exception {
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        TurnServer turn = TurnServer.builder()
                .listen(ListenAddress.parse("udp://127.0.0.1:0"))
                .listen(ListenAddress.parse("tcp://127.0.0.1:0"))
                .relayAddress(loopback)
                .restSecrets(List.of(REST_SECRET))
                .peerPolicy(PeerPolicy.builder().allow(IpRange.parse("127.0.0.0/8")).build())
                .build()
                .start();
        try {
            int udp = 0;
            int tcp = 0;
            for (ListenAddress bound : turn.boundAddresses()) {
                if (bound.transport() == TurnTransport.UDP) {
                    udp = bound.address().getPort();
                } else if (bound.transport() == TurnTransport.TCP) {
                    tcp = bound.address().getPort();
                }
            }
            if (udp == 0 || tcp == 0) {
                throw new IllegalStateException("TURN bound addresses: " + turn.boundAddresses()
                        + " (expected: one udp:// and one tcp://)");
            }
            SignalingServer signaling = SignalingServer.builder()
                    .listen(new InetSocketAddress(loopback, 0))
                    .turnSecret(REST_SECRET)
                    .iceServer("turn:127.0.0.1:" + udp + "?transport=udp")
                    .iceServer("turn:127.0.0.1:" + tcp + "?transport=tcp")
                    .build()
                    .start();
            return new Stack(turn, signaling, udp, tcp, guard);
        } catch (Exception | Error e) {
            turn.close();
            throw e;
        }
    }

    /** {@code http://127.0.0.1:PORT} + {@code path}. */
    String url(String path) {
        return "http://127.0.0.1:" + signaling.boundAddress().getPort() + path;
    }

    URI ws() {
        return URI.create("ws://127.0.0.1:" + signaling.boundAddress().getPort() + "/ws");
    }

    /** {@code POST /api/rooms}: a new room with its own speaker key; returns the response body. */
    JsonNode createRoom() throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url("/api/rooms")))
                        .timeout(Duration.ofSeconds(5))
                        .POST(HttpRequest.BodyPublishers.noBody())
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 201) {
            throw new IllegalStateException("POST /api/rooms: " + response.statusCode() + " " + response.body()
                    + " (expected: 201)");
        }
        return JSON.readTree(response.body());
    }

    /** One line of the counters of both servers, for failure reports. */
    String describe() {
        TurnStats s = turn.stats();
        return "TURN: allocationsActive=" + s.allocationsActive()
                + " allocationsCreated=" + s.allocationsCreated()
                + " toPeer=" + s.relayedPacketsToPeer()
                + " toClient=" + s.relayedPacketsToClient()
                + " unroutableDropped=" + s.unroutableDropped()
                + " malformedDropped=" + s.malformedDropped()
                + " peerDenied=" + s.peerDenied()
                + " errorsByCode=" + s.errorResponsesByCode()
                + " authFailures=" + s.authFailuresByReason()
                + "\nsignaling: connections=" + signaling.stats().connections()
                + " rooms=" + signaling.stats().rooms()
                + " listeners=" + signaling.stats().listeners()
                + " credentialsIssued=" + signaling.stats().credentialsIssued()
                + " messages=" + signaling.stats().messages()
                + " errors=" + signaling.stats().errors();
    }

    /** Fails when the TURN server logged a client or peer address outside 127.0.0.0/8 since the start. */
    void assertOnlyLoopback() {
        List<String> offending = new ArrayList<>(guard.offending);
        if (!offending.isEmpty()) {
            throw new AssertionError("Parkway talked to non-loopback addresses (expected: 127.0.0.0/8 only; did"
                    + " Chromium ignore webrtc.ip_handling_policy?):\n  " + String.join("\n  ", offending));
        }
    }

    /** Signaling first (no new sessions), then TURN. */
    @Override
    public void close() {
        try {
            signaling.close();
        } finally {
            try {
                turn.close();
            } finally {
                guard.detach();
            }
        }
    }

    /** Collects TURN log events (e.g. "allocation created: client udp /ADDR") that name a non-loopback address. */
    private static final class LoopbackGuard extends AppenderBase<ILoggingEvent> {
        private final Logger logger = (Logger) LoggerFactory.getLogger("io.parkway.turn");
        private final Level savedLevel = logger.getLevel();
        final Queue<String> offending = new ConcurrentLinkedQueue<>();

        LoopbackGuard() {
            start();
            if (!logger.isInfoEnabled()) {
                logger.setLevel(Level.INFO); // the allocation events are INFO
            }
            logger.addAppender(this);
        }

        @Override
        protected void append(ILoggingEvent event) {
            Object[] args = event.getArgumentArray();
            for (Object arg : args == null ? new Object[0] : args) {
                if (arg instanceof InetSocketAddress a && a.getAddress() != null && !a.getAddress().isLoopbackAddress()
                        && !a.getAddress().isAnyLocalAddress()) {
                    offending.add(event.getFormattedMessage());
                }
            }
        }

        void detach() {
            logger.detachAppender(this);
            logger.setLevel(savedLevel);
            stop();
        }
    }
}
