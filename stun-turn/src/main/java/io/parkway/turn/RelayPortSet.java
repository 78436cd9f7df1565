package io.parkway.turn;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The relay ports this server currently has allocations on, as a lock-free bit set over 0-65535 (8 KiB). Lets the
 * peer policy tell "another allocation on this server" from "some other service on this host" without boxing.
 */
final class RelayPortSet {
    private final AtomicLongArray bits = new AtomicLongArray(65536 / 64);

    void add(int port) {
        long mask = 1L << (port & 63);
        bits.getAndAccumulate(port >>> 6, mask, (old, m) -> old | m);
    }

    void remove(int port) {
        long mask = 1L << (port & 63);
        bits.getAndAccumulate(port >>> 6, mask, (old, m) -> old & ~m);
    }

    boolean contains(int port) {
        return port >= 0 && port <= 65535 && (bits.get(port >>> 6) & (1L << (port & 63))) != 0;
    }
}
