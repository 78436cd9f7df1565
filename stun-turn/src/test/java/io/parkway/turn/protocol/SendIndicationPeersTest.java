package io.parkway.turn.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.parkway.turn.PeerPolicy;
import io.parkway.turn.TurnServer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * Send indications (RFC 8656 section 10.2) reuse the last peer's address and policy verdict per allocation: the
 * reuse must never send to the wrong peer, and a reload that changes the peer policy must apply to the very next
 * Send indication.
 */
class SendIndicationPeersTest {

    @Test
    void alternatingPeersEachGetTheirOwnData() {
        TurnServer server = TestServers.start(TestServers.builder());
        try (TestTurnClient client = TestServers.alice(server); TestPeer a = TestPeer.open();
                TestPeer b = TestPeer.open()) {
            client.allocateOrFail();
            client.createPermissionOrFail(a.address(), b.address());
            for (int i = 0; i < 6; i++) {
                TestPeer to = i % 2 == 0 ? a : b;
                byte[] data = TestServers.payload(30 + i, i);
                client.sendIndication(to.address(), data);
                TestPeer.Datagram got = to.receive();
                assertArrayEquals(data, got.data(), "send " + i);
                assertEquals(client.relaySocketAddress(), got.sender());
            }
            a.assertNothingReceived();
            b.assertNothingReceived();
        } finally {
            server.close();
        }
    }

    @Test
    void aReloadedPolicyAppliesToTheNextSendIndication() {
        TurnServer server = TestServers.start(TestServers.builder());
        try (TestTurnClient client = TestServers.alice(server); TestPeer peer = TestPeer.open()) {
            client.allocateOrFail();
            client.createPermissionOrFail(peer.address());
            byte[] first = TestServers.payload(40, 1);
            client.sendIndication(peer.address(), first);
            assertArrayEquals(first, peer.receive().data());

            // The default policy refuses loopback peers (RFC 8656 section 21.3 advice; IANA special-purpose ranges).
            server.reload(TestServers.builder().peerPolicy(PeerPolicy.defaults()));
            long denied = server.stats().peerDenied();
            client.sendIndication(peer.address(), TestServers.payload(40, 2));
            Awaitility.await().until(() -> server.stats().peerDenied() == denied + 1);
            peer.assertNothingReceived();
        } finally {
            server.close();
        }
    }
}
