package io.parkway.turn;

import java.util.concurrent.ThreadLocalRandom;

/**
 * The UDP port range relayed transport addresses come from. Ports are picked at random (RFC 8656 section 7.2 and
 * RFC 6056: unpredictable relay ports), and a pick the OS refuses is retried by the caller with another.
 */
final class RelayPorts {
    /** How many random ports an allocation tries before answering 508 Insufficient Capacity. */
    static final int ATTEMPTS = 32;

    final int min;
    final int max;

    RelayPorts(int min, int max) {
        this.min = min;
        this.max = max;
    }

    /** A random port in range; an even one when {@code even} (EVEN-PORT, RFC 8656 section 7.2), -1 if none exists. */
    int pick(boolean even, boolean nextMustExist) {
        int hi = nextMustExist ? max - 1 : max;
        int lo = even ? (min + 1) & ~1 : min;
        if (lo > hi) {
            return -1;
        }
        int port = ThreadLocalRandom.current().nextInt(lo, hi + 1);
        if (even) {
            port &= ~1;
            if (port < lo) {
                port += 2;
            }
            if (port > hi) {
                return -1;
            }
        }
        return port;
    }
}
