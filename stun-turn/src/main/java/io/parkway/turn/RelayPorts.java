package io.parkway.turn;

import java.util.concurrent.ThreadLocalRandom;

/**
 * The UDP port range relayed transport addresses come from. Ports are picked at random (RFC 8656 section 7.2 and
 * RFC 6056: unpredictable relay ports), skipping the ports this server's own allocations hold, and a pick the OS
 * refuses (another program's socket) is retried by the caller with another.
 *
 * <p>Skipping known-taken ports is what lets a range fill up: with random picks alone, a 16,384-port range holding
 * 16,000 allocations has almost every pick collide, and 32 attempts fail for about one allocation in a hundred
 * (measured with the benchmark harness: 192 errors 508 for 16,000 allocations), though free ports remain.
 */
final class RelayPorts {
    /** How many ports the OS may refuse before an allocation answers 508 Insufficient Capacity. */
    static final int ATTEMPTS = 32;

    final int min;
    final int max;

    RelayPorts(int min, int max) {
        this.min = min;
        this.max = max;
    }

    /** A random port in range; an even one when {@code even} (EVEN-PORT, RFC 8656 section 7.2), -1 if none exists. */
    int pick(boolean even, boolean nextMustExist) {
        return pick(even, nextMustExist, null);
    }

    /**
     * A random port in range that {@code inUse} does not hold (nor its successor, when {@code nextMustExist}): from a
     * random start, the first such port going up and wrapping around. An even one when {@code even}. -1 if there is
     * none.
     */
    int pick(boolean even, boolean nextMustExist, RelayPortSet inUse) {
        int hi = nextMustExist ? max - 1 : max;
        int lo = even ? (min + 1) & ~1 : min;
        if (lo > hi) {
            return -1;
        }
        int step = even ? 2 : 1;
        int count = (hi - lo) / step + 1;
        int start = ThreadLocalRandom.current().nextInt(count);
        for (int i = 0; i < count; i++) {
            int port = lo + ((start + i) % count) * step;
            if (inUse == null || (!inUse.contains(port) && !(nextMustExist && inUse.contains(port + 1)))) {
                return port;
            }
        }
        return -1;
    }
}
