package io.parkway.signaling;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** The server's messages as JSON text (docs/signaling-protocol.md). Every relayed message has {@code from} stamped. */
final class ServerMessages {

    private ServerMessages() {
    }

    static String welcome(Session session, boolean resumed, Credentials.Issued ice) {
        Room room = session.room;
        ObjectNode m = object("welcome");
        m.put("session", session.id);
        m.put("peerId", session.peerId);
        m.put("room", room.name);
        m.put("role", session.role.wire());
        m.put("resume", session.resumeToken);
        m.put("resumed", resumed);
        m.set("iceServers", ice.iceServers());
        m.put("credentialExpires", ice.expiresSeconds());
        if (room.speaker == null) {
            m.putNull("speaker");
        } else {
            ObjectNode speaker = m.putObject("speaker");
            speaker.put("peerId", room.speaker.peerId);
            speaker.put("state", room.speakerState.wire());
        }
        m.put("listeners", room.listeners.size());
        putMedia(m, "media", room.media);
        return text(m);
    }

    static String peerJoined(Session listener, Credentials.Issued ice) {
        ObjectNode m = object("peer-joined");
        m.put("peerId", listener.peerId);
        m.put("role", listener.role.wire());
        m.set("iceServers", ice.iceServers());
        m.put("credentialExpires", ice.expiresSeconds());
        return text(m);
    }

    static String peerLeft(Session peer) {
        ObjectNode m = object("peer-left");
        m.put("peerId", peer.peerId);
        return text(m);
    }

    static String listeners(int count) {
        ObjectNode m = object("listeners");
        m.put("count", count);
        return text(m);
    }

    static String speaker(Session speaker, SpeakerState state) {
        ObjectNode m = object("speaker");
        m.put("peerId", speaker.peerId);
        m.put("state", state.wire());
        return text(m);
    }

    static String media(Session speaker, MediaSettings settings) {
        ObjectNode m = object("media");
        m.put("from", speaker.peerId);
        putMedia(m, "settings", settings);
        return text(m);
    }

    static String offer(Session from, ClientMessage.Offer offer) {
        ObjectNode m = object("offer");
        m.put("from", from.peerId);
        m.put("sdp", offer.sdp());
        m.put("restart", offer.restart());
        return text(m);
    }

    static String answer(Session from, ClientMessage.Answer answer) {
        ObjectNode m = object("answer");
        m.put("from", from.peerId);
        m.put("sdp", answer.sdp());
        return text(m);
    }

    static String candidate(Session from, IceCandidate candidate) {
        ObjectNode m = object("candidate");
        m.put("from", from.peerId);
        if (candidate == null) {
            m.putNull("candidate");
        } else {
            ObjectNode c = m.putObject("candidate");
            c.put("candidate", candidate.candidate());
            c.put("sdpMid", candidate.sdpMid());
            c.put("sdpMLineIndex", candidate.sdpMLineIndex());
            if (candidate.usernameFragment() != null) {
                c.put("usernameFragment", candidate.usernameFragment());
            }
        }
        return text(m);
    }

    static String restart(Session from) {
        ObjectNode m = object("restart");
        m.put("from", from.peerId);
        return text(m);
    }

    /** Fresh credentials; {@code peerId} is the listener of a speaker's connection, or null for the session's own. */
    static String credentials(Credentials.Issued ice, String peerId) {
        ObjectNode m = object("credentials");
        m.set("iceServers", ice.iceServers());
        m.put("credentialExpires", ice.expiresSeconds());
        if (peerId != null) {
            m.put("peerId", peerId);
        }
        return text(m);
    }

    static String pong() {
        return text(object("pong"));
    }

    /** An error; {@code ref} is the type of the message that caused it, or null. */
    static String error(ErrorCode code, String message, String ref) {
        ObjectNode m = object("error");
        m.put("code", code.code());
        m.put("message", message);
        if (ref != null) {
            m.put("ref", ref);
        }
        return text(m);
    }

    static String text(ObjectNode node) {
        try {
            return SignalingMessages.MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree always serializes", e);
        }
    }

    private static ObjectNode object(String type) {
        ObjectNode m = SignalingMessages.MAPPER.createObjectNode();
        m.put("type", type);
        return m;
    }

    private static void putMedia(ObjectNode m, String field, MediaSettings settings) {
        if (settings == null) {
            m.putNull(field);
            return;
        }
        ObjectNode s = m.putObject(field);
        s.put("mode", settings.mode());
        s.put("bitrate", settings.bitrate());
        s.put("stereo", settings.stereo());
        s.put("dtx", settings.dtx());
        s.put("fec", settings.fec());
    }
}
