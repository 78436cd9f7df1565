package io.parkway.server;

import static java.util.Objects.requireNonNull;

import io.parkway.turn.IpRange;
import io.parkway.turn.ListenAddress;
import io.parkway.turn.TurnServerBuilder;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The whole configuration of a Parkway process, as read from YAML by {@link ConfigLoader}. Every default is stated
 * once, in {@link #defaults()} (values the TURN server already defaults are taken from {@link TurnServerBuilder});
 * a key missing from a configuration file takes its value from there.
 *
 * @param realm the realm of long-term credentials (RFC 8489 section 9.2,
 *     https://datatracker.ietf.org/doc/html/rfc8489#section-9.2)
 * @param turn the STUN/TURN server
 */
public record ParkwayConfig(String realm, Turn turn) {

    /** The STUN/TURN port registered with IANA for UDP and TCP (RFC 8489, RFC 8656). */
    public static final int DEFAULT_PORT = 3478;

    public ParkwayConfig {
        requireNonNull(realm, "realm");
        requireNonNull(turn, "turn");
    }

    /**
     * The defaults: a STUN/TURN server on loopback only ({@code udp://127.0.0.1:3478} and {@code tcp://127.0.0.1:3478})
     * relaying from the IP of its first listen address on ports 49152-65535, with no credentials (so every TURN
     * request is refused until users or REST secrets are configured; STUN Binding still works), the default peer
     * policy, and the RFC 8656 allocation lifetimes and quotas of {@link TurnServerBuilder}.
     */
    public static ParkwayConfig defaults() {
        return new ParkwayConfig(TurnServerBuilder.DEFAULT_REALM, new Turn(
                List.of(ListenAddress.parse("udp://127.0.0.1:" + DEFAULT_PORT),
                        ListenAddress.parse("tcp://127.0.0.1:" + DEFAULT_PORT)),
                new Relay(null, null, new PortRange(
                        TurnServerBuilder.DEFAULT_MIN_RELAY_PORT, TurnServerBuilder.DEFAULT_MAX_RELAY_PORT)),
                Map.of(),
                List.of(),
                new Peers(List.of(), List.of()),
                TurnServerBuilder.DEFAULT_ALLOCATION_LIFETIME,
                TurnServerBuilder.DEFAULT_MAX_ALLOCATION_LIFETIME,
                TurnServerBuilder.DEFAULT_ALLOCATIONS_PER_USER,
                TurnServerBuilder.DEFAULT_MAX_ALLOCATIONS));
    }

    /**
     * What {@code parkway serve} runs without {@code --config}: the {@link #defaults()} (loopback only) plus
     * {@code restSecret} as the one TURN REST secret and loopback peers allowed, so that coturn's
     * {@code turnutils_uclient -y} can relay between two clients on this machine. Never meant to face a network.
     */
    public static ParkwayConfig development(String restSecret) {
        ParkwayConfig d = defaults();
        Turn t = d.turn();
        return new ParkwayConfig(d.realm(), new Turn(t.listen(), t.relay(), t.users(), List.of(restSecret),
                new Peers(List.of(IpRange.parse("127.0.0.0/8"), IpRange.parse("::1/128")), List.of()),
                t.allocationLifetime(), t.maxAllocationLifetime(), t.allocationsPerUser(), t.maxAllocations()));
    }

    /**
     * The {@code turn} section.
     *
     * @param listen where clients reach the server, in order
     * @param relay where relayed transport addresses come from
     * @param users static long-term credentials, name to password
     * @param restSecrets TURN REST API shared secrets, newest first; all are accepted
     * @param peers exceptions to and additions of the default peer policy
     * @param allocationLifetime the lifetime of an allocation whose request asks for none
     * @param maxAllocationLifetime the cap on requested lifetimes
     * @param allocationsPerUser allocations one username may hold at once
     * @param maxAllocations allocations the server holds at once
     */
    public record Turn(List<ListenAddress> listen, Relay relay, Map<String, String> users, List<String> restSecrets,
            Peers peers, Duration allocationLifetime, Duration maxAllocationLifetime, int allocationsPerUser,
            int maxAllocations) {

        public Turn {
            listen = List.copyOf(listen);
            requireNonNull(relay, "relay");
            users = Collections.unmodifiableMap(new LinkedHashMap<>(users));
            restSecrets = List.copyOf(restSecrets);
            requireNonNull(peers, "peers");
            requireNonNull(allocationLifetime, "allocationLifetime");
            requireNonNull(maxAllocationLifetime, "maxAllocationLifetime");
        }

        /** Leaves passwords and secrets out, so that logging a configuration does not leak them. */
        @Override
        public String toString() {
            return "Turn[listen=" + listen + ", relay=" + relay + ", users=" + users.keySet() + " (passwords redacted)"
                    + ", restSecrets=" + restSecrets.size() + " (redacted), peers=" + peers
                    + ", allocationLifetime=" + allocationLifetime + ", maxAllocationLifetime=" + maxAllocationLifetime
                    + ", allocationsPerUser=" + allocationsPerUser + ", maxAllocations=" + maxAllocations + "]";
        }
    }

    /**
     * The {@code turn.relay} section.
     *
     * @param address the local IP relay sockets bind; null means the IP of the first listen address
     * @param externalAddress the public IP advertised instead when the host sits behind 1:1 NAT; null advertises
     *     {@code address}
     * @param ports the UDP ports relayed transport addresses are taken from
     */
    public record Relay(InetAddress address, InetAddress externalAddress, PortRange ports) {

        public Relay {
            requireNonNull(ports, "ports");
        }
    }

    /** An inclusive port range, written {@code MIN-MAX}. */
    public record PortRange(int min, int max) {

        public PortRange {
            if (min < 1 || max > 65535 || min > max) {
                throw new IllegalArgumentException("ports: " + min + "-" + max + " (expected: MIN-MAX within 1-65535)");
            }
        }

        @Override
        public String toString() {
            return min + "-" + max;
        }
    }

    /**
     * The {@code turn.peers} section.
     *
     * @param allow ranges exempted from the default deny list
     * @param deny further ranges to refuse
     */
    public record Peers(List<IpRange> allow, List<IpRange> deny) {

        public Peers {
            allow = List.copyOf(allow);
            deny = List.copyOf(deny);
        }
    }
}
