package io.parkway.server.metrics;

import io.parkway.server.ParkwayConfig;

/**
 * The configured capacity of the TURN server, exposed beside its live counts so that alerts can compare the two
 * (allocations near the quota, relay port pool near exhaustion: each allocation holds one relay port).
 *
 * @param maxAllocations allocations the server holds at once ({@code turn.max-allocations})
 * @param allocationsPerUser allocations one username may hold at once ({@code turn.allocations-per-user})
 * @param relayPorts how many ports the relay port range holds ({@code turn.relay.ports})
 */
public record TurnLimits(int maxAllocations, int allocationsPerUser, int relayPorts) {

    /** The limits of a validated configuration. */
    public static TurnLimits of(ParkwayConfig config) {
        ParkwayConfig.Turn t = config.turn();
        ParkwayConfig.PortRange ports = t.relay().ports();
        return new TurnLimits(t.maxAllocations(), t.allocationsPerUser(), ports.max() - ports.min() + 1);
    }
}
