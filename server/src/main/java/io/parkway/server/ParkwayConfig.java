package io.parkway.server;

import static java.util.Objects.requireNonNull;

import io.parkway.server.metrics.HttpAddress;
import io.parkway.signaling.SignalingServerBuilder;
import io.parkway.turn.IpRange;
import io.parkway.turn.ListenAddress;
import io.parkway.turn.TurnServerBuilder;
import java.net.InetAddress;
import java.nio.file.Path;
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
 * @param log logging ({@code log:})
 * @param drainTimeout how long SIGTERM waits for active allocations to end before closing them
 *     ({@code drain-timeout}, top-level because a drain covers the whole process)
 * @param metrics the HTTP endpoint of metrics and health checks ({@code metrics:})
 * @param signaling the signaling server and web demo ({@code signaling:})
 */
public record ParkwayConfig(String realm, Turn turn, Log log, Duration drainTimeout, Metrics metrics,
        Signaling signaling) {

    /** The STUN/TURN port registered with IANA for UDP and TCP (RFC 8489, RFC 8656). */
    public static final int DEFAULT_PORT = 3478;
    /** How long a drain waits by default: long enough for a page reload, shorter than systemd's stop timeout. */
    public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(30);

    public ParkwayConfig {
        requireNonNull(realm, "realm");
        requireNonNull(turn, "turn");
        requireNonNull(log, "log");
        requireNonNull(drainTimeout, "drainTimeout");
        requireNonNull(metrics, "metrics");
        requireNonNull(signaling, "signaling");
    }

    /** A configuration with the default {@code signaling:} section. */
    public ParkwayConfig(String realm, Turn turn, Log log, Duration drainTimeout, Metrics metrics) {
        this(realm, turn, log, drainTimeout, metrics, Signaling.defaults());
    }

    /**
     * The defaults: a STUN/TURN server on loopback only ({@code udp://127.0.0.1:3478} and {@code tcp://127.0.0.1:3478})
     * relaying from the IP of its first listen address on ports 49152-65535, with no credentials (so every TURN
     * request is refused until users or REST secrets are configured; STUN Binding still works), the default peer
     * policy, and the RFC 8656 allocation lifetimes and quotas of {@link TurnServerBuilder}; metrics and health checks
     * on loopback only, {@code http://127.0.0.1:9641} (9641: beside other exporters' ports, unassigned by IANA).
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
                TurnServerBuilder.DEFAULT_MAX_ALLOCATIONS,
                Duration.ZERO), // TurnServerBuilder's restSecretGrace default: a removed secret stops at once
                new Log(LogLevel.INFO),
                DEFAULT_DRAIN_TIMEOUT,
                new Metrics(HttpAddress.parse("http://127.0.0.1:9641")));
    }

    /**
     * What {@code parkway serve} runs without {@code --config} when no configuration file is in a default place
     * ({@link ConfigSource#DEFAULT_FILES}): the {@link #defaults()} (loopback only) plus
     * {@code restSecret} as the one TURN REST secret and loopback peers allowed, so that coturn's
     * {@code turnutils_uclient -y} can relay between two clients on this machine. Never meant to face a network.
     */
    public static ParkwayConfig development(String restSecret) {
        ParkwayConfig d = defaults();
        Turn t = d.turn();
        return new ParkwayConfig(d.realm(), new Turn(t.listen(), t.relay(), t.users(), List.of(restSecret),
                new Peers(List.of(IpRange.parse("127.0.0.0/8"), IpRange.parse("::1/128")), List.of()),
                t.allocationLifetime(), t.maxAllocationLifetime(), t.allocationsPerUser(), t.maxAllocations(),
                t.restSecretGrace(), DEVELOPMENT_ALLOCATIONS_PER_REST_CREDENTIAL), d.log(), d.drainTimeout(),
                d.metrics());
    }

    /**
     * The development server's one generated REST credential is shared by every try on this machine, and
     * {@code turnutils_uclient} leaves a probe allocation behind per run: a larger quota than production's.
     */
    static final int DEVELOPMENT_ALLOCATIONS_PER_REST_CREDENTIAL = 64;

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
     * @param restSecretGrace how long a REST secret removed by a reload (SIGHUP) is still accepted
     * @param allocationsPerRestCredential allocations one TURN REST credential may hold at once
     */
    public record Turn(List<ListenAddress> listen, Relay relay, Map<String, String> users, List<String> restSecrets,
            Peers peers, Duration allocationLifetime, Duration maxAllocationLifetime, int allocationsPerUser,
            int maxAllocations, Duration restSecretGrace, int allocationsPerRestCredential) {

        /** Without {@code allocationsPerRestCredential}: the TURN server's default. */
        public Turn(List<ListenAddress> listen, Relay relay, Map<String, String> users, List<String> restSecrets,
                Peers peers, Duration allocationLifetime, Duration maxAllocationLifetime, int allocationsPerUser,
                int maxAllocations, Duration restSecretGrace) {
            this(listen, relay, users, restSecrets, peers, allocationLifetime, maxAllocationLifetime,
                    allocationsPerUser, maxAllocations, restSecretGrace,
                    TurnServerBuilder.DEFAULT_ALLOCATIONS_PER_REST_CREDENTIAL);
        }

        public Turn {
            listen = List.copyOf(listen);
            requireNonNull(relay, "relay");
            users = Collections.unmodifiableMap(new LinkedHashMap<>(users));
            restSecrets = List.copyOf(restSecrets);
            requireNonNull(peers, "peers");
            requireNonNull(allocationLifetime, "allocationLifetime");
            requireNonNull(maxAllocationLifetime, "maxAllocationLifetime");
            requireNonNull(restSecretGrace, "restSecretGrace");
        }

        /** Leaves passwords and secrets out, so that logging a configuration does not leak them. */
        @Override
        public String toString() {
            return "Turn[listen=" + listen + ", relay=" + relay + ", users=" + users.keySet() + " (passwords redacted)"
                    + ", restSecrets=" + restSecrets.size() + " (redacted), peers=" + peers
                    + ", allocationLifetime=" + allocationLifetime + ", maxAllocationLifetime=" + maxAllocationLifetime
                    + ", allocationsPerUser=" + allocationsPerUser + ", maxAllocations=" + maxAllocations
                    + ", restSecretGrace=" + restSecretGrace
                    + ", allocationsPerRestCredential=" + allocationsPerRestCredential + "]";
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

    /**
     * The {@code log} section.
     *
     * @param level the level of the {@code io.parkway} loggers, applied at start and on every reload
     */
    public record Log(LogLevel level) {

        public Log {
            requireNonNull(level, "level");
        }
    }

    /**
     * The {@code metrics} section.
     *
     * @param listen where {@code /metrics}, {@code /healthz} and {@code /readyz} are served, {@code http://IP:PORT}
     */
    public record Metrics(HttpAddress listen) {

        public Metrics {
            requireNonNull(listen, "listen");
        }
    }

    /**
     * The {@code signaling} section: the HTTP + WebSocket signaling server that also serves the web demo. Defaults are
     * {@link SignalingServerBuilder}'s.
     *
     * @param listen where it listens, {@code http://IP:PORT} or {@code https://IP:PORT} (then {@code tls} is needed)
     * @param tls the PEM certificate chain and private key of HTTPS; both null for HTTP
     * @param speakerKey the operator's speaker key; null is development mode (anyone may create a room and speak)
     * @param allowedOrigins the browser origins allowed to open the WebSocket and call the API; empty: any
     * @param maxListeners listeners per room
     * @param credentialTtl how long each TURN credential handed out is valid
     * @param credentialRefreshBefore how long before expiry a fresh credential is sent
     * @param resumeGrace how long a session whose socket dropped may be resumed
     * @param maxMessageBytes the largest WebSocket message
     * @param maxMessagesPerSecond messages per second per connection
     * @param maxConnectionsPerIp open connections per client IP
     * @param maxRooms rooms on this node
     */
    public record Signaling(WebAddress listen, Tls tls, String speakerKey, List<String> allowedOrigins,
            int maxListeners, Duration credentialTtl, Duration credentialRefreshBefore, Duration resumeGrace,
            int maxMessageBytes, int maxMessagesPerSecond, int maxConnectionsPerIp, int maxRooms) {

        public Signaling {
            requireNonNull(listen, "listen");
            requireNonNull(tls, "tls");
            allowedOrigins = List.copyOf(allowedOrigins);
            requireNonNull(credentialTtl, "credentialTtl");
            requireNonNull(credentialRefreshBefore, "credentialRefreshBefore");
            requireNonNull(resumeGrace, "resumeGrace");
        }

        static Signaling defaults() {
            return new Signaling(WebAddress.parse("http://" + SignalingServerBuilder.DEFAULT_HOST + ":"
                    + SignalingServerBuilder.DEFAULT_PORT), new Tls(null, null), null, List.of(),
                    SignalingServerBuilder.DEFAULT_MAX_LISTENERS, SignalingServerBuilder.DEFAULT_CREDENTIAL_TTL,
                    SignalingServerBuilder.DEFAULT_CREDENTIAL_REFRESH_BEFORE, SignalingServerBuilder.DEFAULT_RESUME_GRACE,
                    SignalingServerBuilder.DEFAULT_MAX_MESSAGE_BYTES,
                    SignalingServerBuilder.DEFAULT_MAX_MESSAGES_PER_SECOND,
                    SignalingServerBuilder.DEFAULT_MAX_CONNECTIONS_PER_IP, SignalingServerBuilder.DEFAULT_MAX_ROOMS);
        }

        /** Leaves the speaker key out, so that logging a configuration does not leak it. */
        @Override
        public String toString() {
            return "Signaling[listen=" + listen + ", tls=" + tls + ", speakerKey="
                    + (speakerKey == null ? "null" : "(redacted)") + ", allowedOrigins=" + allowedOrigins
                    + ", maxListeners=" + maxListeners + ", credentialTtl=" + credentialTtl
                    + ", credentialRefreshBefore=" + credentialRefreshBefore + ", resumeGrace=" + resumeGrace
                    + ", maxMessageBytes=" + maxMessageBytes + ", maxMessagesPerSecond=" + maxMessagesPerSecond
                    + ", maxConnectionsPerIp=" + maxConnectionsPerIp + ", maxRooms=" + maxRooms + "]";
        }
    }

    /**
     * The {@code signaling.tls} section.
     *
     * @param cert the PEM certificate chain, or null
     * @param key the PEM (PKCS#8) private key, or null
     */
    public record Tls(Path cert, Path key) {
    }

    /**
     * Where the signaling server listens, written {@code http://IP:PORT} or {@code https://IP:PORT}.
     *
     * @param https whether it serves HTTPS and WSS
     * @param address the IP and port to bind
     */
    public record WebAddress(boolean https, HttpAddress address) {

        /** What {@link #parse} accepts, for error messages. */
        public static final String EXPECTED = "http://IP:PORT or https://IP:PORT such as http://127.0.0.1:8080;"
                + " host names are not resolved";

        public WebAddress {
            requireNonNull(address, "address");
        }

        /** Parses {@code http://IP:PORT} or {@code https://IP:PORT}; {@code "signaling.listen: VALUE (expected: ...)"}. */
        public static WebAddress parse(String value) {
            String v = value.strip();
            boolean https = v.regionMatches(true, 0, "https://", 0, 8);
            try {
                return new WebAddress(https, HttpAddress.parse(https ? "http://" + v.substring(8) : v));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("signaling.listen: " + value + " (expected: " + EXPECTED + ")", e);
            }
        }

        @Override
        public String toString() {
            return https ? "https" + address.toString().substring(4) : address.toString();
        }
    }

    /** The levels {@code log.level} accepts, most to least severe. */
    public enum LogLevel { ERROR, WARN, INFO, DEBUG }
}
