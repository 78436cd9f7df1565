package io.parkway.turn.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parkway.stun.StunAttribute;
import io.parkway.turn.TurnServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A server behind 1:1 NAT (a cloud VPS): XOR-RELAYED-ADDRESS advertises the external address while the relay socket
 * binds the local one.
 */
class ExternalAddressTest {
    private static final InetAddress EXTERNAL = TestServers.address(203, 0, 113, 7);

    private static TurnServer server;

    @BeforeAll
    static void startServer() {
        server = TestServers.start(TestServers.builder().externalAddress(EXTERNAL));
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void relayedAddressCarriesTheExternalAddress() {
        try (TestTurnClient client = TestServers.alice(server); TestPeer peer = TestPeer.open()) {
            StunPacket response = client.allocate();
            assertTrue(response.isSuccess(), response::toString);
            InetSocketAddress relayed = response.address(StunAttribute.XOR_RELAYED_ADDRESS);
            assertEquals(EXTERNAL, relayed.getAddress());
            assertEquals(client.localAddress(), response.address(StunAttribute.XOR_MAPPED_ADDRESS),
                    "the mapped address is the client's, not translated");

            // The socket really listens on 127.0.0.1 at the advertised port.
            client.createPermissionOrFail(peer.address());
            byte[] down = TestServers.payload(12, 3);
            peer.send(down, new InetSocketAddress(TestServers.LOOPBACK, relayed.getPort()));
            StunPacket indication = client.receiveDataIndication();
            assertArrayEquals(down, indication.bytes(StunAttribute.DATA));
            assertEquals(peer.address(), indication.address(StunAttribute.XOR_PEER_ADDRESS));

            byte[] up = TestServers.payload(12, 4);
            client.sendIndication(peer.address(), up);
            TestPeer.Datagram datagram = peer.receive();
            assertArrayEquals(up, datagram.data());
            assertEquals(new InetSocketAddress(TestServers.LOOPBACK, relayed.getPort()), datagram.sender());
        }
    }

    /** The external address is the relay's own: not a permitted peer, unless the allow list says so. */
    @Test
    void externalAddressIsNotAPeerByDefault() {
        try (TurnServer defaults = TestServers.start(TestServers.builder()
                        .peerPolicy(io.parkway.turn.PeerPolicy.defaults())
                        .externalAddress(TestServers.address(8, 8, 4, 4)));
                TestTurnClient client = TestServers.alice(defaults)) {
            client.allocateOrFail();

            StunPacket response = client.createPermission(new InetSocketAddress(TestServers.address(8, 8, 4, 4), 1));

            assertEquals(403, response.errorCode(), response::toString);
        }
    }
}
