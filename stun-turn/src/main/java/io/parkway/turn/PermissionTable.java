package io.parkway.turn;

import java.net.InetAddress;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * The permissions of one allocation, keyed by peer IP (RFC 8656 section 9). Confined to the allocation's event loop;
 * expiry is checked against a deadline when a packet arrives, so no timer runs per permission and none per packet.
 * Expired entries are swept whenever a permission is installed.
 *
 * <p>Most allocations hold one to a few permissions (a browser's peers), and an idle server holds thousands of
 * allocations, so the table starts small: up to {@link #SMALL} permissions live in two arrays searched linearly
 * (a bounded, constant number of comparisons), and only a table that outgrows them switches to a hash map.
 */
final class PermissionTable {
    /** Permissions kept in the arrays before the table switches to a map. */
    static final int SMALL = 4;

    private InetAddress[] peers;
    private long[] expires;
    private int size;
    /** Non-null once the table outgrew the arrays; then the only store. */
    private Map<InetAddress, Permission> map;
    /** The server-wide gauge of live permissions; this table adds and removes its own. */
    private final LongAdder active;

    PermissionTable(LongAdder active) {
        this.active = active;
    }

    /** Installs or refreshes the permission for {@code peer} (RFC 8656 section 9.2). */
    void install(InetAddress peer, long nowNanos) {
        sweep(nowNanos);
        long deadline = nowNanos + Permission.LIFETIME_NANOS;
        if (map != null) {
            Permission p = map.get(peer);
            if (p == null) {
                map.put(peer, new Permission(deadline));
                active.increment();
            } else {
                p.expiresAtNanos = deadline;
            }
            return;
        }
        int i = indexOf(peer);
        if (i >= 0) {
            expires[i] = deadline;
            return;
        }
        active.increment();
        if (peers == null) {
            peers = new InetAddress[1];
            expires = new long[1];
        } else if (size == peers.length && size < SMALL) {
            peers = java.util.Arrays.copyOf(peers, Math.min(SMALL, size * 2));
            expires = java.util.Arrays.copyOf(expires, peers.length);
        } else if (size == SMALL) {
            map = new HashMap<>(SMALL * 4);
            for (int j = 0; j < size; j++) {
                map.put(peers[j], new Permission(expires[j]));
            }
            map.put(peer, new Permission(deadline));
            peers = null;
            expires = null;
            size = 0;
            return;
        }
        peers[size] = peer;
        expires[size] = deadline;
        size++;
    }

    /** Whether a live permission admits {@code peer}: the check on every relayed packet (RFC 8656 section 9.3). */
    boolean permits(InetAddress peer, long nowNanos) {
        if (map != null) {
            Permission p = map.get(peer);
            return p != null && p.isLive(nowNanos);
        }
        int i = indexOf(peer);
        return i >= 0 && nowNanos - expires[i] < 0;
    }

    private int indexOf(InetAddress peer) {
        for (int i = 0; i < size; i++) {
            if (peers[i].equals(peer)) {
                return i;
            }
        }
        return -1;
    }

    /** Live permissions (for metrics and logs). */
    int size(long nowNanos) {
        sweep(nowNanos);
        return installed();
    }

    /** Permissions the table holds, expired ones included, when the allocation last swept. */
    int installed() {
        return map != null ? map.size() : size;
    }

    /** Removes expired permissions. */
    void sweep(long nowNanos) {
        if (map != null) {
            for (Iterator<Permission> it = map.values().iterator(); it.hasNext(); ) {
                if (!it.next().isLive(nowNanos)) {
                    it.remove();
                    active.decrement();
                }
            }
            return;
        }
        for (int i = size - 1; i >= 0; i--) {
            if (nowNanos - expires[i] >= 0) {
                size--;
                peers[i] = peers[size];
                expires[i] = expires[size];
                peers[size] = null;
                active.decrement();
            }
        }
    }

    /** Removes every permission (the allocation is gone). */
    void clear() {
        active.add(-installed());
        map = null;
        peers = null;
        expires = null;
        size = 0;
    }
}
