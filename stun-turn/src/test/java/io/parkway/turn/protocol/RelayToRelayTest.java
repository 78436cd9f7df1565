package io.parkway.turn.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parkway.stun.StunAttribute;
import io.parkway.stun.StunErrorCode;
import io.parkway.turn.PeerPolicy;
import io.parkway.turn.TurnServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/**
 * Two clients that can only use relay candidates, relaying through the same server: each one's peer is the other's
 * relayed transport address, an address of the server itself. The default peer policy refuses the server's own
 * addresses, except the relayed addresses of live allocations.
 */
class RelayToRelayTest {

    @Test
    void relayToRelayWorksUnderTheDefaultPolicy() {
        TurnServer server = TestServers.start(TestServers.builder().peerPolicy(PeerPolicy.defaults()));
        try (TestTurnClient speaker = TestServers.alice(server); TestTurnClient listener = TestServers.bob(server)) {
            InetSocketAddress speakerRelay = speaker.allocateOrFail();
            InetSocketAddress listenerRelay = listener.allocateOrFail();
            assertEquals(TestServers.LOOPBACK, speakerRelay.getAddress());

            speaker.channelBindOrFail(0x4001, listenerRelay);
            listener.createPermissionOrFail(speakerRelay);

            byte[] up = TestServers.payload(33, 1);
            speaker.sendChannelData(0x4001, up);
            StunPacket data = listener.receiveDataIndication();
            assertArrayEquals(up, data.bytes(StunAttribute.DATA));
            assertEquals(speakerRelay, data.address(StunAttribute.XOR_PEER_ADDRESS));

            byte[] down = TestServers.payload(17, 2);
            listener.sendIndication(speakerRelay, down);
            ChannelDataPacket back = speaker.receiveChannelData();
            assertEquals(0x4001, back.channel());
            assertArrayEquals(down, back.data());
        } finally {
            server.close();
        }
    }

    @Test
    void otherPortsOfTheServerStayRefused() {
        TurnServer server = TestServers.start(TestServers.builder().peerPolicy(PeerPolicy.defaults()));
        try (TestTurnClient client = TestServers.alice(server)) {
            client.allocateOrFail();
            InetSocketAddress listenerPort = TestServers.udp(server); // the server's own STUN port, not a relay
            StunPacket refused = client.createPermission(listenerPort);
            assertEquals(StunErrorCode.FORBIDDEN, refused.errorCode(), refused::toString);
            StunPacket channel = client.channelBind(0x4002, listenerPort);
            assertEquals(StunErrorCode.FORBIDDEN, channel.errorCode(), channel::toString);
        } finally {
            server.close();
        }
    }

    @Test
    void relayToRelayByExternalAddressStaysInsideTheHost() {
        InetAddress external = TestServers.address(203, 0, 113, 9);
        TurnServer server = TestServers.start(
                TestServers.builder().peerPolicy(PeerPolicy.defaults()).externalAddress(external));
        try (TestTurnClient speaker = TestServers.alice(server); TestTurnClient listener = TestServers.bob(server)) {
            InetSocketAddress speakerRelay = speaker.allocateOrFail();
            InetSocketAddress listenerRelay = listener.allocateOrFail();
            assertEquals(external, listenerRelay.getAddress());

            // Named by the external address (as ICE does), delivered to the local relay socket: nothing is sent
            // to 203.0.113.9, which is not on this machine.
            speaker.createPermissionOrFail(listenerRelay);
            listener.createPermissionOrFail(speakerRelay);
            byte[] up = TestServers.payload(21, 3);
            speaker.sendIndication(listenerRelay, up);
            StunPacket data = listener.receiveDataIndication();
            assertArrayEquals(up, data.bytes(StunAttribute.DATA));
            assertEquals(speakerRelay, data.address(StunAttribute.XOR_PEER_ADDRESS),
                    "the sender is shown by its advertised address");
            assertTrue(server.stats().relayedPacketsToClient() > 0);
        } finally {
            server.close();
        }
    }
}
