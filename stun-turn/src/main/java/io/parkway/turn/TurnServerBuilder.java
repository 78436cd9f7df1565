package io.parkway.turn;

import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Options of a {@link TurnServer}. Each default is stated here, once.
 */
public final class TurnServerBuilder {

    /** RFC 8656 section 3.2: default allocation lifetime, 10 minutes. */
    public static final Duration DEFAULT_ALLOCATION_LIFETIME = Duration.ofMinutes(10);
    /** RFC 8656 section 7.2: the server caps requested lifetimes; 3600 s is the recommended maximum. */
    public static final Duration DEFAULT_MAX_ALLOCATION_LIFETIME = Duration.ofHours(1);
    /** RFC 8489 section 9.2: how long a nonce stays fresh before a 438 (Stale Nonce). */
    public static final Duration DEFAULT_NONCE_LIFETIME = Duration.ofMinutes(10);
    public static final String DEFAULT_REALM = "parkway.test";
    public static final String DEFAULT_SOFTWARE = "Parkway";
    public static final int DEFAULT_MIN_RELAY_PORT = 49152;
    public static final int DEFAULT_MAX_RELAY_PORT = 65535;
    /** Allocations one username may hold at once (RFC 8656 section 7.2, 486 Allocation Quota Reached). */
    public static final int DEFAULT_ALLOCATIONS_PER_USER = 16;
    /**
     * Allocations one TURN REST credential may hold at once. Signaling hands each session (and each of a speaker's
     * connections) its own credential, so a small number keeps one session from hogging the relay.
     */
    public static final int DEFAULT_ALLOCATIONS_PER_REST_CREDENTIAL = 4;
    /** Allocations the whole server holds at once (508 Insufficient Capacity beyond). */
    public static final int DEFAULT_MAX_ALLOCATIONS = 100_000;
    /** A TCP client connection silent this long without an allocation is closed. */
    public static final Duration DEFAULT_TCP_IDLE_TIMEOUT = Duration.ofMinutes(2);

    String realm = DEFAULT_REALM;
    String software = DEFAULT_SOFTWARE;
    final List<ListenAddress> listen = new ArrayList<>();
    InetAddress relayAddress;
    InetAddress externalAddress;
    int minRelayPort = DEFAULT_MIN_RELAY_PORT;
    int maxRelayPort = DEFAULT_MAX_RELAY_PORT;
    final Map<String, String> users = new LinkedHashMap<>();
    final List<String> restSecrets = new ArrayList<>();
    PeerPolicy peerPolicy;
    Duration defaultLifetime = DEFAULT_ALLOCATION_LIFETIME;
    Duration maxLifetime = DEFAULT_MAX_ALLOCATION_LIFETIME;
    Duration nonceLifetime = DEFAULT_NONCE_LIFETIME;
    int allocationsPerUser = DEFAULT_ALLOCATIONS_PER_USER;
    int allocationsPerRestCredential = DEFAULT_ALLOCATIONS_PER_REST_CREDENTIAL;
    int maxAllocations = DEFAULT_MAX_ALLOCATIONS;
    int eventLoopThreads;
    Clock clock = Clock.systemUTC();
    TurnListener listener = TurnListener.NONE;
    Duration tcpIdleTimeout = DEFAULT_TCP_IDLE_TIMEOUT;
    Duration restSecretGrace = Duration.ZERO;

    TurnServerBuilder() {
    }

    /** The realm of long-term credentials (RFC 8489 section 9.2). */
    public TurnServerBuilder realm(String realm) {
        this.realm = requireText("realm", realm);
        return this;
    }

    /** The SOFTWARE attribute value sent in responses (RFC 8489 section 14.14). */
    public TurnServerBuilder software(String software) {
        this.software = Objects.requireNonNull(software, "software");
        return this;
    }

    public TurnServerBuilder listen(ListenAddress address) {
        listen.add(Objects.requireNonNull(address, "address"));
        return this;
    }

    public TurnServerBuilder listen(List<ListenAddress> addresses) {
        addresses.forEach(this::listen);
        return this;
    }

    /** The local address relay sockets are bound on; defaults to the first listen address's IP. */
    public TurnServerBuilder relayAddress(InetAddress address) {
        this.relayAddress = Objects.requireNonNull(address, "relayAddress");
        return this;
    }

    /**
     * The public IP advertised in XOR-RELAYED-ADDRESS when the host sits behind 1:1 NAT (a cloud VPS); sockets still
     * bind {@link #relayAddress(InetAddress)}. Null (the default) advertises the bound address.
     */
    public TurnServerBuilder externalAddress(InetAddress address) {
        this.externalAddress = address;
        return this;
    }

