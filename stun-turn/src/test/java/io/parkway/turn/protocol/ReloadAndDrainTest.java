package io.parkway.turn.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parkway.stun.StunAttribute;
import io.parkway.stun.StunMethod;
import io.parkway.testing.MutableClock;
import io.parkway.turn.ListenAddress;
import io.parkway.turn.PeerPolicy;
import io.parkway.turn.TurnServer;
import io.parkway.turn.TurnTransport;
import io.parkway.turn.auth.RestCredential;
import io.parkway.turn.auth.RestCredentials;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Reload without loss, secret rotation with and without grace, draining, and the live gauges. */
class ReloadAndDrainTest {

    
    private static TestTurnClient rest(TurnServer server, String secret, String user, MutableClock clock) {
        RestCredential c = RestCredentials.issue(secret, user, Duration.ofHours(1), clock);
        return TestTurnClient.udp(TestServers.udp(server)).credentials(c.username(), c.password());
    }

    @Test
    void rotatedSecretTakesEffectAndTheRunningRelayLosesNothing() {
        MutableClock clock = MutableClock.startingNow();
        TurnServer server = TestServers.start(TestServers.builder(clock).restSecrets(List.of("old")));
        try (TestTurnClient running = rest(server, "old", "speaker", clock); TestPeer peer = TestPeer.open()) {
            running.allocateOrFail();
            running.channelBindOrFail(0x4000, peer.address());

            List<String> restart = server.reload(TestServers.builder(clock).restSecrets(List.of("new")));
            assertEquals(List.of(), restart);

            // The allocation made with the old secret keeps relaying both ways.
            for (int i = 0; i < 20; i++) {
                byte[] up = TestServers.payload(40, i);
                running.sendChannelData(0x4000, up);
                assertArrayEquals(up, peer.receive().data());
            }
            byte[] down = TestServers.payload(30, 99);
            peer.send(down, running.relaySocketAddress());
            assertArrayEquals(down, running.receiveChannelData().data());

            try (TestTurnClient old = rest(server, "old", "late", clock);
                    TestTurnClient fresh = rest(server, "new", "late", clock)) {
                assertEquals(401, old.allocate().errorCode(), "a removed secret is refused at once without grace");
                assertTrue(fresh.allocate().isSuccess());
            }
        } finally {
            server.close();
        }
    }

    @Test
    void removedSecretIsAcceptedDuringTheGrace() {
        MutableClock clock = MutableClock.startingNow();
        TurnServer server = TestServers.start(TestServers.builder(clock).restSecrets(List.of("old")));
        try {
            server.reload(TestServers.builder(clock).restSecrets(List.of("new"))
                    .restSecretGrace(Duration.ofMinutes(5)));
            try (TestTurnClient old = rest(server, "old", "a", clock)) {
                assertTrue(old.allocate().isSuccess(), "within the grace");
            }
            clock.advance(Duration.ofMinutes(6));
            try (TestTurnClient old = rest(server, "old", "b", clock)) {
                assertEquals(401, old.allocate().errorCode(), "after the grace");
            }
        } finally {
            server.close();
        }
    }

    @Test
    void reloadedPeerPolicyAppliesToNewPermissions() {
        TurnServer server = TestServers.start(TestServers.builder());
        try (TestTurnClient client = TestServers.alice(server); TestPeer peer = TestPeer.open()) {
            client.allocateOrFail();
            client.createPermissionOrFail(peer.address());
            server.reload(TestServers.builder().peerPolicy(PeerPolicy.defaults()));
            assertEquals(403, client.createPermission(peer.address()).errorCode());
        } finally {
            server.close();
        }
    }

    @Test
    void settingsThatNeedARestartAreNamed() {
        TurnServer server = TestServers.start(TestServers.builder());
        try {
            List<String> restart = server.reload(TestServers.builder()
                    .listen(ListenAddress.parse("udp://127.0.0.1:0")).relayPorts(50000, 50100).realm("other"));
            assertEquals(List.of("listen", "relay ports", "realm"), restart);
        } finally {
            server.close();
        }
    }

    @Test
    void drainingRefusesNewAllocationsAndKeepsRelaying() {
        TurnServer server = TestServers.start(TestServers.builder());
        try (TestTurnClient running = TestServers.alice(server); TestTurnClient late = TestServers.bob(server);
                TestPeer peer = TestPeer.open()) {
            running.allocateOrFail();
            running.createPermissionOrFail(peer.address());
            assertTrue(server.isReady());

            server.drain();

            assertFalse(server.isReady());
            assertEquals(503, late.allocate().errorCode());
            assertTrue(running.refresh().isSuccess(), "existing allocations can still be refreshed");
            byte[] up = TestServers.payload(25, 7);
            running.sendIndication(peer.address(), up);
            assertArrayEquals(up, peer.receive().data());
        } finally {
            server.close();
        }
    }

    @Test
    void gaugesAndCountersFollowTheSession() {
        TurnServer server = TestServers.start(TestServers.builder());
        try (TestPeer peer = TestPeer.open()) {
            long allocateOk = server.stats().responses(StunMethod.ALLOCATE, true);
            try (TestTurnClient client = TestServers.alice(server)) {
                client.allocateOrFail();
                client.createPermissionOrFail(peer.address(), new InetSocketAddress(peer.address().getAddress(), 1));
                client.channelBindOrFail(0x4000, peer.address());
                assertEquals(1, server.stats().permissionsActive(), "one peer IP");
                assertEquals(1, server.stats().channelsActive());
                client.sendChannelData(0x4000, new byte[] {1, 2, 3});
                peer.receive();
                assertEquals(1, server.stats().relayedPacketsToPeer(TurnTransport.UDP));
                assertEquals(0, server.stats().relayedPacketsToPeer(TurnTransport.TCP));
                assertTrue(client.refresh().isSuccess());
                assertEquals(1, server.stats().allocationsRefreshed());
                assertEquals(allocateOk + 1, server.stats().responses(StunMethod.ALLOCATE, true));
                assertTrue(client.refresh(0).isSuccess());
            }
            assertEquals(0, server.stats().permissionsActive());
            assertEquals(0, server.stats().channelsActive());
            assertEquals(0, server.stats().allocationsActive());
        } finally {
            server.close();
        }
    }
}
