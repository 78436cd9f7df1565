package io.parkway.signaling;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Parses and validates client messages into {@link ClientMessage} records. Unknown fields are ignored; anything else
 * wrong (not JSON, not an object, unknown {@code type}, a missing or ill-typed field) is a {@code bad-message}
 * whose text says what, the value and what was expected.
 */
final class SignalingMessages {

    static final ObjectMapper MAPPER = new ObjectMapper();

    /** Room names: what fits in a URL path segment without escaping. */
    static final Pattern ROOM_NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    private static final int MAX_ID_LENGTH = 128;

    private static final Set<String> TYPES = Set.copyOf(SignalingStats.MESSAGE_TYPES);

    private SignalingMessages() {
    }

    static boolean isKnownType(String type) {
        return type != null && TYPES.contains(type);
    }

    /** The {@code type} of {@code node} when it is a known one, else null (for an error's {@code ref}). */
    static String typeOf(JsonNode node) {
        JsonNode type = node == null ? null : node.get("type");
        return type != null && type.isTextual() && isKnownType(type.asText()) ? type.asText() : null;
    }

    /** Reads {@code text} as a JSON object. */
    static JsonNode read(String text) throws SignalingException {
        JsonNode node;
        try {
            node = MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw SignalingException.badMessage("message: not JSON (expected: one JSON object)");
        }
        if (node == null || !node.isObject()) {
            throw SignalingException.badMessage("message: " + (node == null ? "empty" : node.getNodeType())
                    + " (expected: one JSON object)");
        }
        return node;
    }

    static ClientMessage parse(JsonNode node) throws SignalingException {
        JsonNode typeNode = node.get("type");
        if (typeNode == null || !typeNode.isTextual()) {
            throw SignalingException.badMessage("type: " + describe(typeNode) + " (expected: a string)");
        }
        String type = typeNode.asText();
        switch (type) {
            case "join":
                return join(node);
            case "leave":
                return new ClientMessage.Leave();
            case "live":
                return new ClientMessage.Live();
            case "stop":
                return new ClientMessage.Stop();
            case "media":
                return new ClientMessage.Media(media(node));
            case "offer":
                return new ClientMessage.Offer(peerId(node, "to"), requiredText(node, "sdp"),
                        optionalBoolean(node, "restart"));
            case "answer":
                return new ClientMessage.Answer(peerId(node, "to"), requiredText(node, "sdp"));
            case "candidate":
                return new ClientMessage.Candidate(peerId(node, "to"), candidate(node));
            case "restart":
                return new ClientMessage.Restart(peerId(node, "to"));
            case "credentials":
                return new ClientMessage.Credentials(node.hasNonNull("peerId") ? peerId(node, "peerId") : null);
            case "ping":
                return new ClientMessage.Ping();
            default:
                throw SignalingException.badMessage("type: " + abbreviate(type) + " (expected: one of "
                        + SignalingStats.MESSAGE_TYPES + ")");
        }
    }

    private static ClientMessage.Join join(JsonNode node) throws SignalingException {
        String room = requiredText(node, "room");
        if (!ROOM_NAME.matcher(room).matches()) {
            throw SignalingException.badMessage(
                    "room: " + abbreviate(room) + " (expected: 1-64 of A-Z a-z 0-9 _ -)");
        }
        String roleText = requiredText(node, "role");
        Role role = Role.of(roleText);
        if (role == null) {
            throw SignalingException.badMessage("role: " + abbreviate(roleText) + " (expected: speaker or listener)");
        }
        return new ClientMessage.Join(room, role, optionalText(node, "key"), optionalText(node, "token"),
                optionalText(node, "resume"));
    }

