package io.parkway.turn.protocol;

import static io.parkway.turn.protocol.TestServers.ALICE;
import static io.parkway.turn.protocol.TestServers.ALICE_PASSWORD;
import static io.parkway.turn.protocol.TestServers.BOB;
import static io.parkway.turn.protocol.TestServers.BOB_PASSWORD;
import static io.parkway.turn.protocol.TestServers.alice;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parkway.stun.StunAttribute;
import io.parkway.turn.TurnServer;
import io.parkway.turn.auth.LongTermKey;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The Refresh request, RFC 8656 section 8 (https://datatracker.ietf.org/doc/html/rfc8656#section-8). */
class RefreshTest {
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
    void refreshExtendsTheLifetime() {
        try (TestTurnClient client = alice(server)) {
            client.allocateOrFail();

            StunPacket extended = client.refresh(1200);

            assertTrue(extended.isSuccess(), extended::toString);
            assertEquals(1200, extended.uint32(StunAttribute.LIFETIME));
            assertTrue(client.verifies(extended));
            assertTrue(extended.hasFingerprint());
        }
    }

    @Test
    void refreshIsCappedAtTheMaximum() {
        try (TestTurnClient client = alice(server)) {
            client.allocateOrFail();

            assertEquals(3600, client.refresh(99999).uint32(StunAttribute.LIFETIME));
        }
    }

    @Test
    void refreshWithoutLifetimeGetsTheDefault() {
        try (TestTurnClient client = alice(server)) {
            client.allocate(w -> w.uint32(StunAttribute.LIFETIME, 3000));

            StunPacket refreshed = client.refresh();

            assertTrue(refreshed.isSuccess(), refreshed::toString);
            assertEquals(600, refreshed.uint32(StunAttribute.LIFETIME));
        }
    }

    /**
     * RFC 8656 section 8: the desired lifetime is min(requested, maximum), but never below the default lifetime; as
     * for Allocate (section 7.2).
     */
    @Test
    void refreshBelowTheDefaultGetsTheDefault() {
        try (TestTurnClient client = alice(server)) {
            client.allocateOrFail();

            StunPacket refreshed = client.refresh(30);

            assertTrue(refreshed.isSuccess(), refreshed::toString);
            assertEquals(600, refreshed.uint32(StunAttribute.LIFETIME));
        }
    }

    /** RFC 8656 section 8: LIFETIME 0 deletes the allocation; later requests on the 5-tuple get 437. */
    @Test
    void lifetimeZeroDeletesTheAllocation() {
        try (TestTurnClient client = alice(server); TestPeer peer = TestPeer.open()) {
            long deleted = server.stats().allocationsDeleted();
            client.allocateOrFail();
            long active = server.stats().allocationsActive();

            StunPacket response = client.refresh(0);

            assertTrue(response.isSuccess(), response::toString);
            assertEquals(0, response.uint32(StunAttribute.LIFETIME));
            assertTrue(client.verifies(response));
            await().atMost(Duration.ofSeconds(3))
                    .until(() -> server.stats().allocationsActive() == active - 1);
            assertEquals(deleted + 1, server.stats().allocationsDeleted());

            StunPacket permission = client.createPermission(peer.address());
            assertEquals(437, permission.errorCode(), permission::toString);
            assertTrue(client.verifies(permission));

            StunPacket again = client.allocate();
            assertTrue(again.isSuccess(), "the 5-tuple is free again: " + again);
        }
    }

    /** RFC 8656 section 8: a Refresh on a 5-tuple without an allocation is 437. */
    @Test
    void refreshWithoutAllocationIs437() {
        try (TestTurnClient client = alice(server)) {
            StunPacket response = client.refresh(600);

            assertEquals(437, response.errorCode(), response::toString);
            assertTrue(client.verifies(response));
        }
    }

    /** RFC 8656 section 5: requests on an allocation must use the credentials that created it, else 441. */
    @Test
    void refreshByAnotherUserIs441() {
        try (TestTurnClient client = alice(server)) {
            client.allocateOrFail();
            client.credentials(BOB, BOB_PASSWORD);

            StunPacket response = client.refresh(600);

            assertEquals(441, response.errorCode(), response::toString);
            assertTrue(response.verifiesIntegrity(LongTermKey.md5(BOB, TestServers.REALM, BOB_PASSWORD)),
                    "signed with the key of the request");

            client.credentials(ALICE, ALICE_PASSWORD);
            assertTrue(client.refresh(600).isSuccess(), "the allocation is untouched");
        }
    }

    /** RFC 8656 section 8: without a Refresh the allocation expires at the end of its lifetime. */
    @Test
    void allocationExpiresWithoutRefresh() {
        try (TurnServer shortLived = TestServers.start(TestServers.builder()
                        .allocationLifetimes(Duration.ofSeconds(1), Duration.ofSeconds(3600)));
                TestTurnClient client = alice(shortLived);
                TestPeer peer = TestPeer.open()) {
            StunPacket allocated = client.allocate();
            assertEquals(1, allocated.uint32(StunAttribute.LIFETIME), allocated::toString);

            await().atMost(Duration.ofSeconds(5)).until(() -> shortLived.stats().allocationsExpired() == 1);
            assertEquals(0, shortLived.stats().allocationsActive());

            StunPacket permission = client.createPermission(peer.address());
            assertEquals(437, permission.errorCode(), permission::toString);
        }
    }
}
