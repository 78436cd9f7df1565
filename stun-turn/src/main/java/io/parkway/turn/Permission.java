package io.parkway.turn;

/**
 * One permission of an allocation: the peer IP it admits and when it expires (RFC 8656 section 9,
 * https://datatracker.ietf.org/doc/html/rfc8656#section-9). Ports are ignored, as the RFC requires.
 */
final class Permission {
    /** RFC 8656 section 9: a permission lasts 300 seconds unless refreshed. */
    static final long LIFETIME_NANOS = 300_000_000_000L;

    long expiresAtNanos;

    Permission(long expiresAtNanos) {
        this.expiresAtNanos = expiresAtNanos;
    }

    boolean isLive(long nowNanos) {
        return nowNanos - expiresAtNanos < 0;
    }
}
