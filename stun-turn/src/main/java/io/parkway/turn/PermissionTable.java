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
 */
final class PermissionTable {
    private final Map<InetAddress, Permission> byPeer = new HashMap<>(4);
    /** The server-wide gauge of live permissions; this table adds and removes its own. */
    private final LongAdder active;

    PermissionTable(LongAdder active) {
        this.active = active;
    }

    /** Installs or refreshes the permission for {@code peer} (RFC 8656 section 9.2). */
    void install(InetAddress peer, long nowNanos) {
        sweep(nowNanos);
        long expires = nowNanos + Permission.LIFETIME_NANOS;
        Permission p = byPeer.get(peer);
        if (p == null) {
            byPeer.put(peer, new Permission(expires));
            active.increment();
        } else {
            p.expiresAtNanos = expires;
        }
    }

    /** Whether a live permission admits {@code peer}: the check on every relayed packet (RFC 8656 section 9.3). */
    boolean permits(InetAddress peer, long nowNanos) {
        Permission p = byPeer.get(peer);
        return p != null && p.isLive(nowNanos);
    }

    /** Live permissions (for metrics and logs). */
    int size(long nowNanos) {
        sweep(nowNanos);
        return byPeer.size();
    }

    /** Permissions the table holds, expired ones included, when the allocation last swept. */
    int installed() {
        return byPeer.size();
    }

    /** Removes expired permissions. */
    void sweep(long nowNanos) {
        for (Iterator<Permission> it = byPeer.values().iterator(); it.hasNext(); ) {
            if (!it.next().isLive(nowNanos)) {
                it.remove();
                active.decrement();
            }
        }
    }

    /** Removes every permission (the allocation is gone). */
    void clear() {
        active.add(-byPeer.size());
        byPeer.clear();
    }
}
