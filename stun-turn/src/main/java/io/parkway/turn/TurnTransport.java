package io.parkway.turn;

/**
 * Transport between a TURN client and the server (RFC 8656 section 3.1,
 * https://datatracker.ietf.org/doc/html/rfc8656#section-3.1). The relayed transport towards peers is always UDP.
 */
public enum TurnTransport {
    UDP("udp"),
    TCP("tcp");

    private final String scheme;

    TurnTransport(String scheme) {
        this.scheme = scheme;
    }

    /** The URI scheme used in configuration, e.g. {@code udp} in {@code udp://127.0.0.1:3478}. */
    public String scheme() {
        return scheme;
    }
}
