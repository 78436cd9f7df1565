package io.parkway.server;

import io.parkway.server.ParkwayConfig.Relay;
import io.parkway.server.ParkwayConfig.Turn;
import io.parkway.turn.PeerPolicy;
import io.parkway.turn.TurnListener;
import io.parkway.turn.TurnServer;
import io.parkway.turn.TurnServerBuilder;
import java.net.InetAddress;
import java.util.LinkedHashSet;
import java.util.Set;

/** Wires a {@link TurnServer} from a validated {@link ParkwayConfig}; the server is built, not started. */
final class TurnServerFactory {

    private TurnServerFactory() {
    }

    static TurnServer create(ParkwayConfig config) {
        return builder(config).build();
    }

    /** As {@link #create(ParkwayConfig)}, reporting allocation events to {@code listener} (the metrics). */
    static TurnServer create(ParkwayConfig config, TurnListener listener) {
        return builder(config).listener(listener).build();
    }

    static TurnServerBuilder builder(ParkwayConfig config) {
        Turn turn = config.turn();
        Relay relay = turn.relay();
        TurnServerBuilder b = TurnServer.builder()
                .realm(config.realm())
                .listen(turn.listen())
                .externalAddress(relay.externalAddress())
                .relayPorts(relay.ports().min(), relay.ports().max())
                .users(turn.users())
                .restSecrets(turn.restSecrets())
                .restSecretGrace(turn.restSecretGrace())
                .peerPolicy(peerPolicy(turn))
                .allocationLifetimes(turn.allocationLifetime(), turn.maxAllocationLifetime())
                .allocationsPerUser(turn.allocationsPerUser())
                .allocationsPerRestCredential(turn.allocationsPerRestCredential())
                .maxAllocations(turn.maxAllocations());
        if (relay.address() != null) { // null: the builder's default, the IP of the first listen address
            b.relayAddress(relay.address());
        }
        return b;
    }

    /**
     * The default deny list, plus the configured deny ranges and the relay's own addresses (RFC 8656 section 21.3,
     * https://datatracker.ietf.org/doc/html/rfc8656#section-21.3), minus the configured allow ranges.
     */
    static PeerPolicy peerPolicy(Turn turn) {
        Set<InetAddress> own = new LinkedHashSet<>();
        turn.listen().forEach(l -> own.add(l.address().getAddress()));
        own.add(turn.relay().address());
        own.add(turn.relay().externalAddress());
        own.remove(null);
        own.removeIf(InetAddress::isAnyLocalAddress);
        return PeerPolicy.builder()
                .allow(turn.peers().allow())
                .deny(turn.peers().deny())
                .denyRelayAddress(own.toArray(InetAddress[]::new))
                .build();
    }
}
