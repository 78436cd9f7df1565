package io.parkway.signaling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

class ResumeTest {

    @Test
    void aDroppedListenerResumesWithinTheGraceAsTheSamePeer() {
        try (SignalingServer server = TestServers.start(TestServers.builder());
                TestClient speaker = TestClient.connect(server);
                TestClient listener = TestClient.connect(server)) {
            String speakerId = speaker.join("resume", "speaker").get("peerId").asText();
            JsonNode welcome = listener.join("resume", "listener");
            String peerId = welcome.get("peerId").asText();
            speaker.next("peer-joined");

            listener.drop();
            // Once the server has seen the socket go (messages on another connection are not ordered with a close
            // it has not read yet), a message sent to the listener is kept and delivered after the resume.
            Awaitility.await().until(() -> server.stats().connections() == 1);
            speaker.send("{\"type\":\"offer\",\"to\":\"" + peerId + "\",\"sdp\":\"v=0\",\"restart\":true}");

            try (TestClient again = TestClient.connect(server)) {
                JsonNode resumed = again.join("resume", "listener", "resume", welcome.get("resume").asText());
                assertTrue(resumed.get("resumed").asBoolean());
                assertEquals(peerId, resumed.get("peerId").asText());
                assertEquals(welcome.get("session").asText(), resumed.get("session").asText());
                assertEquals(speakerId, again.next("offer").get("from").asText());
                again.send("{\"type\":\"answer\",\"to\":\"" + speakerId + "\",\"sdp\":\"v=0\"}");
                assertEquals(peerId, speaker.next("answer").get("from").asText());
                assertFalse(speaker.has("peer-left"));
                assertEquals(1, server.stats().listeners());
            }
        }
    }

    @Test
    void resumingWhileTheOldSocketIsOpenClosesItWithoutLockingAnyoneOut() {
        try (SignalingServer server = TestServers.start(TestServers.builder());
                TestClient first = TestClient.connect(server);
                TestClient second = TestClient.connect(server)) {
            JsonNode welcome = first.join("twice", "speaker");
            JsonNode resumed = second.join("twice", "speaker", "resume", welcome.get("resume").asText());
            assertEquals(welcome.get("peerId").asText(), resumed.get("peerId").asText());
            assertEquals(Connection.CLOSE_RESUMED_ELSEWHERE, first.awaitClose());
            second.send("{\"type\":\"live\"}");
            second.send("{\"type\":\"ping\"}");
            second.next("pong");
            assertFalse(second.has("error"));
        }
    }

    @Test
    void afterTheGraceTheSessionIsGoneAndAFreshJoinWorks() {
        try (SignalingServer server = TestServers.start(TestServers.builder().resumeGrace(Duration.ofMillis(200)));
                TestClient speaker = TestClient.connect(server);
                TestClient listener = TestClient.connect(server)) {
            speaker.join("grace", "speaker");
            JsonNode welcome = listener.join("grace", "listener");
            listener.drop();
            assertEquals(welcome.get("peerId").asText(), speaker.next("peer-left").get("peerId").asText());

            try (TestClient again = TestClient.connect(server)) {
                JsonNode fresh = again.join("grace", "listener", "resume", welcome.get("resume").asText());
                assertFalse(fresh.get("resumed").asBoolean());
                assertNotEquals(welcome.get("peerId").asText(), fresh.get("peerId").asText());
            }
        }
    }

    @Test
    void aDroppedSpeakerKeepsItsRoomWithinTheGrace() {
        try (SignalingServer server = TestServers.start(TestServers.builder());
                TestClient speaker = TestClient.connect(server);
                TestClient rival = TestClient.connect(server)) {
            JsonNode welcome = speaker.join("held", "speaker");
            speaker.drop();
            rival.send("{\"type\":\"join\",\"room\":\"held\",\"role\":\"speaker\"}");
            rival.error("speaker-exists");
            try (TestClient again = TestClient.connect(server)) {
                assertTrue(again.join("held", "speaker", "resume", welcome.get("resume").asText())
                        .get("resumed").asBoolean());
            }
        }
    }

    @Test
    void credentialsAreRefreshedBeforeTheyExpire() {
        try (SignalingServer server = TestServers.start(TestServers.builder()
                .credentialTtl(Duration.ofSeconds(5))
                .credentialRefreshBefore(Duration.ofSeconds(3)));
                TestClient speaker = TestClient.connect(server);
                TestClient listener = TestClient.connect(server)) {
            JsonNode welcome = speaker.join("fresh", "speaker");
            String listenerId = listener.join("fresh", "listener").get("peerId").asText();
            long firstExpiry = welcome.get("credentialExpires").asLong();

            JsonNode refreshed = speaker.next(m -> m.path("type").asText().equals("credentials") && !m.has("peerId"));
            long receivedAt = System.currentTimeMillis() / 1000;
            assertTrue(receivedAt <= firstExpiry, "refreshed at " + receivedAt + ", expired at " + firstExpiry);
            long newExpiry = refreshed.get("credentialExpires").asLong();
            assertTrue(newExpiry > firstExpiry, newExpiry + " after " + firstExpiry);
            String username = refreshed.get("iceServers").get(1).get("username").asText();
            assertEquals(newExpiry + ":" + welcome.get("session").asText(), username);
            assertEquals(JoinTest.hmacSha1Base64(TestServers.SECRET, username),
                    refreshed.get("iceServers").get(1).get("credential").asText());

            JsonNode perConnection = speaker.next(m -> m.path("type").asText().equals("credentials")
                    && m.has("peerId"));
            assertEquals(listenerId, perConnection.get("peerId").asText());
            listener.next("credentials");
        }
    }
}
