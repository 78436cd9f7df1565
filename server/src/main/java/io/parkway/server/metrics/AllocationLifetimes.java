package io.parkway.server.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.parkway.turn.TurnListener;
import io.parkway.turn.TurnTransport;
import java.time.Duration;

/**
 * The histogram {@code parkway_turn_allocation_lifetime_seconds{transport}}: how long each allocation existed, recorded
 * when it ends (expired, deleted, connection closed or server shutdown), by the client's transport.
 *
 * <p>Bucket upper bounds, in seconds: 1, 5, 10, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200 and +Inf. Short
 * lifetimes are failed or probing clients (ICE gathering, connectivity checks); 600 s is the default lifetime of an
 * allocation that is never refreshed (RFC 8656 section 3.2); live-audio sessions refresh and land in the upper
 * buckets. Prometheus also gets {@code _count}, {@code _sum} and {@code _max}.
 */
final class AllocationLifetimes implements TurnListener {

    static final String NAME = "parkway.turn.allocation.lifetime";

    static final Duration[] BUCKETS = {
        Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30),
        Duration.ofMinutes(1), Duration.ofMinutes(2), Duration.ofMinutes(5), Duration.ofMinutes(10),
        Duration.ofMinutes(20), Duration.ofMinutes(30), Duration.ofHours(1), Duration.ofHours(2)};

    /** Indexed by {@link TurnTransport#ordinal()}: no lookup when an allocation ends. */
    private final Timer[] timers = new Timer[TurnTransport.values().length];

    AllocationLifetimes(MeterRegistry registry) {
        for (TurnTransport t : TurnTransport.values()) {
            timers[t.ordinal()] = Timer.builder(NAME)
                    .description("How long TURN allocations existed, recorded when each ends")
                    .tag("transport", t.scheme())
                    .serviceLevelObjectives(BUCKETS)
                    .minimumExpectedValue(BUCKETS[0])
                    .maximumExpectedValue(BUCKETS[BUCKETS.length - 1])
                    .register(registry);
        }
    }

    /** Called on a TURN event loop: records into a lock-free histogram and returns. */
    @Override
    public void allocationClosed(Duration lifetime, TurnTransport transport, String reason) {
        timers[transport.ordinal()].record(lifetime);
    }
}
