package io.parkway.turn.protocol;

import static io.parkway.turn.protocol.TestServers.ALICE;
import static io.parkway.turn.protocol.TestServers.ALICE_PASSWORD;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parkway.stun.StunAttribute;
import io.parkway.stun.StunClass;
import io.parkway.stun.StunMethod;
import io.parkway.stun.TransactionId;
import io.parkway.turn.TurnServer;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * TURN over TCP between client and server (RFC 8656 sections 3.1 and 12.5,
 * https://datatracker.ietf.org/doc/html/rfc8656#section-12.5): STUN and ChannelData framed on one stream, ChannelData
 * padded to a multiple of 4 bytes, and the allocation tied to the connection.
 */
class TcpClientTest {
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

    /** Every test closes its connections, and so deletes its allocations. */
    @AfterEach
    void allocationsEndWithTheirConnections() {
        await().atMost(Duration.ofSeconds(3)).until(() -> server.stats().allocationsActive() == 0);
    }

    private static TestTurnClient client() {
        return TestTurnClient.tcp(TestServers.tcp(server)).credentials(ALICE, ALICE_PASSWORD);
    }

    @Test
    void allocateOverTcp() {
        try (TestTurnClient client = client()) {
            StunPacket response = client.allocate();

            assertTrue(response.isSuccess(), response::toString);
            assertTrue(client.verifies(response));
            assertEquals(client.localAddress(), response.address(StunAttribute.XOR_MAPPED_ADDRESS));
            InetSocketAddress relayed = response.address(StunAttribute.XOR_RELAYED_ADDRESS);
            assertEquals(TestServers.LOOPBACK, relayed.getAddress());
        }
    }

    /**
     * RFC 8656 section 12.5: over TCP the server pads ChannelData to a multiple of 4 bytes (a 5-byte payload takes 8
     * on the stream), and reads the client's padded ChannelData, STUN right after it included.
     */
    @Test
    void channelDataIsPaddedOnTheStream() {
        try (TestTurnClient client = client(); TestPeer peer = TestPeer.open()) {
            client.allocateOrFail();
            client.channelBindOrFail(0x4000, peer.address());

            byte[] five = {1, 2, 3, 4, 5};
            byte[] three = {6, 7, 8};
            peer.send(five, client.relaySocketAddress());
            peer.send(three, client.relaySocketAddress());

            ChannelDataPacket first = client.receiveChannelData();
            assertEquals(0x4000, first.channel());
            assertArrayEquals(five, first.data());
            assertEquals(4 + 8, first.wireLength());
            ChannelDataPacket second = client.receiveChannelData();
            assertArrayEquals(three, second.data());
            assertEquals(4 + 4, second.wireLength());

            // Two padded ChannelData messages and a Refresh in one write: the server must skip the padding.
            ByteArrayOutputStream stream = new ByteArrayOutputStream();
            stream.writeBytes(TestTurnClient.channelData(0x4000, five, true));
            stream.writeBytes(TestTurnClient.channelData(0x4000, three, true));
            TransactionId refresh = TransactionId.random();
            stream.writeBytes(client.encode(StunMethod.REFRESH, StunClass.REQUEST, refresh,
                    w -> w.uint32(StunAttribute.LIFETIME, 600), true));
            client.sendRaw(stream.toByteArray());

            assertArrayEquals(five, peer.receive().data());
            assertArrayEquals(three, peer.receive().data());
            StunPacket refreshed = client.awaitResponse(refresh);
            assertTrue(refreshed.isSuccess(), refreshed::toString);
        }
    }

    @Test
    void channelDataOfEveryLengthModuloFourOverTcp() {
        try (TestTurnClient client = client(); TestPeer peer = TestPeer.open()) {
            client.allocateOrFail();
            client.channelBindOrFail(0x4001, peer.address());

            for (int length : new int[] {1, 2, 3, 4, 5, 6, 7, 8, 99}) {
                byte[] up = TestServers.payload(length, length);
                client.sendChannelData(0x4001, up);
                assertArrayEquals(up, peer.receive().data(), "client to peer, " + length + " bytes");

                byte[] down = TestServers.payload(length, 100 + length);
                peer.send(down, client.relaySocketAddress());
                ChannelDataPacket received = client.receiveChannelData();
                assertArrayEquals(down, received.data(), "peer to client, " + length + " bytes");
                assertEquals(0, received.wireLength() % 4);
            }
        }
    }

    @Test
    void sendAndDataIndicationsOverTcp() {
        try (TestTurnClient client = client(); TestPeer peer = TestPeer.open()) {
            client.allocateOrFail();
            client.createPermissionOrFail(peer.address());

            byte[] up = TestServers.payload(13, 1);
            client.sendIndication(peer.address(), up);
            assertArrayEquals(up, peer.receive().data());

            byte[] down = TestServers.payload(13, 2);
            peer.send(down, client.relaySocketAddress());
            StunPacket indication = client.receiveDataIndication();
            assertEquals(peer.address(), indication.address(StunAttribute.XOR_PEER_ADDRESS));
            assertArrayEquals(down, indication.bytes(StunAttribute.DATA));
        }
    }

    /** RFC 8656 section 3.1: over TCP the allocation lives as long as the connection. */
    @Test
    void closingTheConnectionDeletesTheAllocation() {
        TestTurnClient client = client();
        try (TestPeer peer = TestPeer.open()) {
            client.allocateOrFail();
            client.createPermissionOrFail(peer.address());
            InetSocketAddress relay = client.relaySocketAddress();
            await().atMost(Duration.ofSeconds(3)).until(() -> server.stats().allocationsActive() == 1);

            client.close();

            await().atMost(Duration.ofSeconds(3)).until(() -> server.stats().allocationsActive() == 0);
            long relayed = server.stats().relayedPacketsToClient();
            peer.send(new byte[] {1}, relay);
            peer.assertNothingReceived();
            assertEquals(relayed, server.stats().relayedPacketsToClient());
        } finally {
            client.close();
        }
    }

    /** Deleting the allocation with Refresh 0 frees the connection's 5-tuple for a new Allocate. */
    @Test
    void refreshZeroThenAllocateAgainOnTheSameConnection() {
        try (TestTurnClient client = client()) {
            InetSocketAddress first = client.allocateOrFail();

            assertTrue(client.refresh(0).isSuccess());
            await().atMost(Duration.ofSeconds(3)).until(() -> server.stats().allocationsActive() == 0);
            InetSocketAddress second = client.allocateOrFail();

            assertEquals(TestServers.LOOPBACK, second.getAddress());
            assertEquals(1, server.stats().allocationsActive());
            assertTrue(first.getPort() > 0);
        }
    }

    /** A stream that is neither STUN nor ChannelData cannot be reframed: counted, and the connection closed. */
    @Test
    void garbageOnTheStreamClosesTheConnection() {
        try (TestTurnClient client = client()) {
            client.allocateOrFail();
            long malformed = server.stats().malformedDropped();

            client.sendRaw(new byte[] {(byte) 0xff, (byte) 0xff, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8});

            client.awaitClosedByServer();
            await().atMost(Duration.ofSeconds(3)).until(() -> server.stats().malformedDropped() > malformed);
        }
    }

    @Test
    void bindingOverTcp() {
        try (TestTurnClient client = client()) {
            StunPacket response = client.binding();

            assertTrue(response.isSuccess(), response::toString);
            assertEquals(client.localAddress(), response.address(StunAttribute.XOR_MAPPED_ADDRESS));
            assertTrue(response.hasFingerprint());
        }
    }

    @Test
    void requestsSplitAcrossWritesAreReassembled() {
        try (TestTurnClient client = client()) {
            TransactionId id = TransactionId.random();
            byte[] request = client.encode(StunMethod.BINDING, StunClass.REQUEST, id, w -> { }, false);
            for (byte b : request) {
                client.sendRaw(new byte[] {b});
            }

            Object response = client.awaitResponse(id);
            assertInstanceOf(StunPacket.class, response);
        }
    }
}
