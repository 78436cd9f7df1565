package io.parkway.turn.protocol;

import static io.parkway.turn.protocol.TestServers.alice;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parkway.stun.StunAttribute;
import io.parkway.stun.StunMethod;
import io.parkway.turn.TurnServer;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * ChannelBind and ChannelData, RFC 8656 sections 11 and 12 (https://datatracker.ietf.org/doc/html/rfc8656#section-11).
 */
class ChannelBindTest {
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

    @Test
    void lowestChannelNumberBinds() {
        try (TestTurnClient client = alice(server); TestPeer peer = TestPeer.open()) {
            client.allocateOrFail();

            StunPacket response = client.channelBind(0x4000, peer.address());

            assertTrue(response.isSuccess(), response::toString);
            assertTrue(client.verifies(response));
            assertTrue(response.hasFingerprint());
        }
    }

    /** RFC 8656 section 11.2: channel numbers start at 0x4000. */
    @Test
    void channelNumberBelowTheRangeIs400() {
        try (TestTurnClient client = alice(server); TestPeer peer = TestPeer.open()) {
            client.allocateOrFail();

            StunPacket response = client.channelBind(0x3fff, peer.address());

            assertEquals(400, response.errorCode(), response::toString);
            assertTrue(client.verifies(response));
        }
    }

    /** 0x8000 and above start with bits 0b10: never ChannelData (RFC 8656 section 12, RFC 7983). */
    @Test
    void channelNumberAboveTheRangeIs400() {
        try (TestTurnClient client = alice(server); TestPeer peer = TestPeer.open()) {
            client.allocateOrFail();

            StunPacket response = client.channelBind(0x8000, peer.address());

            assertEquals(400, response.errorCode(), response::toString);
        }
    }

    /** RFC 8656 section 11.2: binding the same number to the same peer again refreshes the binding. */
    @Test
    void rebindingTheSameNumberToTheSamePeerRefreshes() {
        try (TestTurnClient client = alice(server); TestPeer peer = TestPeer.open()) {
            client.allocateOrFail();
            client.channelBindOrFail(0x4001, peer.address());

            StunPacket again = client.channelBind(0x4001, peer.address());

            assertTrue(again.isSuccess(), again::toString);
        }
    }

    /** RFC 8656 section 11.2: a number bound to one peer cannot be bound to another: 400. */
    @Test
    void sameNumberToAnotherPeerIs400() {
        try (TestTurnClient client = alice(server);
                TestPeer peer = TestPeer.open();
                TestPeer other = TestPeer.open()) {
            client.allocateOrFail();
            client.channelBindOrFail(0x4002, peer.address());

            StunPacket response = client.channelBind(0x4002, other.address());

            assertEquals(400, response.errorCode(), response::toString);
            assertTrue(client.verifies(response));
        }
    }

    /** RFC 8656 section 11.2: a peer bound to one number cannot be bound to another: 400. */
    @Test
    void samePeerToAnotherNumberIs400() {
        try (TestTurnClient client = alice(server); TestPeer peer = TestPeer.open()) {
            client.allocateOrFail();
            client.channelBindOrFail(0x4003, peer.address());

            StunPacket response = client.channelBind(0x4004, peer.address());

            assertEquals(400, response.errorCode(), response::toString);
        }
    }

    @Test
    void channelBindWithoutPeerAddressIs400() {
        try (TestTurnClient client = alice(server)) {
            client.allocateOrFail();

            StunPacket response = client.request(StunMethod.CHANNEL_BIND,
                    w -> w.uint32(StunAttribute.CHANNEL_NUMBER, 0x4000L << 16));

            assertEquals(400, response.errorCode(), response::toString);
        }
    }

    @Test
    void channelBindWithoutChannelNumberIs400() {
        try (TestTurnClient client = alice(server); TestPeer peer = TestPeer.open()) {
            client.allocateOrFail();

            StunPacket response = client.request(StunMethod.CHANNEL_BIND,
                    w -> w.address(StunAttribute.XOR_PEER_ADDRESS, peer.address()));

            assertEquals(400, response.errorCode(), response::toString);
        }
    }

    @Test
    void channelBindWithoutAllocationIs437() {
        try (TestTurnClient client = alice(server); TestPeer peer = TestPeer.open()) {
            StunPacket response = client.channelBind(0x4000, peer.address());

            assertEquals(437, response.errorCode(), response::toString);
        }
    }

    /**
     * RFC 8656 section 12.4 and 12.5: ChannelData from the client reaches the peer as exactly its data, from the
     * relayed address; the peer's datagrams come back as ChannelData on the bound number.
     */
    @Test
    void channelDataFlowsBothWays() {
        try (TestTurnClient client = alice(server); TestPeer peer = TestPeer.open()) {
            client.allocateOrFail();
            client.channelBindOrFail(0x4abc, peer.address());

            byte[] up = TestServers.payload(160, 11);
            client.sendChannelData(0x4abc, up);
            TestPeer.Datagram atPeer = peer.receive();
            assertArrayEquals(up, atPeer.data());
            assertEquals(client.relaySocketAddress(), atPeer.sender());

            byte[] down = TestServers.payload(160, 12);
            peer.send(down, client.relaySocketAddress());
            ChannelDataPacket atClient = client.receiveChannelData();
            assertEquals(0x4abc, atClient.channel());
            assertArrayEquals(down, atClient.data());
        }
    }

    /**
     * RFC 8656 section 11.2: ChannelBind installs the permission for the peer's IP, so another port of the same IP
     * gets through too (as a Data indication, having no channel).
     */
    @Test
    void channelBindInstallsAPermission() {
        try (TestTurnClient client = alice(server);
                TestPeer bound = TestPeer.open();
                TestPeer sameIp = TestPeer.open()) {
            client.allocateOrFail();
            client.channelBindOrFail(0x4005, bound.address());

            sameIp.send(new byte[] {5, 6, 7}, client.relaySocketAddress());
            StunPacket indication = client.receiveDataIndication();
            assertEquals(sameIp.address(), indication.address(StunAttribute.XOR_PEER_ADDRESS));
            assertArrayEquals(new byte[] {5, 6, 7}, indication.bytes(StunAttribute.DATA));

            bound.send(new byte[] {8}, client.relaySocketAddress());
            ChannelDataPacket channelData = client.receiveChannelData();
            assertEquals(0x4005, channelData.channel());
            assertArrayEquals(new byte[] {8}, channelData.data());
        }
    }

    /** ChannelData on a number that is not bound goes nowhere, and is counted. */
    @Test
    void channelDataOnAnUnboundChannelIsDropped() {
        try (TestTurnClient client = alice(server); TestPeer peer = TestPeer.open()) {
            client.allocateOrFail();
            client.channelBindOrFail(0x4006, peer.address());
            long unroutable = server.stats().unroutableDropped();

            client.sendChannelData(0x4007, new byte[] {1, 2, 3, 4});

            await().atMost(Duration.ofSeconds(3)).until(() -> server.stats().unroutableDropped() > unroutable);
            peer.assertNothingReceived();
        }
    }
}
