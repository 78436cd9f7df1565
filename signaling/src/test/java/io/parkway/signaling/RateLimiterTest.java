package io.parkway.signaling;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RateLimiterTest {

    @Test
    void allowsABurstOfTheRateThenRefillsContinuously() {
        RateLimiter limiter = new RateLimiter(4, 0);
        for (int i = 0; i < 4; i++) {
            assertTrue(limiter.tryAcquire(0));
        }
        assertFalse(limiter.tryAcquire(0));
        assertFalse(limiter.tryAcquire(200_000_000L));
        assertTrue(limiter.tryAcquire(250_000_000L));
        assertFalse(limiter.tryAcquire(250_000_000L));
        assertTrue(limiter.tryAcquire(10_000_000_000L));
    }
}
