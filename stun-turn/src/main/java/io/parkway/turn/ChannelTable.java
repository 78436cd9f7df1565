package io.parkway.turn;

import io.netty.util.collection.IntObjectHashMap;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * The channel bindings of one allocation, looked up in O(1) both ways: by number for ChannelData from the client
 * (primitive-keyed, no boxing per packet) and by peer address for datagrams from peers. Confined to the allocation's
 * event loop.
 */
final class ChannelTable {
    private final IntObjectHashMap<ChannelBinding> byNumber = new IntObjectHashMap<>(4);
    private final Map<InetSocketAddress, ChannelBinding> byPeer = new HashMap<>(4);
    /** The server-wide gauge of held bindings; this table adds and removes its own. */
    private final LongAdder active;

    ChannelTable(LongAdder active) {
        this.active = active;
    }

    /** Outcome of {@link #bind}. */
    enum BindResult { BOUND, REFRESHED, NUMBER_IN_USE, PEER_IN_USE }

    /**
     * Binds or refreshes per RFC 8656 section 11.2: the number must not be bound to another peer, and the peer
     * must not be bound to another number, counting bindings in their post-expiry cooldown.
     */
    BindResult bind(int number, InetSocketAddress peer, long nowNanos) {
        sweep(nowNanos);
        ChannelBinding byNum = byNumber.get(number);
        ChannelBinding byAddr = byPeer.get(peer);
        if (byNum != null && !byNum.peer.equals(peer)) {
            return BindResult.NUMBER_IN_USE;
        }
        if (byAddr != null && byAddr.number != number) {
            return BindResult.PEER_IN_USE;
        }
        long expires = nowNanos + ChannelBinding.LIFETIME_NANOS;
        if (byNum != null) {
            byNum.expiresAtNanos = expires;
            return BindResult.REFRESHED;
        }
        ChannelBinding binding = new ChannelBinding(number, peer, expires);
        byNumber.put(number, binding);
        byPeer.put(peer, binding);
        active.increment();
        return BindResult.BOUND;
    }

    /** The live binding of {@code number}, or null. */
    ChannelBinding byNumber(int number, long nowNanos) {
        ChannelBinding b = byNumber.get(number);
        return b != null && b.isLive(nowNanos) ? b : null;
    }

    /** The live binding to {@code peer}, or null. */
    ChannelBinding byPeer(InetSocketAddress peer, long nowNanos) {
        ChannelBinding b = byPeer.get(peer);
        return b != null && b.isLive(nowNanos) ? b : null;
    }

    int size() {
        return byNumber.size();
    }

    /** Removes every binding (the allocation is gone). */
    void clear() {
        active.add(-byNumber.size());
        byNumber.clear();
        byPeer.clear();
    }

    /** Forgets bindings past their cooldown. */
    void sweep(long nowNanos) {
        for (Iterator<ChannelBinding> it = byPeer.values().iterator(); it.hasNext(); ) {
            ChannelBinding b = it.next();
            if (!b.isReserved(nowNanos)) {
                it.remove();
                byNumber.remove(b.number);
                active.decrement();
            }
        }
    }
}
