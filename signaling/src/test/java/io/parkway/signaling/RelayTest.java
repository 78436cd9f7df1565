package io.parkway.signaling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RelayTest {

    private SignalingServer server;
    private TestClient speaker;
    private TestClient listener;
    private TestClient other;
    private String speakerId;
    private String listenerId;

    @BeforeEach
    void joinRoom() {
        server = TestServers.start(TestServers.builder());
        speaker = TestClient.connect(server);
        listener = TestClient.connect(server);
        other = TestClient.connect(server);
        speakerId = speaker.join("relay", "speaker").get("peerId").asText();
        listenerId = listener.join("relay", "listener").get("peerId").asText();
        speaker.next("peer-joined");
    }

    @AfterEach
    void close() {
        other.close();
        listener.close();
        speaker.close();
        server.close();
    }

    @Test
    void offerAnswerAndCandidatesAreRelayedWithTheSenderStamped() {
        speaker.send("{\"type\":\"offer\",\"to\":\"" + listenerId + "\",\"sdp\":\"v=0\\r\\no=- 1 2 IN IP4 0.0.0.0\\r\\n\","
                + "\"restart\":false,\"from\":\"p-999\"}");
        JsonNode offer = listener.next("offer");
        assertEquals(speakerId, offer.get("from").asText());
        assertEquals("v=0\r\no=- 1 2 IN IP4 0.0.0.0\r\n", offer.get("sdp").asText());
        assertFalse(offer.get("restart").asBoolean());
        assertFalse(offer.has("to"));

        listener.send("{\"type\":\"answer\",\"to\":\"" + speakerId + "\",\"sdp\":\"v=0\\r\\n\",\"from\":\"" + speakerId
                + "\"}");
        JsonNode answer = speaker.next("answer");
        assertEquals(listenerId, answer.get("from").asText(), "a spoofed from is replaced by the sender's peerId");

        String line = "candidate:1 1 udp 41885439 127.0.0.1 50021 typ relay raddr 0.0.0.0 rport 0";
        listener.send("{\"type\":\"candidate\",\"to\":\"" + speakerId + "\",\"candidate\":{\"candidate\":\"" + line
                + "\",\"sdpMid\":\"0\",\"sdpMLineIndex\":0,\"usernameFragment\":\"aB3d\"}}");
        JsonNode candidate = speaker.next("candidate");
        assertEquals(listenerId, candidate.get("from").asText());
        assertEquals(line, candidate.get("candidate").get("candidate").asText());
        assertEquals("0", candidate.get("candidate").get("sdpMid").asText());
        assertEquals(0, candidate.get("candidate").get("sdpMLineIndex").asInt());
        assertEquals("aB3d", candidate.get("candidate").get("usernameFragment").asText());

        speaker.send("{\"type\":\"candidate\",\"to\":\"" + listenerId + "\",\"candidate\":null}");
        assertTrue(listener.next("candidate").get("candidate").isNull());

        listener.send("{\"type\":\"restart\",\"to\":\"" + speakerId + "\"}");
        assertEquals(listenerId, speaker.next("restart").get("from").asText());
        speaker.send("{\"type\":\"offer\",\"to\":\"" + listenerId + "\",\"sdp\":\"v=0\",\"restart\":true}");
        assertTrue(listener.next("offer").get("restart").asBoolean());
        assertEquals(1, server.stats().messages().get("answer"));
    }

    @Test
    void peersMayAddressOnlyTheOtherSideOfTheirOwnRoom() {
        String otherId = other.join("elsewhere", "listener").get("peerId").asText();
        speaker.send("{\"type\":\"offer\",\"to\":\"" + otherId + "\",\"sdp\":\"v=0\"}");
        assertEquals("offer", speaker.error("peer-not-found").get("ref").asText());
        speaker.send("{\"type\":\"offer\",\"to\":\"" + speakerId + "\",\"sdp\":\"v=0\"}");
        speaker.error("peer-not-found");
        listener.send("{\"type\":\"answer\",\"to\":\"" + listenerId + "\",\"sdp\":\"v=0\"}");
        listener.error("peer-not-found");
        listener.send("{\"type\":\"candidate\",\"to\":\"p-12345\",\"candidate\":null}");
        listener.error("peer-not-found");
        assertFalse(other.has("offer"));
    }

    @Test
    void speakerStateAndMediaSettingsReachListenersAndLaterWelcomes() {
        speaker.send("{\"type\":\"live\"}");
        JsonNode live = listener.next("speaker");
        assertEquals(speakerId, live.get("peerId").asText());
        assertEquals("live", live.get("state").asText());

        speaker.send("{\"type\":\"media\",\"settings\":{\"mode\":\"music\",\"bitrate\":128000,\"stereo\":true,"
                + "\"dtx\":false,\"fec\":true}}");
        JsonNode media = listener.next("media");
        assertEquals(speakerId, media.get("from").asText());
        assertEquals("music", media.get("settings").get("mode").asText());
        assertEquals(128000, media.get("settings").get("bitrate").asInt());
        assertTrue(media.get("settings").get("stereo").asBoolean());

        JsonNode welcome = other.join("relay", "listener");
        assertEquals("live", welcome.get("speaker").get("state").asText());
        assertEquals("music", welcome.get("media").get("mode").asText());
        assertEquals(128000, welcome.get("media").get("bitrate").asInt());
        assertFalse(welcome.get("media").get("dtx").asBoolean());
        assertTrue(welcome.get("media").get("fec").asBoolean());

        speaker.send("{\"type\":\"media\",\"settings\":{\"mode\":\"music\",\"bitrate\":1,\"stereo\":true,"
                + "\"dtx\":false,\"fec\":true}}");
        assertEquals("settings.bitrate: 1 (expected: 6000-510000)", speaker.error("bad-message").get("message").asText());
        listener.send("{\"type\":\"live\"}");
        listener.error("unauthorized");
        listener.send("{\"type\":\"media\",\"settings\":{\"mode\":\"voice\",\"bitrate\":32000,\"stereo\":false,"
                + "\"dtx\":true,\"fec\":true}}");
        listener.error("unauthorized");

        speaker.send("{\"type\":\"stop\"}");
        assertEquals("ended", listener.next("speaker").get("state").asText());
        assertEquals("ended", other.next("speaker").get("state").asText());
    }

    @Test
    void aLeavingSpeakerEndsTheBroadcast() {
        speaker.send("{\"type\":\"live\"}");
        listener.next("speaker");
        speaker.send("{\"type\":\"leave\"}");
        assertEquals(speakerId, listener.next("peer-left").get("peerId").asText());
        assertEquals("ended", listener.next("speaker").get("state").asText());
        assertTrue(other.join("relay", "listener").get("speaker").isNull());
    }

    @Test
    void credentialsOnRequestForTheSessionAndForOneOfTheSpeakersConnections() {
        speaker.send("{\"type\":\"credentials\"}");
        JsonNode own = speaker.next("credentials");
        assertFalse(own.has("peerId"));
        assertTrue(own.get("iceServers").get(1).get("username").asText().matches("\\d+:s-[A-Za-z0-9_-]+"));
        speaker.send("{\"type\":\"credentials\",\"peerId\":\"" + listenerId + "\"}");
        JsonNode connection = speaker.next("credentials");
        assertEquals(listenerId, connection.get("peerId").asText());
        assertTrue(connection.get("iceServers").get(1).get("username").asText().endsWith("." + listenerId));
        listener.send("{\"type\":\"credentials\",\"peerId\":\"" + speakerId + "\"}");
        listener.error("peer-not-found");
        listener.send("{\"type\":\"ping\"}");
        listener.next("pong");
    }
}