    private static MediaSettings media(JsonNode node) throws SignalingException {
        JsonNode settings = node.get("settings");
        if (settings == null || !settings.isObject()) {
            throw SignalingException.badMessage("settings: " + describe(settings) + " (expected: an object)");
        }
        String mode = requiredText(settings, "mode", "settings.mode");
        JsonNode bitrate = settings.get("bitrate");
        if (bitrate == null || !bitrate.isIntegralNumber() || !bitrate.canConvertToInt()) {
            throw SignalingException.badMessage("settings.bitrate: " + describe(bitrate)
                    + " (expected: an integer " + MediaSettings.MIN_BITRATE + "-" + MediaSettings.MAX_BITRATE + ")");
        }
        try {
            return new MediaSettings(mode, bitrate.intValue(), requiredBoolean(settings, "stereo"),
                    requiredBoolean(settings, "dtx"), requiredBoolean(settings, "fec"));
        } catch (IllegalArgumentException e) {
            throw SignalingException.badMessage(e.getMessage());
        }
    }

    private static IceCandidate candidate(JsonNode node) throws SignalingException {
        if (!node.has("candidate")) {
            throw SignalingException.badMessage("candidate: missing (expected: an object or null)");
        }
        JsonNode candidate = node.get("candidate");
        if (candidate.isNull()) {
            return null;
        }
        if (!candidate.isObject()) {
            throw SignalingException.badMessage("candidate: " + describe(candidate) + " (expected: an object or null)");
        }
        JsonNode index = candidate.get("sdpMLineIndex");
        Integer lineIndex = null;
        if (index != null && !index.isNull()) {
            if (!index.isIntegralNumber() || !index.canConvertToInt() || index.intValue() < 0) {
                throw SignalingException.badMessage("candidate.sdpMLineIndex: " + describe(index)
                        + " (expected: a non-negative integer or null)");
            }
            lineIndex = index.intValue();
        }
        return new IceCandidate(requiredText(candidate, "candidate", "candidate.candidate"),
                optionalText(candidate, "sdpMid", "candidate.sdpMid"), lineIndex,
                optionalText(candidate, "usernameFragment", "candidate.usernameFragment"));
    }

    private static String peerId(JsonNode node, String field) throws SignalingException {
        String id = requiredText(node, field);
        if (id.isEmpty() || id.length() > MAX_ID_LENGTH) {
            throw SignalingException.badMessage(field + ": " + abbreviate(id) + " (expected: a peerId)");
        }
        return id;
    }

    private static String requiredText(JsonNode node, String field) throws SignalingException {
        return requiredText(node, field, field);
    }

    private static String requiredText(JsonNode node, String field, String path) throws SignalingException {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual()) {
            throw SignalingException.badMessage(path + ": " + describe(value) + " (expected: a string)");
        }
        return value.asText();
    }

    private static String optionalText(JsonNode node, String field) throws SignalingException {
        return optionalText(node, field, field);
    }

    private static String optionalText(JsonNode node, String field, String path) throws SignalingException {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw SignalingException.badMessage(path + ": " + describe(value) + " (expected: a string or null)");
        }
        return value.asText();
    }

    private static boolean optionalBoolean(JsonNode node, String field) throws SignalingException {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return false;
        }
        if (!value.isBoolean()) {
            throw SignalingException.badMessage(field + ": " + describe(value) + " (expected: true or false)");
        }
        return value.booleanValue();
    }

    private static boolean requiredBoolean(JsonNode node, String field) throws SignalingException {
        JsonNode value = node.get(field);
        if (value == null || !value.isBoolean()) {
            throw SignalingException.badMessage(
                    "settings." + field + ": " + describe(value) + " (expected: true or false)");
        }
        return value.booleanValue();
    }

    /** A short description of a JSON value for an error message; never the whole of a large value. */
    private static String describe(JsonNode value) {
        if (value == null) {
            return "missing";
        }
        if (value.isTextual()) {
            return '"' + abbreviate(value.asText()) + '"';
        }
        if (value.isContainerNode()) {
            return value.isArray() ? "an array" : "an object";
        }
        return abbreviate(value.toString());
    }

    static String abbreviate(String text) {
        return text.length() <= 40 ? text : text.substring(0, 40) + "…";
    }
}
