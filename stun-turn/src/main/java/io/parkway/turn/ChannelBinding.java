package io.parkway.turn;

import java.net.InetSocketAddress;

/**
 * A channel bound to a peer transport address (RFC 8656 section 12,
 * https://datatracker.ietf.org/doc/html/rfc8656#section-12). After it expires it is kept, unusable, for a further
 * five minutes so that neither the number nor the peer can be rebound to something else too soon (section 12.2).
 */
final class ChannelBinding {
    /** RFC 8656 section 12: a binding lasts 10 minutes unless refreshed. */
    static final long LIFETIME_NANOS = 600_000_000_000L;
    /** RFC 8656 section 12: no rebinding to another peer or number until 5 minutes after expiry. */
    static final long COOLDOWN_NANOS = 300_000_000_000L;

    final int number;
    final InetSocketAddress peer;
    long expiresAtNanos;

    ChannelBinding(int number, InetSocketAddress peer, long expiresAtNanos) {
        this.number = number;
        this.peer = peer;
        this.expiresAtNanos = expiresAtNanos;
    }

    boolean isLive(long nowNanos) {
        return nowNanos - expiresAtNanos < 0;
    }

    /** Whether the entry still blocks rebinding its number or its peer. */
    boolean isReserved(long nowNanos) {
        return nowNanos - (expiresAtNanos + COOLDOWN_NANOS) < 0;
    }
}
