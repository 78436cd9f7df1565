package io.parkway.signaling;

import java.net.InetSocketAddress;

/**
 * A running signaling server: HTTP/1.1 and WebSocket ({@code /ws}) on one port, optionally over TLS. It relays offers,
 * answers and ICE candidates between a room's speaker and its listeners, hands every session short-lived TURN REST
 * credentials, answers the HTTP API and serves the web demo's static files. The protocol is in
 * {@code docs/signaling-protocol.md}.
 *
 * <pre>{@code
 * try (SignalingServer server = SignalingServer.builder()
 *         .listen(new InetSocketAddress("127.0.0.1", 8080))
 *         .turnSecret(secret)
 *         .iceServer("stun:127.0.0.1:3478")
 *         .iceServer("turn:127.0.0.1:3478?transport=udp")
 *         .build()
 *         .start()) {
 *     ...
 * }
 * }</pre>
 */
public interface SignalingServer extends AutoCloseable {

    static SignalingServerBuilder builder() {
        return new SignalingServerBuilder();
    }

    /** Binds the listen address; returns once bound. Fails (and releases what it took) if it cannot bind. */
    SignalingServer start() throws InterruptedException;

    /** The address actually bound, with an ephemeral port resolved; null before {@link #start()}. */
    InetSocketAddress boundAddress();

    /** Live counters; never null. */
    SignalingStats stats();

    /**
     * Starts draining before a shutdown: new joins get {@code server-draining} and {@code POST /api/rooms} gets 503;
     * sessions already joined (and resumes of them) go on. Idempotent.
     */
    void drain();

    /**
     * Reads the TLS certificate chain and key again from the same files (after a renewal, on SIGHUP); connections
     * opened from then on use them, open ones keep theirs.
     *
     * @return false when the server has no TLS
     * @throws IllegalArgumentException when the files cannot be loaded; the previous certificate stays in use
     */
    boolean reloadCertificates();

    /** Whether {@link #drain()} was called. */
    boolean isDraining();

    /** Closes the listening socket, then every connection, then the event loops. Idempotent. */
    @Override
    void close();
}
