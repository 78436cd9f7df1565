package io.parkway.turn.protocol;

import static io.parkway.turn.protocol.TestServers.alice;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parkway.stun.ChannelData;
import io.parkway.stun.StunAttribute;
import io.parkway.turn.TurnServer;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Relaying over UDP: Send and Data indications (RFC 8656 sections 10 and 11,
 * https://datatracker.ietf.org/doc/html/rfc8656#section-10) and ChannelData (section 12).
 */
class DataPathTest {
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

    /** RFC 8656 section 10.2: the DATA of a Send indication leaves the relayed address as one datagram. */
    @Test
    void sendIndicationReachesThePeer() {
        try (TestTurnClient client = alice(server); TestPeer peer = TestPeer.open()) {
            client.allocateOrFail();
            client.createPermissionOrFail(peer.address());
            long toPeer = server.stats().relayedPacketsToPeer();

            byte[] data = TestServers.payload(1000, 21);
            client.sendIndication(peer.address(), data);

            TestPeer.Datagram datagram = peer.receive();
            assertArrayEquals(data, datagram.data());
            assertEquals(client.relaySocketAddress(), datagram.sender());
            assertEquals(toPeer + 1, server.stats().relayedPacketsToPeer());
        }
    }

    /** RFC 8656 section 11.3: without a channel, peer data arrives as a Data indication. */
    @Test
    void peerDataArrivesAsDataIndication() {
        try (TestTurnClient client = alice(server); TestPeer peer = TestPeer.open()) {
            client.allocateOrFail();
            client.createPermissionOrFail(peer.address());

            byte[] data = TestServers.payload(7, 22);
            peer.send(data, client.relaySocketAddress());

            StunPacket indication = client.receiveDataIndication();
            assertEquals(peer.address(), indication.address(StunAttribute.XOR_PEER_ADDRESS));
            assertArrayEquals(data, indication.bytes(StunAttribute.DATA));
            assertTrue(indication.has(StunAttribute.DATA));
        }
    }

    /** RFC 8656 section 10.2: a Send indication to a peer without a permission is dropped. */
    @Test
    void sendIndicationWithoutPermissionIsDropped() {
        try (TestTurnClient client = alice(server); TestPeer peer = TestPeer.open()) {
            client.allocateOrFail();
            long unroutable = server.stats().unroutableDropped();

            client.sendIndication(peer.address(), new byte[] {1, 2, 3});

            await().atMost(Duration.ofSeconds(3)).until(() -> server.stats().unroutableDropped() > unroutable);
            peer.assertNothingReceived();
        }
    }

    /** RFC 8489 section 6.3.2: an indication with an unknown comprehension-required attribute is discarded. */
    @Test
    void sendIndicationWithUnknownComprehensionRequiredAttributeIsDiscarded() {
        try (TestTurnClient client = alice(server); TestPeer peer = TestPeer.open()) {
            client.allocateOrFail();
            client.createPermissionOrFail(peer.address());

            client.sendIndication(w -> w
                    .address(StunAttribute.XOR_PEER_ADDRESS, peer.address())
                    .bytes(StunAttribute.DATA, new byte[] {1, 2, 3})
                    .bytes(0x7777, new byte[4]));

            peer.assertNothingReceived();
            client.sendIndication(peer.address(), new byte[] {4});
            assertArrayEquals(new byte[] {4}, peer.receive().data());
        }
    }

    /** RFC 8656 section 12.4: ChannelData of every length modulo 4 relays exactly, both ways, over UDP. */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 5})
    void channelDataWithOddLengthsOverUdp(int length) {
        try (TestTurnClient client = alice(server); TestPeer peer = TestPeer.open()) {
            client.allocateOrFail();
            client.channelBindOrFail(0x4100, peer.address());

            byte[] up = TestServers.payload(length, 40 + length);
            client.sendChannelData(0x4100, up);
            assertArrayEquals(up, peer.receive().data());

            byte[] down = TestServers.payload(length, 50 + length);
            peer.send(down, client.relaySocketAddress());
            ChannelDataPacket received = client.receiveChannelData();
            assertEquals(0x4100, received.channel());
            assertArrayEquals(down, received.data());
            assertTrue(received.wireLength() >= ChannelData.HEADER_LENGTH + length
                    && received.wireLength() <= ChannelData.HEADER_LENGTH + ChannelData.paddedLength(length),
                    "datagram of " + received.wireLength() + " bytes");
        }
    }

    /** RFC 8656 section 12.5: over UDP a ChannelData datagram may carry padding, which is not data. */
    @Test
    void paddedChannelDataOverUdpRelaysOnlyTheData() {
        try (TestTurnClient client = alice(server); TestPeer peer = TestPeer.open()) {
            client.allocateOrFail();
            client.channelBindOrFail(0x4101, peer.address());

            byte[] data = {1, 2, 3, 4, 5};
            client.sendRaw(TestTurnClient.channelData(0x4101, data, true));

            assertArrayEquals(data, peer.receive().data());
        }
    }

    @Test
    void manyDatagramsKeepTheirBoundaries() {
        try (TestTurnClient client = alice(server); TestPeer peer = TestPeer.open()) {
            client.allocateOrFail();
            client.channelBindOrFail(0x4102, peer.address());

            for (int i = 1; i <= 20; i++) {
                client.sendChannelData(0x4102, TestServers.payload(i, i));
            }
            for (int i = 1; i <= 20; i++) {
                assertArrayEquals(TestServers.payload(i, i), peer.receive().data(), "datagram " + i);
            }
        }
    }
}
