package io.parkway.signaling;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** A WebSocket client written by no one here (the JDK's), collecting every message the server sends. */
final class TestClient implements AutoCloseable {

    static final ObjectMapper JSON = new ObjectMapper();
    static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final List<JsonNode> received = new ArrayList<>();
    final CompletableFuture<Integer> closeCode = new CompletableFuture<>();
    private WebSocket socket;

    static TestClient connect(SignalingServer server) {
        return connect(server, Map.of());
    }

    static TestClient connect(SignalingServer server, Map<String, String> headers) {
        TestClient client = new TestClient();
        WebSocket.Builder builder = HTTP.newWebSocketBuilder().connectTimeout(TIMEOUT);
        headers.forEach(builder::header);
        client.socket = builder.buildAsync(uri(server), client.new Listener()).orTimeout(10, TimeUnit.SECONDS).join();
        return client;
    }

    static URI uri(SignalingServer server) {
        return URI.create("ws://127.0.0.1:" + server.boundAddress().getPort() + "/ws");
    }

    /** Sends one text frame (JSON or not) and waits until it is handed to the socket. */
    TestClient send(String text) {
        socket.sendText(text, true).orTimeout(10, TimeUnit.SECONDS).join();
        return this;
    }

    /** Joins and returns the welcome. */
    JsonNode join(String room, String role, String... extra) {
        StringBuilder json = new StringBuilder("{\"type\":\"join\",\"room\":\"" + room + "\",\"role\":\"" + role + "\"");
        for (int i = 0; i + 1 < extra.length; i += 2) {
            json.append(",\"").append(extra[i]).append("\":\"").append(extra[i + 1]).append('"');
        }
        send(json.append('}').toString());
        return next("welcome");
    }

    /** Waits for, removes and returns the first unread message of {@code type}. */
    JsonNode next(String type) {
        return next(m -> type.equals(m.path("type").asText()));
    }

    /** Waits for the next error, which must have {@code code}. */
    JsonNode error(String code) {
        JsonNode error = next("error");
        if (!code.equals(error.path("code").asText())) {
            throw new AssertionError("error code: " + error + " (expected: " + code + ")");
        }
        return error;
    }

    JsonNode next(Predicate<JsonNode> match) {
        JsonNode[] found = new JsonNode[1];
        await().atMost(TIMEOUT).until(() -> {
            synchronized (received) {
                for (int i = 0; i < received.size(); i++) {
                    if (match.test(received.get(i))) {
                        found[0] = received.remove(i);
                        return true;
                    }
                }
                return false;
            }
        });
        return found[0];
    }

    /** Whether an unread message of {@code type} is there now. */
    boolean has(String type) {
        synchronized (received) {
            return received.stream().anyMatch(m -> type.equals(m.path("type").asText()));
        }
    }

    int awaitClose() {
        return closeCode.orTimeout(10, TimeUnit.SECONDS).join();
    }

    /** Drops the TCP connection without a close handshake, like a phone losing its network. */
    void drop() {
        socket.abort();
    }

    @Override
    public void close() {
        socket.abort();
    }

    private final class Listener implements WebSocket.Listener {
        private final StringBuilder partial = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                try {
                    JsonNode message = JSON.readTree(partial.toString());
                    synchronized (received) {
                        received.add(message);
                    }
                } catch (Exception e) {
                    throw new AssertionError("server sent non-JSON: " + partial, e);
                }
                partial.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closeCode.complete(statusCode);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closeCode.complete(-1);
        }
    }
}
