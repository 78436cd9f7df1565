package io.parkway.signaling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class HttpTest {

    @Test
    void pagesAndFilesAreServedFromTheStaticPrefix() {
        try (SignalingServer server = TestServers.start(TestServers.builder())) {
            assertPage(server, "/", "index");
            assertPage(server, "/speak/abc", "speak");
            assertPage(server, "/listen/blue-otter-42", "listen");
            assertPage(server, "/selftest", "selftest");

            HttpResponse<String> js = TestServers.get(server, "/js/app.js");
            assertEquals(200, js.statusCode());
            assertEquals("text/javascript; charset=utf-8", js.headers().firstValue("Content-Type").orElseThrow());
            assertEquals("no-cache", js.headers().firstValue("Cache-Control").orElseThrow());
            HttpResponse<String> css = TestServers.get(server, "/css/site.css");
            assertEquals("text/css; charset=utf-8", css.headers().firstValue("Content-Type").orElseThrow());

            assertEquals(404, TestServers.get(server, "/missing.html").statusCode());
            assertEquals(404, TestServers.get(server, "/speak/").statusCode());
            assertEquals(404, TestServers.get(server, "/speak/a/b").statusCode());
            assertEquals(404, TestServers.get(server, "/js").statusCode());
        }
    }

    @Test
    void pathTraversalIsRefused() throws IOException {
        try (SignalingServer server = TestServers.start(TestServers.builder())) {
            // secret.txt is on the classpath, outside the static prefix.
            for (String path : new String[] {"/../secret.txt", "/%2e%2e/secret.txt", "/js/../../secret.txt",
                "/js/..%2f..%2fsecret.txt", "/..\\secret.txt", "/js/%2e%2e/%2e%2e/secret.txt"}) {
                assertEquals(404, rawStatus(server, path), path);
            }
            assertEquals(200, rawStatus(server, "/js/app.js"));
        }
    }

    @Test
    void createRoomNeedsTheOperatorKeyWhenOneIsSet() {
        try (SignalingServer server = TestServers.start(TestServers.builder().speakerKey("operator-key"))) {
            HttpResponse<String> anonymous = TestServers.post(server, "/api/rooms", null);
            assertEquals(401, anonymous.statusCode());
            assertEquals("unauthorized", JoinTest.parse(anonymous.body()).get("code").asText());
            assertEquals(401, TestServers.post(server, "/api/rooms", "wrong").statusCode());

            HttpResponse<String> created = TestServers.post(server, "/api/rooms", "operator-key");
            assertEquals(201, created.statusCode());
            JsonNode room = JoinTest.parse(created.body());
            String name = room.get("room").asText();
            assertTrue(name.matches("[a-z]+-[a-z]+-\\d{2}"), name);
            assertTrue(room.get("speakerKey").asText().startsWith("k-"));
            assertEquals("/listen/" + name, room.get("listen").asText());
            assertEquals("/speak/" + name, room.get("speak").asText());
            assertEquals(1, server.stats().rooms());
            assertEquals(405, TestServers.get(server, "/api/rooms").statusCode());
        }
    }

    @Test
    void turnCredentialsFollowTheJoinRules() {
        try (SignalingServer server = TestServers.start(TestServers.builder().speakerKey("operator-key"))) {
            assertEquals(401, TestServers.get(server, "/api/turn-credentials").statusCode());
            assertEquals(404, TestServers.get(server, "/api/turn-credentials?room=nowhere").statusCode());
            JsonNode room = JoinTest.parse(TestServers.post(server, "/api/rooms", "operator-key").body());
            String name = room.get("room").asText();

            HttpResponse<String> listener = TestServers.get(server, "/api/turn-credentials?room=" + name);
            assertEquals(200, listener.statusCode());
            assertEquals("no-store", listener.headers().firstValue("Cache-Control").orElseThrow());
            JsonNode body = JoinTest.parse(listener.body());
            JsonNode turn = body.get("iceServers").get(1);
            String username = turn.get("username").asText();
            assertTrue(username.startsWith(body.get("credentialExpires").asText() + ":"), username);
            assertEquals(JoinTest.hmacSha1Base64(TestServers.SECRET, username), turn.get("credential").asText());

            assertEquals(401, TestServers.get(server, "/api/turn-credentials?room=" + name + "&role=speaker")
                    .statusCode());
            assertEquals(200, TestServers.get(server, "/api/turn-credentials?room=" + name + "&role=speaker&key="
                    + room.get("speakerKey").asText()).statusCode());
            assertEquals(200, TestServers.send(HttpRequest.newBuilder(TestServers.http(server,
                    "/api/turn-credentials")).header("Authorization", "Bearer operator-key").GET().build())
                    .statusCode());
            assertEquals(400, TestServers.get(server, "/api/turn-credentials?room=" + name + "&role=dj")
                    .statusCode());
        }
    }

    @Test
    void turnCredentialsInDevelopmentModeNeedNoKey() {
        try (SignalingServer server = TestServers.start(TestServers.builder())) {
            HttpResponse<String> response = TestServers.get(server, "/api/turn-credentials");
            assertEquals(200, response.statusCode());
            assertEquals(2, JoinTest.parse(response.body()).get("iceServers").size());
        }
    }

    private static void assertPage(SignalingServer server, String path, String page) {
        HttpResponse<String> response = TestServers.get(server, path);
        assertEquals(200, response.statusCode(), path);
        assertEquals("text/html; charset=utf-8", response.headers().firstValue("Content-Type").orElseThrow());
        assertEquals("no-cache", response.headers().firstValue("Cache-Control").orElseThrow());
        assertTrue(response.body().contains("data-page=\"" + page + "\""), path + ": " + response.body());
    }

    /** The status of a request sent byte for byte, so no client library normalizes the path first. */
    private static int rawStatus(SignalingServer server, String path) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", server.boundAddress().getPort())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            String response = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
            return Integer.parseInt(response.substring(9, 12));
        }
    }
}
