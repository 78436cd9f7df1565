package io.parkway.signaling;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.net.http.WebSocketHandshakeException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

class LimitsTest {

    @Test
    void anOversizedMessageGetsTooLargeThenClose1009() {
        try (SignalingServer server = TestServers.start(TestServers.builder().maxMessageBytes(1024));
                TestClient client = TestClient.connect(server)) {
            client.join("big", "listener");
            client.send("{\"type\":\"ping\",\"pad\":\"" + "x".repeat(1000) + "\"}");
            client.next("pong");
            client.send("{\"type\":\"ping\",\"pad\":\"" + "x".repeat(5000) + "\"}");
            JsonNode error = client.error("too-large");
            assertEquals("message: over 1024 bytes (expected: at most 1024)", error.get("message").asText());
            assertEquals(1009, client.awaitClose());
            assertEquals(1, server.stats().errors().get("too-large"));
        }
    }

    @Test
    void tooManyMessagesPerSecondGetRateLimitedAndTheSocketRecovers() {
        try (SignalingServer server = TestServers.start(TestServers.builder().maxMessagesPerSecond(5));
                TestClient client = TestClient.connect(server)) {
            for (int i = 0; i < 30; i++) {
                client.send("{\"type\":\"ping\"}");
            }
            client.error("rate-limited");
            // Dropped messages are not queued: once the bucket refills, a join goes through on the same socket.
            await().atMost(TestClient.TIMEOUT).pollInterval(Duration.ofMillis(300)).until(() -> {
                if (!client.has("welcome")) {
                    client.send("{\"type\":\"join\",\"room\":\"calm\",\"role\":\"listener\"}");
                }
                return client.has("welcome");
            });
        }
    }

    @Test
    void connectionsPerIpAreLimited() {
        try (SignalingServer server = TestServers.start(TestServers.builder().maxConnectionsPerIp(2))) {
            List<TestClient> clients = new ArrayList<>();
            clients.add(TestClient.connect(server));
            clients.add(TestClient.connect(server));
            CompletionException refused = assertThrows(CompletionException.class, () -> TestClient.connect(server));
            WebSocketHandshakeException handshake = assertInstanceOf(WebSocketHandshakeException.class,
                    refused.getCause());
            assertEquals(429, handshake.getResponse().statusCode());

            clients.remove(0).close();
            await().atMost(TestClient.TIMEOUT).ignoreExceptions().until(() -> clients.add(TestClient.connect(server)));
            clients.forEach(TestClient::close);
        }
    }

    @Test
    void originsAreCheckedWhenAllowedOriginsAreSet() {
        try (SignalingServer server = TestServers.start(TestServers.builder()
                .allowedOrigins(List.of("https://good.example")))) {
            CompletionException refused = assertThrows(CompletionException.class,
                    () -> TestClient.connect(server, Map.of("Origin", "https://evil.example")));
            assertEquals(403, assertInstanceOf(WebSocketHandshakeException.class, refused.getCause())
                    .getResponse().statusCode());
            try (TestClient good = TestClient.connect(server, Map.of("Origin", "https://good.example"))) {
                good.join("origin", "listener");
            }
            assertEquals(403, TestServers.send(HttpRequest.newBuilder(TestServers.http(server, "/api/rooms"))
                    .header("Origin", "https://evil.example").POST(HttpRequest.BodyPublishers.noBody()).build())
                    .statusCode());
            var allowed = TestServers.send(HttpRequest.newBuilder(TestServers.http(server, "/api/rooms"))
                    .header("Origin", "https://good.example").POST(HttpRequest.BodyPublishers.noBody()).build());
            assertEquals(201, allowed.statusCode());
            assertEquals("https://good.example",
                    allowed.headers().firstValue("Access-Control-Allow-Origin").orElseThrow());
        }
    }
}
