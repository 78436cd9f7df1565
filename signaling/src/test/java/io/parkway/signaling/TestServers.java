package io.parkway.signaling;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Signaling servers on an ephemeral port of 127.0.0.1 with the test web files and a TURN secret. */
final class TestServers {

    static final String SECRET = "test-rest-secret";
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    private TestServers() {
    }

    static SignalingServerBuilder builder() {
        return SignalingServer.builder()
                .listen(new InetSocketAddress("127.0.0.1", 0))
                .staticPrefix("test-web/")
                .turnSecret(SECRET)
                .iceServer("stun:127.0.0.1:3478")
                .iceServer("turn:127.0.0.1:3478?transport=udp")
                .iceServer("turn:127.0.0.1:3478?transport=tcp");
    }

    static SignalingServer start(SignalingServerBuilder builder) {
        try {
            return builder.build().start();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    static URI http(SignalingServer server, String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + server.boundAddress().getPort() + pathAndQuery);
    }

    static HttpResponse<String> send(HttpRequest request) {
        try {
            return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static HttpResponse<String> get(SignalingServer server, String pathAndQuery) {
        return send(HttpRequest.newBuilder(http(server, pathAndQuery)).GET().build());
    }

    static HttpResponse<String> post(SignalingServer server, String path, String bearer) {
        HttpRequest.Builder request = HttpRequest.newBuilder(http(server, path))
                .POST(HttpRequest.BodyPublishers.noBody());
        if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
        return send(request.build());
    }
}