    /** The UDP port range relayed transport addresses are taken from (inclusive). */
    public TurnServerBuilder relayPorts(int min, int max) {
        if (min < 1 || max > 65535 || min > max) {
            throw new IllegalArgumentException("relay ports: " + min + "-" + max + " (expected: 1 <= min <= max <= 65535)");
        }
        this.minRelayPort = min;
        this.maxRelayPort = max;
        return this;
    }

    /** A static long-term credential (RFC 8489 section 9.2). */
    public TurnServerBuilder user(String name, String password) {
        users.put(requireText("user name", name), requireText("password of " + name, password));
        return this;
    }

    public TurnServerBuilder users(Map<String, String> users) {
        users.forEach(this::user);
        return this;
    }

    /** TURN REST API shared secrets (coturn's use-auth-secret), newest first; every one is accepted. */
    public TurnServerBuilder restSecrets(List<String> secrets) {
        for (String s : secrets) {
            restSecrets.add(requireText("rest secret", s));
        }
        return this;
    }

    /** Which peers may be relayed to; defaults to {@link PeerPolicy#defaults()} plus the relay's own addresses. */
    public TurnServerBuilder peerPolicy(PeerPolicy policy) {
        this.peerPolicy = Objects.requireNonNull(policy, "peerPolicy");
        return this;
    }

    public TurnServerBuilder allocationLifetimes(Duration defaultLifetime, Duration maxLifetime) {
        if (defaultLifetime.isNegative() || defaultLifetime.isZero() || maxLifetime.compareTo(defaultLifetime) < 0) {
            throw new IllegalArgumentException("allocation lifetimes: default " + defaultLifetime + ", max "
                    + maxLifetime + " (expected: 0 < default <= max)");
        }
        this.defaultLifetime = defaultLifetime;
        this.maxLifetime = maxLifetime;
        return this;
    }

    public TurnServerBuilder nonceLifetime(Duration lifetime) {
        if (lifetime.isNegative() || lifetime.isZero()) {
            throw new IllegalArgumentException("nonce lifetime: " + lifetime + " (expected: > 0)");
        }
        this.nonceLifetime = lifetime;
        return this;
    }

    public TurnServerBuilder allocationsPerUser(int quota) {
        this.allocationsPerUser = requirePositive("allocations per user", quota);
        return this;
    }

    /** Allocations one TURN REST credential (one username) may hold at once; 486 beyond. */
    public TurnServerBuilder allocationsPerRestCredential(int quota) {
        this.allocationsPerRestCredential = requirePositive("allocations per REST credential", quota);
        return this;
    }

    public TurnServerBuilder maxAllocations(int max) {
        this.maxAllocations = requirePositive("max allocations", max);
        return this;
    }

    /** Event loop threads; 0 (the default) means one per available processor. */
    public TurnServerBuilder eventLoopThreads(int threads) {
        if (threads < 0) {
            throw new IllegalArgumentException("event loop threads: " + threads + " (expected: >= 0)");
        }
        this.eventLoopThreads = threads;
        return this;
    }

    /** The clock for credential expiry and nonces (tests move it). */
    public TurnServerBuilder clock(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
        return this;
    }

    /** How long a TCP connection without an allocation may stay silent before it is closed. */
    public TurnServerBuilder tcpIdleTimeout(Duration timeout) {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("tcp idle timeout: " + timeout + " (expected: > 0)");
        }
        this.tcpIdleTimeout = timeout;
        return this;
    }

    /** Receives allocation events (for a lifetime histogram); {@link TurnListener#NONE} by default. */
    public TurnServerBuilder listener(TurnListener listener) {
        this.listener = Objects.requireNonNull(listener, "listener");
        return this;
    }

    /**
     * How long a REST secret removed by {@link TurnServer#reload} is still accepted, so credentials issued just
     * before a rotation keep working for a while. Zero (the default) drops it at once.
     */
    public TurnServerBuilder restSecretGrace(Duration grace) {
        if (grace.isNegative()) {
            throw new IllegalArgumentException("rest secret grace: " + grace + " (expected: >= 0)");
        }
        this.restSecretGrace = grace;
        return this;
    }

    public TurnServer build() {
        if (listen.isEmpty()) {
            throw new IllegalStateException("listen: [] (expected: at least one udp:// or tcp:// address)");
        }
        return new DefaultTurnServer(this);
    }

    private static String requireText(String what, String value) {
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException(what + ": \"" + value + "\" (expected: a non-empty string)");
        }
        return value;
    }

    private static int requirePositive(String what, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(what + ": " + value + " (expected: >= 1)");
        }
        return value;
    }
}
