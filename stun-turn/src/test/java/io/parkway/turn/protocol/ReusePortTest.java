package io.parkway.turn.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.channel.epoll.Epoll;
import io.parkway.turn.ListenAddress;
import io.parkway.turn.TurnServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A UDP listen address is served by one socket per event loop, bound with {@code SO_REUSEPORT}: the kernel hashes each
 * client to one of them, so clients spread over the loops and each client's allocation stays on one loop.
 */
class ReusePortTest {
    private static final int LOOPS = 4;

    @BeforeAll
    static void nativeTransport() {
        assumeTrue(Epoll.isAvailable(), "SO_REUSEPORT sockets need the native transport");
    }

    @Test
    void oneSocketPerEventLoopAndEveryClientIsRelayed() throws IOException {
        TurnServer server = TestServers.start(TestServers.builder().eventLoopThreads(LOOPS));
        List<TestTurnClient> clients = new ArrayList<>();
        try (TestPeer peer = TestPeer.open()) {
            InetSocketAddress udp = TestServers.udp(server);
            assertEquals(LOOPS, udpSocketsOn(udp.getPort()), "sockets bound to " + udp + " (/proc/net/udp, udp6)");
            assertEquals(1, server.boundAddresses().stream()
                    .filter(a -> a.address().getPort() == udp.getPort()).count(), "reported once");

            // Enough clients (distinct source ports) that the hash reaches more than one socket; each one's
            // request, allocation and relayed data must stay consistent whichever socket it lands on.
            for (int i = 0; i < 16; i++) {
                TestTurnClient client = TestServers.alice(server);
                clients.add(client);
                InetSocketAddress relay = client.allocateOrFail();
                client.channelBindOrFail(0x4000 + i, peer.address());
                byte[] up = TestServers.payload(40 + i, i);
                client.sendChannelData(0x4000 + i, up);
                TestPeer.Datagram got = peer.receive();
                assertArrayEquals(up, got.data());
                assertEquals(client.relaySocketAddress(), got.sender());

                byte[] down = TestServers.payload(60 + i, 100 + i);
                peer.send(down, got.sender());
                ChannelDataPacket back = client.receiveChannelData();
                assertEquals(0x4000 + i, back.channel());
                assertArrayEquals(down, back.data());
                assertTrue(relay.getPort() > 0);
            }
            assertEquals(16, server.stats().allocationsActive());
        } finally {
            clients.forEach(TestTurnClient::close);
            server.close();
        }
    }

    /**
     * Sockets with {@code SO_REUSEPORT} of one user may share a port; a second server on a taken port must still fail
     * to start (and say so) rather than quietly take a share of the first one's clients.
     */
    @Test
    void aSecondServerOnTheSamePortFailsToStart() {
        TurnServer first = TestServers.start(TestServers.builder().eventLoopThreads(LOOPS));
        try {
            InetSocketAddress taken = TestServers.udp(first);
            TurnServer second = TurnServer.builder()
                    .realm(TestServers.REALM)
                    .listen(ListenAddress.parse("udp://127.0.0.1:" + taken.getPort()))
                    .relayAddress(TestServers.LOOPBACK)
                    .user("alice", "x")
                    .eventLoopThreads(LOOPS)
                    .build();
            Exception e = assertThrows(Exception.class, second::start);
            assertTrue(e.getMessage().toLowerCase(Locale.ROOT).contains("in use"), e.getMessage());
            assertEquals(LOOPS, udpSocketsOn(taken.getPort()), "the first server's sockets are untouched");
            second.close();
        } catch (IOException e) {
            throw new AssertionError(e);
        } finally {
            first.close();
        }
    }

    /**
     * Counts the UDP sockets bound to {@code port} on this host, from /proc/net/udp and /proc/net/udp6 (Netty's native
     * sockets are dual-stack IPv6 sockets even when bound to an IPv4 address).
     */
    private static int udpSocketsOn(int port) throws IOException {
        String hexPort = String.format(Locale.ROOT, ":%04X", port);
        int n = 0;
        for (String table : List.of("/proc/net/udp", "/proc/net/udp6")) {
            for (String line : Files.readAllLines(Path.of(table))) {
                String[] fields = line.trim().split("\\s+");
                if (fields.length > 1 && fields[1].endsWith(hexPort)) {
                    n++;
                }
            }
        }
        return n;
    }
}
