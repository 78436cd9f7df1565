package io.parkway.turn.protocol;

import static io.parkway.turn.protocol.TestServers.ALICE;
import static io.parkway.turn.protocol.TestServers.ALICE_PASSWORD;
import static io.parkway.turn.protocol.TestServers.LOOPBACK;
import static io.parkway.turn.protocol.TestServers.REALM;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parkway.turn.ListenAddress;
import io.parkway.turn.TurnServer;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The peer policy as a client meets it on a server with the defaults (no allow list): CreatePermission and ChannelBind
 * for private, loopback and metadata addresses are 403 (RFC 8656 section 21.3,
 * https://datatracker.ietf.org/doc/html/rfc8656#section-21.3), and nothing is ever sent to them.
 */
class PeerPolicyServerTest {
    private static TurnServer server;

    @BeforeAll
    static void startServer() {
        server = TestServers.start(TurnServer.builder()
                .realm(REALM)
                .listen(ListenAddress.parse("udp://127.0.0.1:0"))
                .relayAddress(LOOPBACK)
                .user(ALICE, ALICE_PASSWORD)
                .restSecrets(List.of(TestServers.REST_SECRET)));
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    private static TestTurnClient client() {
        return TestServers.alice(server);
    }

    @ParameterizedTest
    @ValueSource(strings = {"10.0.0.1", "127.0.0.1", "169.254.169.254", "192.168.1.1", "100.64.0.1", "0.0.0.1"})
    void createPermissionForADeniedPeerIs403(String ip) {
        try (TestTurnClient client = client()) {
            client.allocateOrFail();
            long denied = server.stats().peerDenied();

            StunPacket response = client.createPermission(TestServers.socketAddress(ip, 3478));

            assertEquals(403, response.errorCode(), response::toString);
            assertTrue(client.verifies(response));
            assertEquals(denied + 1, server.stats().peerDenied());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"10.0.0.1", "127.0.0.1", "169.254.169.254"})
    void channelBindToADeniedPeerIs403(String ip) {
        try (TestTurnClient client = client()) {
            client.allocateOrFail();

            StunPacket response = client.channelBind(0x4000, TestServers.socketAddress(ip, 3478));

            assertEquals(403, response.errorCode(), response::toString);
            assertTrue(client.verifies(response));
        }
    }

    /** RFC 8656 section 9.2: all or none; one denied address refuses the whole request. */
    @Test
    void oneDeniedAddressRefusesTheWholeRequest() {
        try (TestTurnClient client = client()) {
            client.allocateOrFail();

            StunPacket response = client.createPermission(TestServers.socketAddress("10.0.0.1", 1),
                    TestServers.socketAddress("127.0.0.1", 2));

            assertEquals(403, response.errorCode(), response::toString);
        }
    }

    /**
     * A peer really listening on loopback: every way to reach it is refused, and it receives nothing; nothing is
     * relayed anywhere.
     */
    @Test
    void nothingIsSentToADeniedPeer() {
        try (TestTurnClient client = client(); TestPeer peer = TestPeer.open()) {
            client.allocateOrFail();
            InetSocketAddress target = peer.address();
            long unroutable = server.stats().unroutableDropped();
            long denied = server.stats().peerDenied();

            assertEquals(403, client.createPermission(target).errorCode());
            assertEquals(403, client.channelBind(0x4000, target).errorCode());
            client.sendIndication(target, new byte[] {1, 2, 3});
            client.sendChannelData(0x4000, new byte[] {4, 5, 6});

            // The Send indication is refused by the policy; the ChannelData has no channel to travel on.
            await().atMost(Duration.ofSeconds(3)).until(() -> server.stats().unroutableDropped() >= unroutable + 1
                    && server.stats().peerDenied() >= denied + 3);
            peer.assertNothingReceived();
            assertEquals(0, server.stats().relayedPacketsToPeer());
        }
    }

    /** The relay's own address is no peer either: data sent to the relay from loopback has no permission to match. */
    @Test
    void loopbackPeerCannotReachTheClient() {
        try (TestTurnClient client = client(); TestPeer peer = TestPeer.open()) {
            client.allocateOrFail();
            assertEquals(403, client.createPermission(peer.address()).errorCode());

            peer.send(new byte[] {7}, client.relaySocketAddress());

            client.assertNothingReceived();
            assertEquals(0, server.stats().relayedPacketsToClient());
        }
    }
}
