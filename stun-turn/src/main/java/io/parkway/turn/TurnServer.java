package io.parkway.turn;

import java.util.List;

/**
 * A running STUN/TURN server (RFC 8489, RFC 8656): listeners for clients over UDP and TCP, allocations with UDP
 * relayed transport addresses, long-term and TURN REST credentials, and a peer policy that is safe by default.
 *
 * <pre>{@code
 * try (TurnServer server = TurnServer.builder()
 *         .realm("parkway.test")
 *         .listen(ListenAddress.parse("udp://127.0.0.1:3478"))
 *         .user("alice", "wonderland")
 *         .build()
 *         .start()) {
 *     ...
 * }
 * }</pre>
 */
public interface TurnServer extends AutoCloseable {

    static TurnServerBuilder builder() {
        return new TurnServerBuilder();
    }

    /** Binds every listener; returns once all are bound. Fails (and releases what was bound) if one cannot be. */
    TurnServer start() throws InterruptedException;

    /** The addresses actually bound, in configuration order, with ephemeral ports resolved. Empty before start. */
    List<ListenAddress> boundAddresses();

    /** Live counters; never null. */
    TurnStats stats();

    /**
     * Applies the reloadable settings of {@code next} without touching allocations, permissions, channels or
     * sockets: static users, REST secrets (removed ones accepted for {@link TurnServerBuilder#restSecretGrace}),
     * peer policy, quotas and lifetimes. Nonces already issued stay valid.
     *
     * @return the settings that differ but only take effect after a restart (listen, relay address, external
     *     address, relay ports, realm); empty when everything was applied
     */
    List<String> reload(TurnServerBuilder next);

    /**
     * Starts draining before a shutdown: Allocate is refused with 503 (Service Unavailable), everything else,
     * including relaying and Refresh on existing allocations, goes on. Not ready from then on. Idempotent.
     */
    void drain();

    /** Started, every listener bound and open, and not draining. */
    boolean isReady();

    /** Closes listeners, then allocations and their relay sockets, then the event loops. Idempotent. */
    @Override
    void close();
}
