package io.parkway.server.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A signaling client no browser stands behind: the JDK's {@link WebSocket}, sending whatever JSON a test writes
 * (hostile clients included). Frames received are queued; {@link #next(String)} waits for one of a type.
 */
final class RawClient implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(5);

    private final BlockingQueue<JsonNode> frames = new LinkedBlockingQueue<>();
    private final List<JsonNode> seen = new ArrayList<>();
    private final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private final WebSocket ws;

    RawClient(URI uri) {
        this.ws = HttpClient.newHttpClient().newWebSocketBuilder()
                .connectTimeout(WAIT)
                .buildAsync(uri, new WebSocket.Listener() {
                    private final StringBuilder text = new StringBuilder();

                    @Override
                    public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
                        text.append(data);
                        if (last) {
                            try {
                                frames.add(JSON.readTree(text.toString()));
                            } catch (IOException e) {
                                frames.add(JSON.createObjectNode().put("type", "(not json)").put("text", text.toString()));
                            }
                            text.setLength(0);
                        }
                        socket.request(1);
                        return null;
                    }

                    @Override
                    public CompletionStage<?> onClose(WebSocket socket, int statusCode, String reason) {
                        closed.complete(statusCode);
                        return null;
                    }

                    @Override
                    public void onError(WebSocket socket, Throwable error) {
                        closed.complete(-1);
                    }
                })
                .orTimeout(WAIT.toMillis(), TimeUnit.MILLISECONDS)
                .join();
    }

    void send(String json) {
        ws.sendText(json, true).orTimeout(WAIT.toMillis(), TimeUnit.MILLISECONDS).join();
    }

    /** The next frame of {@code type}, skipping (and remembering) others; fails after 5 s. */
    JsonNode next(String type) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        for (;;) {
            long left = deadline - System.nanoTime();
            JsonNode frame = left > 0 ? frames.poll(left, TimeUnit.NANOSECONDS) : null;
            if (frame == null) {
                throw new AssertionError("no \"" + type + "\" frame within " + WAIT + "; frames so far: " + seen);
            }
            seen.add(frame);
            if (type.equals(frame.path("type").asText())) {
                return frame;
            }
        }
    }

    /** The next {@code error} frame, asserting its code. */
    JsonNode error(String code) throws InterruptedException {
        JsonNode error = next("error");
        if (!code.equals(error.path("code").asText())) {
            throw new AssertionError("error code: " + error + " (expected: " + code + ")");
        }
        return error;
    }

    /** The close code the server sent (waits up to 5 s); -1 on an abortive close. */
    int closeCode() {
        return closed.orTimeout(WAIT.toMillis(), TimeUnit.MILLISECONDS).join();
    }

    @Override
    public void close() {
        if (!closed.isDone()) {
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye");
        }
        ws.abort();
    }
}
