package io.parkway.turn;

import java.time.Duration;

/**
 * Events a {@link TurnServer} reports beyond its counters, for metrics that need each value (a histogram of
 * allocation lifetimes). Called on an event loop: implementations must be quick and must not block.
 */
public interface TurnListener {
    /** A listener that ignores everything. */
    TurnListener NONE = new TurnListener() {
    };

    /**
     * An allocation ended.
     *
     * @param lifetime how long it existed
     * @param transport the client's transport
     * @param reason why: {@code expired}, {@code deleted by client}, {@code client connection closed},
     *     {@code server shutdown}, {@code listener closed}
     */
    default void allocationClosed(Duration lifetime, TurnTransport transport, String reason) {
    }
}
