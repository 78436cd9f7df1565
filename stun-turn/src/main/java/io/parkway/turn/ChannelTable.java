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
 *
 * <p>An allocation usually binds one channel per peer and has one or a few peers, so up to {@link #SMALL} bindings
 * live in one array searched linearly (a bounded, constant number of comparisons either way, and a few dozen bytes
 * per idle allocation); a table that outgrows it switches to two hash maps.
 */
final class ChannelTable {
    /** Bindings kept in the array before the table switches to maps. */
    static final int SMALL = 4;

    private ChannelBinding[] small;
    private int size;
    /** Non-null (with {@link #byPeer}) once the table outgrew the array; then the only store. */
    private IntObjectHashMap<ChannelBinding> byNumber;
    private Map<InetSocketAddress, ChannelBinding> byPeer;
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
        ChannelBinding byNum = findNumber(number);
        ChannelBinding byAddr = findPeer(peer);
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
        add(new ChannelBinding(number, peer, expires));
        active.increment();
        return BindResult.BOUND;
    }

    private void add(ChannelBinding binding) {
        if (byNumber != null) {
            byNumber.put(binding.number, binding);
            byPeer.put(binding.peer, binding);
        } else if (small == null) {
            small = new ChannelBinding[1];
            small[size++] = binding;
        } else if (size < small.length) {
            small[size++] = binding;
        } else if (size < SMALL) {
            small = java.util.Arrays.copyOf(small, Math.min(SMALL, size * 2));
            small[size++] = binding;
        } else {
            byNumber = new IntObjectHashMap<>(SMALL * 4);
            byPeer = new HashMap<>(SMALL * 4);
            for (int i = 0; i < size; i++) {
                byNumber.put(small[i].number, small[i]);
                byPeer.put(small[i].peer, small[i]);
            }
            byNumber.put(binding.number, binding);
            byPeer.put(binding.peer, binding);
            small = null;
            size = 0;
        }
    }

    private ChannelBinding findNumber(int number) {
        if (byNumber != null) {
            return byNumber.get(number);
        }
        for (int i = 0; i < size; i++) {
            if (small[i].number == number) {
                return small[i];
            }
        }
        return null;
    }

    private ChannelBinding findPeer(InetSocketAddress peer) {
        if (byPeer != null) {
            return byPeer.get(peer);
        }
        for (int i = 0; i < size; i++) {
            if (small[i].peer.equals(peer)) {
                return small[i];
            }
        }
        return null;
    }

    /** The live binding of {@code number}, or null. */
    ChannelBinding byNumber(int number, long nowNanos) {
        ChannelBinding b = findNumber(number);
        return b != null && b.isLive(nowNanos) ? b : null;
    }

    /** The live binding to {@code peer}, or null. */
    ChannelBinding byPeer(InetSocketAddress peer, long nowNanos) {
        ChannelBinding b = findPeer(peer);
        return b != null && b.isLive(nowNanos) ? b : null;
    }

    int size() {
        return byNumber != null ? byNumber.size() : size;
    }

    /** Removes every binding (the allocation is gone). */
    void clear() {
        active.add(-size());
        byNumber = null;
        byPeer = null;
        small = null;
        size = 0;
    }

    /** Forgets bindings past their cooldown. */
    void sweep(long nowNanos) {
        if (byPeer != null) {
            for (Iterator<ChannelBinding> it = byPeer.values().iterator(); it.hasNext(); ) {
                ChannelBinding b = it.next();
                if (!b.isReserved(nowNanos)) {
                    it.remove();
                    byNumber.remove(b.number);
                    active.decrement();
                }
            }
            return;
        }
        for (int i = size - 1; i >= 0; i--) {
            if (!small[i].isReserved(nowNanos)) {
                size--;
                small[i] = small[size];
                small[size] = null;
                active.decrement();
            }
        }
    }
}
