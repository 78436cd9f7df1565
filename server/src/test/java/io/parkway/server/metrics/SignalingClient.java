package io.parkway.server.metrics;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.parkway.signaling.SignalingServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A signaling client on the JDK's own WebSocket ({@link java.net.http.WebSocket}), for tests outside the signaling
 * module: sends JSON frames and waits for server messages by type.
 */
public final class SignalingClient implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final WebSocket socket;
    private final BlockingQueue<JsonNode> received = new LinkedBlockingQueue<>();

    private SignalingClient(URI uri) throws Exception {
        this.socket = HttpClient.newBuilder().connectTimeout(TIMEOUT).build().newWebSocketBuilder()
                .connectTimeout(TIMEOUT)
                .buildAsync(uri, new Listener())
                .get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    }

    /** Connects to {@code ws://127.0.0.1:PORT/ws} of {@code server}. */
    public static SignalingClient connect(SignalingServer server) throws Exception {
        return new SignalingClient(URI.create("ws://127.0.0.1:" + server.boundAddress().getPort() + "/ws"));
    }

    /** Sends one text frame. */
    public void send(String json) throws Exception {
        socket.sendText(json, true).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    }

    /** Sends {@code join} for {@code role} in {@code room} and returns the {@code welcome}. */
    public JsonNode join(String room, String role) throws Exception {
        send("{\"type\":\"join\",\"room\":\"" + room + "\",\"role\":\"" + role + "\"}");
        return next("welcome");
    }

    /** The next message of {@code type}, skipping others; fails after 10 s or on an unexpected {@code error}. */
    public JsonNode next(String type) throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (true) {
            JsonNode m = received.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            if (m == null) {
                throw new AssertionError("no " + type + " message within " + TIMEOUT);
            }
            String t = m.path("type").asText();
            if (t.equals(type)) {
                return m;
            }
            if (t.equals("error")) {
                throw new AssertionError("expected " + type + ", got " + m);
            }
        }
    }

    @Override
    public void close() throws Exception {
        socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    }

    private final class Listener implements WebSocket.Listener {
        private final StringBuilder text = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                try {
                    received.add(JSON.readTree(text.toString().getBytes(UTF_8)));
                } catch (java.io.IOException e) {
                    throw new AssertionError("not JSON: " + text, e);
                }
                text.setLength(0);
            }
            webSocket.request(1);
            return null;
        }
    }
}
