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
    final LongAdder relayedPacketsToPeer = new LongAdder();
    final LongAdder relayedBytesToPeer = new LongAdder();
    final LongAdder relayedPacketsToClient = new LongAdder();
    final LongAdder relayedBytesToClient = new LongAdder();

    private final ConcurrentHashMap<Integer, LongAdder> errorsByCode = new ConcurrentHashMap<>();
    private final EnumMap<AuthFailure, LongAdder> authFailuresByReason = new EnumMap<>(AuthFailure.class);

    TurnStats() {
        for (AuthFailure f : AuthFailure.values()) {
            authFailuresByReason.put(f, new LongAdder());
        }
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
        return relayedPacketsToPeer.sum();
    }

    public long relayedBytesToPeer() {
        return relayedBytesToPeer.sum();
    }

    public long relayedPacketsToClient() {
        return relayedPacketsToClient.sum();
    }

    public long relayedBytesToClient() {
        return relayedBytesToClient.sum();
    }
}
