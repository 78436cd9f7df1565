package io.parkway.turn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link PermissionTable} and {@link ChannelTable} keep a few entries in arrays and switch to maps when they outgrow
 * them; lookups, refreshes, conflicts, expiry and the server-wide gauges must be the same on both sides of the switch.
 */
class BindingTablesTest {
    private static final long MINUTE = 60_000_000_000L;

    @ParameterizedTest
    @ValueSource(ints = {1, 3, PermissionTable.SMALL, PermissionTable.SMALL + 1, 40})
    void permissionsAdmitTheirPeersUntilTheyExpire(int peers) {
        LongAdder gauge = new LongAdder();
        PermissionTable table = new PermissionTable(gauge);
        long t0 = 1_000 * MINUTE;
        for (int i = 0; i < peers; i++) {
            table.install(ip(10, 0, i / 250, i % 250 + 1), t0 + i);
        }
        table.install(ip(10, 0, 0, 1), t0 + 3 * MINUTE); // a refresh, not a new permission
        assertEquals(peers, table.installed());
        assertEquals(peers, gauge.sum());
        for (int i = 0; i < peers; i++) {
            assertTrue(table.permits(ip(10, 0, i / 250, i % 250 + 1), t0 + MINUTE), "peer " + i);
        }
        assertFalse(table.permits(ip(10, 9, 9, 9), t0 + MINUTE));

        // RFC 8656 section 9: 300 s; only the refreshed one lives on, and a sweep gives the others back.
        long later = t0 + 6 * MINUTE;
        assertFalse(table.permits(ip(10, 0, peers > 1 ? 0 : 9, 2), later));
        assertTrue(table.permits(ip(10, 0, 0, 1), later));
        assertEquals(1, table.size(later));
        assertEquals(1, gauge.sum());
        table.clear();
        assertEquals(0, gauge.sum());
        assertFalse(table.permits(ip(10, 0, 0, 1), later));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, ChannelTable.SMALL, ChannelTable.SMALL + 1, 40})
    void channelsAreFoundBothWaysAndConflictsRefused(int channels) {
        LongAdder gauge = new LongAdder();
        ChannelTable table = new ChannelTable(gauge);
        long t0 = 1_000 * MINUTE;
        for (int i = 0; i < channels; i++) {
            assertEquals(ChannelTable.BindResult.BOUND, table.bind(0x4000 + i, peer(i), t0));
        }
        assertEquals(channels, table.size());
        assertEquals(channels, gauge.sum());
        for (int i = 0; i < channels; i++) {
            ChannelBinding byNumber = table.byNumber(0x4000 + i, t0 + MINUTE);
            assertNotNull(byNumber, "channel " + i);
            assertEquals(peer(i), byNumber.peer);
            assertSame(byNumber, table.byPeer(peer(i), t0 + MINUTE));
        }
        assertNull(table.byNumber(0x7000, t0));
        assertNull(table.byPeer(peer(999), t0));

        assertEquals(ChannelTable.BindResult.REFRESHED, table.bind(0x4000, peer(0), t0 + 9 * MINUTE));
        assertEquals(ChannelTable.BindResult.NUMBER_IN_USE, table.bind(0x4000, peer(999), t0));
        if (channels > 1) {
            assertEquals(ChannelTable.BindResult.PEER_IN_USE, table.bind(0x7000, peer(1), t0));
        }

        // RFC 8656 section 12: 600 s, then 300 s in which neither number nor peer may be rebound elsewhere.
        long expired = t0 + 11 * MINUTE;
        assertNotNull(table.byNumber(0x4000, expired), "refreshed at 9 min");
        if (channels > 1) {
            assertNull(table.byNumber(0x4001, expired));
            assertEquals(ChannelTable.BindResult.NUMBER_IN_USE, table.bind(0x4001, peer(999), expired));
        }
        long afterCooldown = t0 + 16 * MINUTE;
        table.sweep(afterCooldown);
        assertEquals(1, table.size());
        assertEquals(1, gauge.sum());
        if (channels > 1) {
            assertEquals(ChannelTable.BindResult.BOUND, table.bind(0x4001, peer(999), afterCooldown));
            assertEquals(2, gauge.sum());
        }
        table.clear();
        assertEquals(0, gauge.sum());
        assertNull(table.byNumber(0x4000, afterCooldown));
    }

    private static InetSocketAddress peer(int i) {
        return new InetSocketAddress(ip(192, 0, 2, 1 + i % 200), 5000 + i);
    }

    private static InetAddress ip(int a, int b, int c, int d) {
        try {
            return InetAddress.getByAddress(new byte[] {(byte) a, (byte) b, (byte) c, (byte) d});
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
