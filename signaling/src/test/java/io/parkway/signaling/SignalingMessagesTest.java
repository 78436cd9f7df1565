package io.parkway.signaling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SignalingMessagesTest {

    private static ClientMessage parse(String json) throws SignalingException {
        return SignalingMessages.parse(SignalingMessages.read(json));
    }

    @Test
    void parsesEveryTypeAndIgnoresUnknownFields() throws SignalingException {
        ClientMessage.Join join = assertInstanceOf(ClientMessage.Join.class,
                parse("{\"type\":\"join\",\"room\":\"r\",\"role\":\"listener\",\"resume\":\"r-1\",\"extra\":1}"));
        assertEquals("r-1", join.resume());
        assertNull(join.key());
        ClientMessage.Candidate end = assertInstanceOf(ClientMessage.Candidate.class,
                parse("{\"type\":\"candidate\",\"to\":\"p-1\",\"candidate\":null}"));
        assertNull(end.candidate());
        ClientMessage.Offer offer = assertInstanceOf(ClientMessage.Offer.class,
                parse("{\"type\":\"offer\",\"to\":\"p-1\",\"sdp\":\"v=0\",\"from\":\"p-9\"}"));
        assertFalse(offer.restart());
        assertInstanceOf(ClientMessage.Ping.class, parse("{\"type\":\"ping\"}"));
    }

    @Test
    void errorsSayWhatTheValueAndWhatWasExpected() {
        assertEquals("sdp: 5 (expected: a string)", message("{\"type\":\"answer\",\"to\":\"p-1\",\"sdp\":5}"));
        assertEquals("candidate: missing (expected: an object or null)",
                message("{\"type\":\"candidate\",\"to\":\"p-1\"}"));
        assertEquals("candidate.sdpMLineIndex: -1 (expected: a non-negative integer or null)",
                message("{\"type\":\"candidate\",\"to\":\"p-1\",\"candidate\":{\"candidate\":\"c\",\"sdpMLineIndex\":-1}}"));
        assertEquals("settings.mode: opera (expected: voice or music)",
                message("{\"type\":\"media\",\"settings\":{\"mode\":\"opera\",\"bitrate\":32000,\"stereo\":false,"
                        + "\"dtx\":true,\"fec\":true}}"));
        assertEquals("role: \"dj\" (expected: speaker or listener)".replace("\"", ""),
                message("{\"type\":\"join\",\"room\":\"r\",\"role\":\"dj\"}"));
        assertTrue(message("{\"type\":\"fly\"}").startsWith("type: fly (expected: one of"));
        assertEquals("message: not JSON (expected: one JSON object)", message("nope"));
    }

    private static String message(String json) {
        SignalingException e = assertThrows(SignalingException.class, () -> parse(json));
        assertEquals(ErrorCode.BAD_MESSAGE, e.code());
        return e.getMessage();
    }
}
