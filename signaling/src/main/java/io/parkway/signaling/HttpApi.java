package io.parkway.signaling;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The HTTP API: {@code POST /api/rooms} makes a room with its own speaker key (and optionally a listener token);
 * {@code GET /api/turn-credentials} hands out TURN credentials under the same rules as {@code join}, for apps that
 * bring their own signaling. Room checks run on the room loop; the response is written from there.
 */
final class HttpApi {

    static final String ROOMS = "/api/rooms";
    static final String TURN_CREDENTIALS = "/api/turn-credentials";

    private final Hub hub;
    private final Credentials credentials;

    HttpApi(Hub hub, Credentials credentials) {
        this.hub = hub;
        this.credentials = credentials;
    }

    /** Handles {@code path} (under {@code /api/}); {@code origin} is the request's allowed Origin or null. */
    void handle(ChannelHandlerContext ctx, FullHttpRequest request, QueryStringDecoder query, String origin) {
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        String path = query.path();
        HttpMethod method = request.method();
        if (!path.equals(ROOMS) && !path.equals(TURN_CREDENTIALS)) {
            respond(ctx, keepAlive, origin, HttpResponses.text(HttpResponseStatus.NOT_FOUND, "not found: " + path));
            return;
        }
        if (method.equals(HttpMethod.OPTIONS)) {
            FullHttpResponse response = HttpResponses.text(HttpResponseStatus.NO_CONTENT, "");
            response.content().clear();
            response.headers().set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_METHODS, "GET, POST, OPTIONS");
            response.headers().set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_HEADERS, "Authorization, Content-Type");
            response.headers().set(HttpHeaderNames.ACCESS_CONTROL_MAX_AGE, "600");
            respond(ctx, keepAlive, origin, response);
            return;
        }
        HttpMethod expected = path.equals(ROOMS) ? HttpMethod.POST : HttpMethod.GET;
        if (!method.equals(expected)) {
            FullHttpResponse response = HttpResponses.text(HttpResponseStatus.METHOD_NOT_ALLOWED,
                    "method: " + method + " (expected: " + expected + ")");
            response.headers().set(HttpHeaderNames.ALLOW, expected + ", OPTIONS");
            respond(ctx, keepAlive, origin, response);
            return;
        }
        String bearer = bearer(request);
        if (path.equals(ROOMS)) {
            boolean listenerToken;
            try {
                listenerToken = wantsListenerToken(request);
            } catch (SignalingException e) {
                respond(ctx, keepAlive, origin, error(e));
                return;
            }
            hub.execute(() -> respond(ctx, keepAlive, origin, createRoom(bearer, listenerToken)));
        } else {
            String key = first(query, "key");
            String room = first(query, "room");
            String role = first(query, "role");
            String token = first(query, "token");
            hub.execute(() -> respond(ctx, keepAlive, origin,
                    turnCredentials(room, role, key != null ? key : bearer, token)));
        }
    }

    /** Room loop. */
    private FullHttpResponse createRoom(String bearer, boolean listenerToken) {
        String operatorKey = hub.options.speakerKey;
        if (operatorKey != null && !Room.secretEquals(operatorKey, bearer)) {
            return error(new SignalingException(ErrorCode.UNAUTHORIZED, "authorization: "
                    + (bearer == null ? "missing" : "wrong") + " (expected: Bearer <signaling.speaker-key>)"));
        }
        if (hub.isDraining()) {
            return error(new SignalingException(ErrorCode.SERVER_DRAINING,
                    "server: draining (expected: retry on another node or after the restart)"));
        }
        Room room;
        try {
            room = hub.rooms.create(Ids.speakerKey(), listenerToken ? Ids.listenerToken() : null);
        } catch (SignalingException e) {
            return error(e);
        }
        ObjectNode body = SignalingMessages.MAPPER.createObjectNode();
        body.put("room", room.name);
        body.put("speakerKey", room.speakerKey);
        if (room.listenerToken != null) {
            body.put("listenerToken", room.listenerToken);
            body.put("listen", "/listen/" + room.name + "?token=" + room.listenerToken);
        } else {
            body.put("listen", "/listen/" + room.name);
        }
        body.put("speak", "/speak/" + room.name);
        return HttpResponses.json(HttpResponseStatus.CREATED, ServerMessages.text(body));
    }

    /** Room loop. */
    private FullHttpResponse turnCredentials(String roomName, String roleText, String key, String token) {
        try {
            authorize(roomName, roleText, key, token);
        } catch (SignalingException e) {
            return error(e);
        }
        Credentials.Issued issued = credentials.forSession(Ids.random("h-", 12));
        ObjectNode body = SignalingMessages.MAPPER.createObjectNode();
        body.set("iceServers", issued.iceServers());
        body.put("credentialExpires", issued.expiresSeconds());
        return HttpResponses.json(HttpResponseStatus.OK, ServerMessages.text(body));
    }

    private void authorize(String roomName, String roleText, String key, String token) throws SignalingException {
        String operatorKey = hub.options.speakerKey;
        if (Room.secretEquals(operatorKey, key)) {
            return;
        }
        Role role = roleText == null ? Role.LISTENER : Role.of(roleText);
        if (role == null) {
            throw SignalingException.badMessage(
                    "role: " + SignalingMessages.abbreviate(roleText) + " (expected: speaker or listener)");
        }
        if (roomName == null) {
            if (operatorKey != null) {
                throw new SignalingException(ErrorCode.UNAUTHORIZED,
                        "room: missing (expected: a room and its key or token, or Bearer <signaling.speaker-key>)");
            }
            return;
        }
        Room room = hub.rooms.get(roomName);
        if (room == null) {
            if (operatorKey != null) {
                throw new SignalingException(ErrorCode.ROOM_NOT_FOUND,
                        "room: " + SignalingMessages.abbreviate(roomName) + " (expected: a room made with POST /api/rooms)");
            }
            return;
        }
        if (role == Role.SPEAKER) {
            if (room.speakerKey != null && !Room.secretEquals(room.speakerKey, key)) {
                throw new SignalingException(ErrorCode.UNAUTHORIZED, "key: " + (key == null ? "missing" : "wrong")
                        + " (expected: the speaker key of room " + room.name + ")");
            }
        } else if (room.listenerToken != null && !Room.secretEquals(room.listenerToken, token)) {
            throw new SignalingException(ErrorCode.UNAUTHORIZED, "token: " + (token == null ? "missing" : "wrong")
                    + " (expected: the listener token of room " + room.name + ")");
        }
    }

    private FullHttpResponse error(SignalingException e) {
        hub.counters.error(e.code());
        return HttpResponses.error(e.code(), e.getMessage());
    }

    private static void respond(ChannelHandlerContext ctx, boolean keepAlive, String origin, FullHttpResponse response) {
        if (origin != null) {
            response.headers().set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, origin);
            response.headers().set(HttpHeaderNames.VARY, HttpHeaderNames.ORIGIN);
        }
        HttpResponses.send(ctx, keepAlive, response);
    }

    /** The optional body of {@code POST /api/rooms}: {@code {"listenerToken": true}}. */
    private static boolean wantsListenerToken(FullHttpRequest request) throws SignalingException {
        if (request.content().readableBytes() == 0) {
            return false;
        }
        JsonNode body = SignalingMessages.read(request.content().toString(StandardCharsets.UTF_8));
        JsonNode value = body.get("listenerToken");
        if (value == null || value.isNull()) {
            return false;
        }
        if (!value.isBoolean()) {
            throw SignalingException.badMessage("listenerToken: " + value + " (expected: true or false)");
        }
        return value.booleanValue();
    }

    private static String bearer(FullHttpRequest request) {
        String authorization = request.headers().get(HttpHeaderNames.AUTHORIZATION);
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        return authorization.substring(7).trim();
    }

    private static String first(QueryStringDecoder query, String name) {
        List<String> values = query.parameters().get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }
}
