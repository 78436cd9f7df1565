package io.parkway.turn.protocol;

import static io.parkway.turn.protocol.TestServers.alice;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parkway.stun.StunAttribute;
import io.parkway.stun.StunMethod;
import io.parkway.turn.TurnServer;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** CreatePermission and the permission check, RFC 8656 section 9 (https://datatracker.ietf.org/doc/html/rfc8656#section-9). */
class PermissionTest {
    private static TurnServer server;

    @BeforeAll
    static void startServer() {
        server = TestServers.start(TestServers.builder());
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    /** RFC 8656 section 9: a permission is for an IP address; the peer's port does not matter. */
    @Test
    void permissionAdmitsThePeerIpFromAnyPort() {
        try (TestTurnClient client = alice(server);
                TestPeer named = TestPeer.open();
                TestPeer otherPort = TestPeer.open()) {
            client.allocateOrFail();

            StunPacket response = client.createPermission(named.address());
            assertTrue(response.isSuccess(), response::toString);
            assertTrue(client.verifies(response));

            byte[] data = TestServers.payload(33, 1);
            otherPort.send(data, client.relaySocketAddress());
            StunPacket indication = client.receiveDataIndication();
            assertEquals(otherPort.address(), indication.address(StunAttribute.XOR_PEER_ADDRESS));
            assertArrayEquals(data, indication.bytes(StunAttribute.DATA));
        }
    }

    /** RFC 8656 section 9.3: data from a peer without a permission is dropped, and counted. */
    @Test
    void peerDataBeforeThePermissionIsDropped() {
        try (TestTurnClient client = alice(server); TestPeer peer = TestPeer.open()) {
            client.allocateOrFail();
            long unroutable = server.stats().unroutableDropped();

            peer.send(TestServers.payload(10, 2), client.relaySocketAddress());

            await().atMost(Duration.ofSeconds(3)).until(() -> server.stats().unroutableDropped() > unroutable);
            client.assertNothingReceived();

            client.createPermissionOrFail(peer.address());
            byte[] data = TestServers.payload(10, 3);
            peer.send(data, client.relaySocketAddress());
            assertArrayEquals(data, client.receiveDataIndication().bytes(StunAttribute.DATA));
        }
    }

    /** RFC 8656 section 9.2: one CreatePermission may carry several XOR-PEER-ADDRESS attributes. */
    @Test
    void severalPeerAddressesInOneRequest() {
        try (TestTurnClient client = alice(server);
                TestPeer first = TestPeer.on("127.0.0.2");
                TestPeer second = TestPeer.on("127.0.0.3");
                TestPeer stranger = TestPeer.on("127.0.0.4")) {
            client.allocateOrFail();

            StunPacket response = client.createPermission(first.address(), second.address());
            assertTrue(response.isSuccess(), response::toString);

            first.send(new byte[] {1}, client.relaySocketAddress());
            second.send(new byte[] {2}, client.relaySocketAddress());
            Map<InetSocketAddress, Byte> received = new HashMap<>();
            for (int i = 0; i < 2; i++) {
                StunPacket indication = client.receiveDataIndication();
                received.put(indication.address(StunAttribute.XOR_PEER_ADDRESS),
                        indication.bytes(StunAttribute.DATA)[0]);
            }
            assertEquals(Map.of(first.address(), (byte) 1, second.address(), (byte) 2), received);

            stranger.send(new byte[] {3}, client.relaySocketAddress());
            client.assertNothingReceived();
        }
    }

    @Test
    void createPermissionWithoutAllocationIs437() {
        try (TestTurnClient client = alice(server); TestPeer peer = TestPeer.open()) {
            StunPacket response = client.createPermission(peer.address());

            assertEquals(437, response.errorCode(), response::toString);
            assertTrue(client.verifies(response));
        }
    }

    /** RFC 8656 section 9.2: at least one XOR-PEER-ADDRESS is required. */
    @Test
    void createPermissionWithoutPeerAddressIs400() {
        try (TestTurnClient client = alice(server)) {
            client.allocateOrFail();

            StunPacket response = client.request(StunMethod.CREATE_PERMISSION, w -> { });

            assertEquals(400, response.errorCode(), response::toString);
        }
    }

    /** RFC 8656 section 9.2: a peer of another address family than the relayed address is 443. */
    @Test
    void ipv6PeerOnAnIpv4RelayIs443() {
        try (TestTurnClient client = alice(server)) {
            client.allocateOrFail();

            StunPacket response = client.createPermission(TestServers.socketAddress("::1", 5000));

            assertEquals(443, response.errorCode(), response::toString);
            assertTrue(client.verifies(response));
        }
    }

    /** RFC 8656 section 9.2: refreshing a permission is another CreatePermission for the same address. */
    @Test
    void repeatedCreatePermissionSucceeds() {
        try (TestTurnClient client = alice(server); TestPeer peer = TestPeer.open()) {
            client.allocateOrFail();

            client.createPermissionOrFail(peer.address());
            client.createPermissionOrFail(peer.address());

            peer.send(new byte[] {9}, client.relaySocketAddress());
            assertArrayEquals(new byte[] {9}, client.receiveDataIndication().bytes(StunAttribute.DATA));
        }
    }
}
