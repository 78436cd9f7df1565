package io.parkway.turn;

import java.net.InetAddress;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every listener and allocation of one server shares: settings, credentials, peer policy, quotas, counters.
 * Settings are immutable; {@link #authenticator()} and {@link #peerPolicy()} are volatile so a reload can swap them.
 * Quota counters are atomics touched only when allocations are created or deleted, never per packet.
 */
final class TurnServerContext {
    private static final Logger logger = LoggerFactory.getLogger(TurnServerContext.class);

    final TurnStats stats = new TurnStats();
    final String software;
    volatile long defaultLifetimeSeconds;
    volatile long maxLifetimeSeconds;
    volatile int allocationsPerUser;
    volatile int allocationsPerRestCredential;
    volatile int maxAllocations;
    volatile java.time.Duration restSecretGrace;
    /** Set by {@link TurnServer#drain()}: new allocations are refused, existing ones keep relaying. */
    volatile boolean draining;
    /** Address relay sockets bind. */
    final InetAddress relayAddress;
    /** Address advertised in XOR-RELAYED-ADDRESS: the external address when set, else {@link #relayAddress}. */
    final InetAddress advertisedRelayAddress;
    final RelayPorts relayPorts;
    final Responses responses;
    final TurnListener listener;
    final Reservations reservations = new Reservations();
    /** Ports of live allocations, for {@link PeerAddresses#isOwnAllocation}. */
    final RelayPortSet relayPortsInUse = new RelayPortSet();
    private final ConcurrentHashMap<String, AtomicInteger> perUser = new ConcurrentHashMap<>();
    private final AtomicInteger total = new AtomicInteger();
    private final Set<Allocation> allocations = ConcurrentHashMap.newKeySet();
    private volatile Authenticator authenticator;
    private volatile PeerPolicy peerPolicy;

    TurnServerContext(TurnServerBuilder b, InetAddress relayAddress, Authenticator authenticator, PeerPolicy policy) {
        this.software = b.software;
        this.defaultLifetimeSeconds = b.defaultLifetime.toSeconds();
        this.maxLifetimeSeconds = b.maxLifetime.toSeconds();
        this.allocationsPerUser = b.allocationsPerUser;
        this.allocationsPerRestCredential = b.allocationsPerRestCredential;
        this.maxAllocations = b.maxAllocations;
        this.restSecretGrace = b.restSecretGrace;
        this.relayAddress = relayAddress;
        this.advertisedRelayAddress = b.externalAddress != null ? b.externalAddress : relayAddress;
        this.relayPorts = new RelayPorts(b.minRelayPort, b.maxRelayPort);
        this.authenticator = authenticator;
        this.peerPolicy = policy;
        this.responses = new Responses(this);
        this.listener = b.listener;
    }

    /**
     * Applies the reloadable settings of {@code next}: users, REST secrets (retired ones kept for the grace period),
     * peer policy, quotas and lifetimes. Allocations, permissions and channels are untouched. Called off the event
     * loops; each field is swapped atomically.
     */
    void reload(TurnServerBuilder next, PeerPolicy policy) {
        restSecretGrace = next.restSecretGrace;
        authenticator = authenticator.reloaded(next.users, next.restSecrets, restSecretGrace);
        peerPolicy = policy;
        defaultLifetimeSeconds = next.defaultLifetime.toSeconds();
        maxLifetimeSeconds = next.maxLifetime.toSeconds();
        allocationsPerUser = next.allocationsPerUser;
        allocationsPerRestCredential = next.allocationsPerRestCredential;
        maxAllocations = next.maxAllocations;
    }

    Authenticator authenticator() {
        return authenticator;
    }

    PeerPolicy peerPolicy() {
        return peerPolicy;
    }

    /** Outcome of {@link #reserveQuota}. */
    enum Quota { GRANTED, USER_QUOTA, SERVER_FULL }

    /**
     * Counts one more allocation for {@code credential} if both its quota (static users: allocations per user;
     * TURN REST credentials: allocations per credential) and the server's capacity allow.
     */
    Quota reserveQuota(Credential credential) {
        String user = credential.quotaKey();
        int quota = credential.rest() ? allocationsPerRestCredential : allocationsPerUser;
        if (total.incrementAndGet() > maxAllocations) {
            total.decrementAndGet();
            return Quota.SERVER_FULL;
        }
        AtomicInteger n = perUser.computeIfAbsent(user, u -> new AtomicInteger());
        if (n.incrementAndGet() > quota) {
            n.decrementAndGet();
            total.decrementAndGet();
            return Quota.USER_QUOTA;
        }
        return Quota.GRANTED;
    }

    /** Returns quota taken by {@link #reserveQuota} for an allocation that was not created. */
    void releaseQuota(String user) {
        total.decrementAndGet();
        perUser.computeIfPresent(user, (u, n) -> n.decrementAndGet() <= 0 ? null : n);
    }

    void register(Allocation allocation) {
        allocations.add(allocation);
        relayPortsInUse.add(allocation.relayedAddress.getPort());
        stats.allocationsActive.increment();
        stats.allocationsCreated.increment();
    }

    /** Called once by {@link Allocation#close}. */
    void release(Allocation allocation) {
        if (allocations.remove(allocation)) {
            relayPortsInUse.remove(allocation.relayedAddress.getPort());
            stats.allocationsActive.decrement();
            releaseQuota(allocation.credential.quotaKey());
        }
    }

    /** Closes every allocation on its own event loop; used at shutdown. */
    void closeAll() {
        int n = allocations.size();
        for (Allocation a : allocations) {
            a.client.eventLoop().execute(() -> a.close("server shutdown"));
        }
        if (n > 0) {
            logger.info("closing {} allocation(s)", n);
        }
        reservations.closeAll();
    }
}
