package io.parkway.turn;

import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Live counters of a {@link TurnServer}, updated as packets flow (not when sessions end). Counters are
 * {@link LongAdder}s: each event loop increments its own cell, so counting costs no contention on the packet path.
 */
public final class TurnStats {

    final LongAdder allocationsActive = new LongAdder();
    final LongAdder allocationsCreated = new LongAdder();
    final LongAdder allocationsExpired = new LongAdder();
    final LongAdder allocationsDeleted = new LongAdder();
    final LongAdder malformedDropped = new LongAdder();
    final LongAdder unroutableDropped = new LongAdder();
    final LongAdder peerDenied = new LongAdder();
    final LongAdder authFailures = new LongAdder();
    final LongAdder errorResponses = new LongAdder();
    final LongAdder bindingRequests = new LongAdder();
    final LongAdder allocationsRefreshed = new LongAdder();
    final LongAdder permissionsActive = new LongAdder();
    final LongAdder channelsActive = new LongAdder();
    /** Indexed by {@link TurnTransport#ordinal()} of the client's transport. */
    final LongAdder[] relayedPacketsToPeer = adders(TurnTransport.values().length);
    final LongAdder[] relayedBytesToPeer = adders(TurnTransport.values().length);
    final LongAdder[] relayedPacketsToClient = adders(TurnTransport.values().length);
    final LongAdder[] relayedBytesToClient = adders(TurnTransport.values().length);
    /** Responses sent, indexed by {@link #REQUEST_METHODS} position then 0 = success, 1 = error. */
    private final LongAdder[][] responses = new LongAdder[REQUEST_METHODS.length + 1][];

    /** The request methods counted by {@link #responses(int, boolean)}; others are counted as one "other". */
    public static final int[] REQUEST_METHODS = {
        io.parkway.stun.StunMethod.BINDING, io.parkway.stun.StunMethod.ALLOCATE, io.parkway.stun.StunMethod.REFRESH,
        io.parkway.stun.StunMethod.CREATE_PERMISSION, io.parkway.stun.StunMethod.CHANNEL_BIND};

    private final ConcurrentHashMap<Integer, LongAdder> errorsByCode = new ConcurrentHashMap<>();
    private final EnumMap<AuthFailure, LongAdder> authFailuresByReason = new EnumMap<>(AuthFailure.class);

    TurnStats() {
        for (AuthFailure f : AuthFailure.values()) {
            authFailuresByReason.put(f, new LongAdder());
        }
        for (int i = 0; i < responses.length; i++) {
            responses[i] = adders(2);
        }
    }

    private static LongAdder[] adders(int n) {
        LongAdder[] a = new LongAdder[n];
        for (int i = 0; i < n; i++) {
            a[i] = new LongAdder();
        }
        return a;
    }

    private static long sum(LongAdder[] adders) {
        long total = 0;
        for (LongAdder a : adders) {
            total += a.sum();
        }
        return total;
    }

    void response(int method, boolean success) {
        int i = 0;
        while (i < REQUEST_METHODS.length && REQUEST_METHODS[i] != method) {
            i++;
        }
        responses[i][success ? 0 : 1].increment();
    }

    /**
     * Responses sent for requests of {@code method} (one of {@link #REQUEST_METHODS}; any other number gives the
     * count of all other methods), successes or errors. A 401 challenge counts as an error.
     */
    public long responses(int method, boolean success) {
        int i = 0;
        while (i < REQUEST_METHODS.length && REQUEST_METHODS[i] != method) {
            i++;
        }
        return responses[i][success ? 0 : 1].sum();
    }

    LongAdder errorByCode(int code) {
        return errorsByCode.computeIfAbsent(code, c -> new LongAdder());
    }

    LongAdder authFailure(AuthFailure reason) {
        return authFailuresByReason.get(reason);
    }

    /** Error responses sent, by error code. */
    public Map<Integer, Long> errorResponsesByCode() {
        Map<Integer, Long> m = new TreeMap<>();
        errorsByCode.forEach((k, v) -> m.put(k, v.sum()));
        return m;
    }

    /**
     * Authentication failures by reason label ({@code challenge} counts the normal 401 before credentials are
     * sent; the others are real failures: {@code unknown_user}, {@code bad_integrity}, {@code stale_nonce},
     * {@code expired_credential}, {@code missing_attributes}, {@code bad_algorithm}).
     */
    public Map<String, Long> authFailuresByReason() {
        Map<String, Long> m = new TreeMap<>();
        authFailuresByReason.forEach((k, v) -> m.put(k.label(), v.sum()));
        return m;
    }

    public long allocationsActive() {
        return allocationsActive.sum();
    }

    public long allocationsCreated() {
        return allocationsCreated.sum();
    }

    public long allocationsExpired() {
        return allocationsExpired.sum();
    }

    public long allocationsDeleted() {
        return allocationsDeleted.sum();
    }

    /** Packets that were neither valid STUN nor valid ChannelData, dropped without a response. */
    public long malformedDropped() {
        return malformedDropped.sum();
    }

    /** Well-formed packets with nowhere to go: no allocation, no channel, no permission. */
    public long unroutableDropped() {
        return unroutableDropped.sum();
    }

    /** Requests or indications refused by the peer policy. */
    public long peerDenied() {
        return peerDenied.sum();
    }

    public long authFailures() {
        return authFailures.sum();
    }

    public long errorResponses() {
        return errorResponses.sum();
    }

    public long bindingRequests() {
        return bindingRequests.sum();
    }

    public long relayedPacketsToPeer() {
        return sum(relayedPacketsToPeer);
    }

    public long relayedBytesToPeer() {
        return sum(relayedBytesToPeer);
    }

    public long relayedPacketsToClient() {
        return sum(relayedPacketsToClient);
    }

    public long relayedBytesToClient() {
        return sum(relayedBytesToClient);
    }

    /** Packets relayed client → peer for clients on {@code transport}. */
    public long relayedPacketsToPeer(TurnTransport transport) {
        return relayedPacketsToPeer[transport.ordinal()].sum();
    }

    public long relayedBytesToPeer(TurnTransport transport) {
        return relayedBytesToPeer[transport.ordinal()].sum();
    }

    /** Packets relayed peer → client for clients on {@code transport}. */
    public long relayedPacketsToClient(TurnTransport transport) {
        return relayedPacketsToClient[transport.ordinal()].sum();
    }

    public long relayedBytesToClient(TurnTransport transport) {
        return relayedBytesToClient[transport.ordinal()].sum();
    }

    /** Successful Refresh requests that extended (not deleted) an allocation. */
    public long allocationsRefreshed() {
        return allocationsRefreshed.sum();
    }

    /** Permissions installed and not yet expired (expired ones are swept at least once a minute). */
    public long permissionsActive() {
        return permissionsActive.sum();
    }

    /** Channel bindings held, including those in their 5-minute post-expiry cooldown (swept once a minute). */
    public long channelsActive() {
        return channelsActive.sum();
    }
}
