package io.parkway.signaling;

/**
 * A token bucket per connection: up to {@code max-messages-per-second} messages in any second (bursts up to that
 * many), refilled continuously. Used on the connection's event loop only.
 */
final class RateLimiter {

    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private final int perSecond;
    private double tokens;
    private long last;

    RateLimiter(int perSecond, long nowNanos) {
        this.perSecond = perSecond;
        this.tokens = perSecond;
        this.last = nowNanos;
    }

    /** Takes one token; false when the bucket is empty (the message is refused). */
    boolean tryAcquire(long nowNanos) {
        long elapsed = nowNanos - last;
        last = nowNanos;
        if (elapsed > 0) {
            tokens = Math.min(perSecond, tokens + (double) elapsed * perSecond / NANOS_PER_SECOND);
        }
        if (tokens < 1) {
            return false;
        }
        tokens -= 1;
        return true;
    }
}
