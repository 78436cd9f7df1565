package io.parkway.signaling;

/** The stable error codes of the protocol (docs/signaling-protocol.md, "Errors"), with the HTTP status of each. */
enum ErrorCode {
    ROOM_NOT_FOUND("room-not-found", 404),
    ROOM_FULL("room-full", 409),
    TOO_MANY_ROOMS("too-many-rooms", 503),
    UNAUTHORIZED("unauthorized", 401),
    SPEAKER_EXISTS("speaker-exists", 409),
    BAD_MESSAGE("bad-message", 400),
    PEER_NOT_FOUND("peer-not-found", 404),
    RATE_LIMITED("rate-limited", 429),
    TOO_LARGE("too-large", 413),
    SERVER_DRAINING("server-draining", 503);

    private final String code;
    private final int httpStatus;

    ErrorCode(String code, int httpStatus) {
        this.code = code;
        this.httpStatus = httpStatus;
    }

    String code() {
        return code;
    }

    int httpStatus() {
        return httpStatus;
    }
}
