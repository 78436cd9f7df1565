package io.parkway.signaling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class JoinTest {

    private static final Instant NOW = Instant.ofEpochSecond(1_700_000_000L);

    @Test
    void welcomeCarriesIceServersWithRestCredentialsBoundToTheSession() {
        try (SignalingServer server = TestServers.start(TestServers.builder()
                .clock(Clock.fixed(NOW, ZoneOffset.UTC)));
                TestClient speaker = TestClient.connect(server)) {
            JsonNode welcome = speaker.join("blue-otter-42", "speaker");

            String session = welcome.get("session").asText();
            assertTrue(session.startsWith("s-"), session);
            assertTrue(welcome.get("peerId").asText().startsWith("p-"));
            assertEquals("blue-otter-42", welcome.get("room").asText());
            assertEquals("speaker", welcome.get("role").asText());
            assertTrue(welcome.get("resume").asText().startsWith("r-"));
            assertFalse(welcome.get("resumed").asBoolean());
            assertEquals(NOW.getEpochSecond() + 600, welcome.get("credentialExpires").asLong());
            assertEquals(welcome.get("peerId").asText(), welcome.get("speaker").get("peerId").asText());
            assertEquals("waiting", welcome.get("speaker").get("state").asText());
            assertEquals(0, welcome.get("listeners").asInt());
            assertTrue(welcome.get("media").isNull());

            JsonNode ice = welcome.get("iceServers");
            assertEquals(2, ice.size());
            assertEquals(List.of("stun:127.0.0.1:3478"), urls(ice.get(0)));
            assertFalse(ice.get(0).has("username"));
            JsonNode turn = ice.get(1);
            assertEquals(List.of("turn:127.0.0.1:3478?transport=udp", "turn:127.0.0.1:3478?transport=tcp"), urls(turn));
            String username = turn.get("username").asText();
            assertEquals((NOW.getEpochSecond() + 600) + ":" + session, username);
            assertEquals(hmacSha1Base64(TestServers.SECRET, username), turn.get("credential").asText());
            assertEquals(1, server.stats().credentialsIssued());
        }
    }

    @Test
    void listenersSeeTheSpeakerAndEveryoneSeesTheListenerCount() {
        try (SignalingServer server = TestServers.start(TestServers.builder());
                TestClient speaker = TestClient.connect(server);
                TestClient first = TestClient.connect(server);
                TestClient second = TestClient.connect(server)) {
            JsonNode speakerWelcome = speaker.join("room-1", "speaker");
            String speakerId = speakerWelcome.get("peerId").asText();

            JsonNode welcome = first.join("room-1", "listener");
            assertEquals(speakerId, welcome.get("speaker").get("peerId").asText());
            assertEquals("waiting", welcome.get("speaker").get("state").asText());
            assertEquals(1, welcome.get("listeners").asInt());
            JsonNode joined = speaker.next("peer-joined");
            assertEquals(welcome.get("peerId").asText(), joined.get("peerId").asText());
            assertEquals("listener", joined.get("role").asText());
            String username = joined.get("iceServers").get(1).get("username").asText();
            assertTrue(username.endsWith(":" + speakerWelcome.get("session").asText() + "."
                    + welcome.get("peerId").asText()), username);
            assertEquals(hmacSha1Base64(TestServers.SECRET, username),
                    joined.get("iceServers").get(1).get("credential").asText());
            assertEquals(1, speaker.next("listeners").get("count").asInt());

            second.join("room-1", "listener");
            assertEquals(2, speaker.next("listeners").get("count").asInt());
            assertEquals(2, first.next(m -> m.path("type").asText().equals("listeners")
                    && m.get("count").asInt() == 2).get("count").asInt());
            assertEquals(2, server.stats().listeners());
            assertEquals(1, server.stats().rooms());
            assertEquals(3, server.stats().connections());

            second.send("{\"type\":\"leave\"}");
            assertEquals(1, speaker.next(m -> m.path("type").asText().equals("listeners")
                    && m.get("count").asInt() == 1).get("count").asInt());
            speaker.next("peer-left");
        }
    }

    @Test
    void aSpeakerJoiningLaterLearnsTheListenersAlreadyThere() {
        try (SignalingServer server = TestServers.start(TestServers.builder());
                TestClient listener = TestClient.connect(server);
                TestClient speaker = TestClient.connect(server)) {
            String listenerId = listener.join("early", "listener").get("peerId").asText();
            JsonNode welcome = speaker.join("early", "speaker");
            assertEquals(1, welcome.get("listeners").asInt());
            assertEquals(listenerId, speaker.next("peer-joined").get("peerId").asText());
            JsonNode announced = listener.next("speaker");
            assertEquals(welcome.get("peerId").asText(), announced.get("peerId").asText());
            assertEquals("waiting", announced.get("state").asText());
        }
    }

    @Test
    void aSecondSpeakerGetsSpeakerExists() {
        try (SignalingServer server = TestServers.start(TestServers.builder());
                TestClient first = TestClient.connect(server);
                TestClient second = TestClient.connect(server)) {
            first.join("solo", "speaker");
            second.send("{\"type\":\"join\",\"room\":\"solo\",\"role\":\"speaker\"}");
            assertEquals("join", second.error("speaker-exists").get("ref").asText());
            assertEquals(1, server.stats().errors().get("speaker-exists"));
        }
    }

    @Test
    void aKeyedRoomRefusesASpeakerWithoutItsKey() {
        try (SignalingServer server = TestServers.start(TestServers.builder());
                TestClient intruder = TestClient.connect(server);
                TestClient owner = TestClient.connect(server)) {
            JsonNode room = parse(TestServers.post(server, "/api/rooms", null).body());
            String name = room.get("room").asText();

            intruder.send("{\"type\":\"join\",\"room\":\"" + name + "\",\"role\":\"speaker\"}");
            intruder.error("unauthorized");
            intruder.send("{\"type\":\"join\",\"room\":\"" + name + "\",\"role\":\"speaker\",\"key\":\"k-wrong\"}");
            intruder.error("unauthorized");

            JsonNode welcome = owner.join(name, "speaker", "key", room.get("speakerKey").asText());
            assertEquals(name, welcome.get("room").asText());
        }
    }

    @Test
    void theOperatorKeyIsNeededToSpeakAndRoomsAreNotCreatedOnJoin() {
        try (SignalingServer server = TestServers.start(TestServers.builder().speakerKey("operator-key"));
                TestClient client = TestClient.connect(server)) {
            client.send("{\"type\":\"join\",\"room\":\"nowhere\",\"role\":\"listener\"}");
            client.error("room-not-found");
            String name = parse(TestServers.post(server, "/api/rooms", "operator-key").body()).get("room").asText();
            client.send("{\"type\":\"join\",\"room\":\"" + name + "\",\"role\":\"speaker\"}");
            client.error("unauthorized");
            assertEquals("speaker", client.join(name, "speaker", "key", "operator-key").get("role").asText());
        }
    }

    @Test
    void aListenerTokenIsNeededWhenTheRoomHasOne() {
        try (SignalingServer server = TestServers.start(TestServers.builder());
                TestClient client = TestClient.connect(server)) {
            JsonNode room = parse(TestServers.send(java.net.http.HttpRequest.newBuilder(
                    TestServers.http(server, "/api/rooms"))
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"listenerToken\":true}")).build()).body());
            String name = room.get("room").asText();
            String token = room.get("listenerToken").asText();
            assertEquals("/listen/" + name + "?token=" + token, room.get("listen").asText());
            client.send("{\"type\":\"join\",\"room\":\"" + name + "\",\"role\":\"listener\"}");
            client.error("unauthorized");
            assertEquals("listener", client.join(name, "listener", "token", token).get("role").asText());
        }
    }

    @Test
    void listenersBeyondTheMaximumGetRoomFull() {
        try (SignalingServer server = TestServers.start(TestServers.builder().maxListeners(2));
                TestClient a = TestClient.connect(server);
                TestClient b = TestClient.connect(server);
                TestClient c = TestClient.connect(server)) {
            a.join("small", "listener");
            b.join("small", "listener");
            c.send("{\"type\":\"join\",\"room\":\"small\",\"role\":\"listener\"}");
            JsonNode error = c.error("room-full");
            assertEquals("room small has 2 listeners (max 2)", error.get("message").asText());
        }
    }

    @Test
    void roomsPerNodeAreLimited() {
        try (SignalingServer server = TestServers.start(TestServers.builder().maxRooms(1));
                TestClient a = TestClient.connect(server);
                TestClient b = TestClient.connect(server)) {
            a.join("first", "listener");
            b.send("{\"type\":\"join\",\"room\":\"second\",\"role\":\"listener\"}");
            b.error("too-many-rooms");
        }
    }

    @Test
    void badMessagesGetAnErrorAndTheSocketStaysOpen() {
        try (SignalingServer server = TestServers.start(TestServers.builder());
                TestClient client = TestClient.connect(server)) {
            client.send("{not json");
            client.error("bad-message");
            client.send("[1,2]");
            client.error("bad-message");
            client.send("{\"type\":\"dance\"}");
            client.error("bad-message");
            client.send("{\"type\":\"join\",\"room\":\"ok\"}");
            JsonNode missingRole = client.error("bad-message");
            assertEquals("join", missingRole.get("ref").asText());
            assertEquals("role: missing (expected: a string)", missingRole.get("message").asText());
            client.send("{\"type\":\"join\",\"room\":\"../etc\",\"role\":\"listener\"}");
            client.error("bad-message");
            client.send("{\"type\":\"offer\",\"to\":\"p-1\",\"sdp\":\"v=0\"}");
            assertEquals("offer: not in a room (expected: join first)", client.error("bad-message").get("message").asText());

            assertEquals("listener", client.join("ok", "listener").get("role").asText());
            assertTrue(server.stats().errors().get("bad-message") >= 6);
            assertTrue(server.stats().messages().get("unknown") >= 3, server.stats().messages().toString());
            assertFalse(server.stats().messages().containsKey("dance"));
        }
    }

    @Test
    void drainingRefusesNewJoinsButKeepsSessions() {
        try (SignalingServer server = TestServers.start(TestServers.builder());
                TestClient speaker = TestClient.connect(server);
                TestClient listener = TestClient.connect(server);
                TestClient late = TestClient.connect(server)) {
            speaker.join("drain", "speaker");
            String listenerId = listener.join("drain", "listener").get("peerId").asText();
            server.drain();
            assertTrue(server.isDraining());
            late.send("{\"type\":\"join\",\"room\":\"drain\",\"role\":\"listener\"}");
            late.error("server-draining");
            assertEquals(503, TestServers.post(server, "/api/rooms", null).statusCode());
            speaker.send("{\"type\":\"offer\",\"to\":\"" + listenerId + "\",\"sdp\":\"v=0\"}");
            listener.next("offer");
        }
    }

    static JsonNode parse(String json) {
        try {
            return TestClient.JSON.readTree(json);
        } catch (Exception e) {
            throw new AssertionError(json, e);
        }
    }

    static List<String> urls(JsonNode server) {
        List<String> urls = new java.util.ArrayList<>();
        server.get("urls").forEach(u -> urls.add(u.asText()));
        return urls;
    }

    /** The coturn REST password, computed here independently of the code under test. */
    static String hmacSha1Base64(String secret, String username) {
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
            return Base64.getEncoder().encodeToString(mac.doFinal(username.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.GeneralSecurityException e) {
            throw new AssertionError(e);
        }
    }
}
