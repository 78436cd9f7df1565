package io.parkway.turn.protocol;

import static io.parkway.turn.protocol.TestServers.ALICE;
import static io.parkway.turn.protocol.TestServers.ALICE_PASSWORD;
import static io.parkway.turn.protocol.TestServers.BOB;
import static io.parkway.turn.protocol.TestServers.BOB_PASSWORD;
import static io.parkway.turn.protocol.TestServers.REALM;
import static io.parkway.turn.protocol.TestServers.REST_SECRET;
import static io.parkway.turn.protocol.TestServers.alice;
import static io.parkway.turn.protocol.TestServers.udp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parkway.stun.StunAttribute;
import io.parkway.stun.StunMethod;
import io.parkway.stun.TransactionId;
import io.parkway.testing.MutableClock;
import io.parkway.turn.TurnServer;
import io.parkway.turn.auth.LongTermKey;
import io.parkway.turn.auth.PasswordAlgorithm;
import io.parkway.turn.auth.RestCredential;
import io.parkway.turn.auth.RestCredentials;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The long-term credential mechanism on TURN requests (RFC 8489 section 9.2,
 * https://datatracker.ietf.org/doc/html/rfc8489#section-9.2): static users, TURN REST credentials, SHA-256 keys with
 * PASSWORD-ALGORITHM(S), USERHASH, and the 441 of RFC 8656 section 5.
 */
class AuthenticationTest {
    private static MutableClock clock;
    private static TurnServer server;

    @BeforeAll
    static void startServer() {
        clock = MutableClock.startingNow();
        server = TestServers.start(TestServers.builder(clock));
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    private static TestTurnClient client(RestCredential credential) {
        return TestTurnClient.udp(udp(server)).credentials(credential.username(), credential.password());
    }

    private static long failures(TurnServer s, String reason) {
        return s.stats().authFailuresByReason().getOrDefault(reason, 0L);
    }

    @Test
    void restCredentialIsAccepted() {
        RestCredential credential = RestCredentials.issue(REST_SECRET, "listener", Duration.ofHours(1), clock);
        try (TestTurnClient client = client(credential)) {
            StunPacket response = client.allocate();

            assertTrue(response.isSuccess(), response::toString);
            assertTrue(client.verifies(response));
        }
    }

    @Test
    void expiredRestCredentialIs401() {
        Clock earlier = Clock.fixed(clock.instant().minus(Duration.ofHours(2)), ZoneOffset.UTC);
        RestCredential credential = RestCredentials.issue(REST_SECRET, "listener", Duration.ofHours(1), earlier);
        long expired = failures(server, "expired_credential");
        try (TestTurnClient client = client(credential)) {
            StunPacket response = client.allocate();

            assertEquals(401, response.errorCode(), response::toString);
            assertFalse(response.hasIntegrity());
            assertNotNull(response.string(StunAttribute.NONCE));
            assertEquals(expired + 1, failures(server, "expired_credential"));
        }
    }

    /** As in coturn (and {@link RestCredentials#isExpired}), a credential is valid during its expiry second. */
    @Test
    void restCredentialIsValidDuringItsExpirySecond() {
        Clock oneSecondAgo = Clock.fixed(clock.instant().minusSeconds(1), ZoneOffset.UTC);
        RestCredential credential = RestCredentials.issue(REST_SECRET, "listener", Duration.ofSeconds(1),
                oneSecondAgo);
        assertEquals(clock.instant(), credential.expiresAt());
        try (TestTurnClient client = client(credential)) {
            StunPacket response = client.allocate();

            assertTrue(response.isSuccess(), response::toString);
        }
    }

    @Test
    void restCredentialFromAnotherSecretIs401() {
        RestCredential credential = RestCredentials.issue("not-the-secret", "listener", Duration.ofHours(1), clock);
        try (TestTurnClient client = client(credential)) {
            assertEquals(401, client.allocate().errorCode());
        }
    }

    /** Secret rotation: every configured secret is accepted, so credentials issued before a rotation keep working. */
    @Test
    void rotatedSecretsAreAllAccepted() {
        try (TurnServer rotated = TestServers.start(TestServers.builder(clock).restSecrets(List.of("new", "old")))) {
            for (String secret : List.of("new", "old", REST_SECRET)) {
                RestCredential credential = RestCredentials.issue(secret, "listener", Duration.ofHours(1), clock);
                try (TestTurnClient client = TestTurnClient.udp(udp(rotated))
                        .credentials(credential.username(), credential.password())) {
                    StunPacket response = client.allocate();
                    assertTrue(response.isSuccess(), secret + ": " + response);
                }
            }
            RestCredential unknown = RestCredentials.issue("older", "listener", Duration.ofHours(1), clock);
            try (TestTurnClient client = TestTurnClient.udp(udp(rotated))
                    .credentials(unknown.username(), unknown.password())) {
                assertEquals(401, client.allocate().errorCode());
            }
        }
    }

    @Test
    void wrongPasswordIs401() {
        long bad = failures(server, "bad_integrity");
        try (TestTurnClient client = TestTurnClient.udp(udp(server)).credentials(ALICE, "looking-glass")) {
            StunPacket response = client.allocate();

            assertEquals(401, response.errorCode(), response::toString);
            assertFalse(response.hasIntegrity(), "no key to sign with");
            assertEquals(REALM, response.string(StunAttribute.REALM));
            assertEquals(bad + 1, failures(server, "bad_integrity"));
        }
    }

    @Test
    void unknownUserIs401() {
        try (TestTurnClient client = TestTurnClient.udp(udp(server)).credentials("mallory", "secret")) {
            assertEquals(401, client.allocate().errorCode());
        }
    }

    /** RFC 8489 section 9.2.4: integrity without USERNAME (or USERHASH) is 400. */
    @Test
    void integrityWithoutUsernameIs400() {
        try (TestTurnClient client = alice(server)) {
            client.learnNonce();
            byte[] key = client.key();

            StunPacket response = client.transact(TransactionId.random(), StunMethod.ALLOCATE, w -> w
                    .uint32(StunAttribute.REQUESTED_TRANSPORT, (long) TestTurnClient.UDP << 24)
                    .string(StunAttribute.REALM, client.realm())
                    .string(StunAttribute.NONCE, client.nonce())
                    .messageIntegrity(key), false);

            assertEquals(400, response.errorCode(), response::toString);
        }
    }

    /**
     * RFC 8489 section 9.2.4: echoing PASSWORD-ALGORITHMS as offered and choosing SHA-256 in PASSWORD-ALGORITHM, with
     * MESSAGE-INTEGRITY-SHA256 under the SHA-256 key, gets a success protected by MESSAGE-INTEGRITY-SHA256.
     */
    @Test
    void sha256PasswordAlgorithm() {
        try (TestTurnClient client = alice(server).passwordAlgorithm(PasswordAlgorithm.SHA256);
                TestPeer peer = TestPeer.open()) {
            StunPacket response = client.allocate();

            assertTrue(response.isSuccess(), response::toString);
            assertTrue(response.hasIntegritySha256());
            assertFalse(response.hasIntegrity(), "the response uses the request's integrity attribute");
            assertTrue(response.verifiesIntegritySha256(LongTermKey.sha256(ALICE, REALM, ALICE_PASSWORD)));
            assertFalse(response.verifiesIntegritySha256(LongTermKey.sha256(ALICE, REALM, "nope")));

            StunPacket permission = client.createPermission(peer.address());
            assertTrue(permission.isSuccess(), permission::toString);
            assertTrue(client.verifies(permission));
        }
    }

    /** RFC 8489 section 14.4: USERHASH in place of USERNAME identifies a static user. */
    @Test
    void userHashInsteadOfUsername() {
        try (TestTurnClient client = alice(server).useUserHash(true); TestPeer peer = TestPeer.open()) {
            StunPacket response = client.allocate();

            assertTrue(response.isSuccess(), response::toString);
            assertTrue(client.verifies(response));
            assertTrue(client.createPermission(peer.address()).isSuccess());

            client.useUserHash(false);
            assertTrue(client.refresh(600).isSuccess(), "USERNAME alice owns what USERHASH alice created");
        }
    }

    @Test
    void userHashWithSha256() {
        try (TestTurnClient client = alice(server).useUserHash(true).passwordAlgorithm(PasswordAlgorithm.SHA256)) {
            StunPacket response = client.allocate();

            assertTrue(response.isSuccess(), response::toString);
            assertTrue(response.hasIntegritySha256());
            assertTrue(client.verifies(response));
        }
    }

    @Test
    void unknownUserHashIs401() {
        try (TestTurnClient client = TestTurnClient.udp(udp(server)).credentials("mallory", "secret")
                .useUserHash(true)) {
            assertEquals(401, client.allocate().errorCode());
        }
    }

    /** RFC 8489 section 9.2.4: PASSWORD-ALGORITHMS that differ from the server's offer are 400. */
    @Test
    void passwordAlgorithmsNotMatchingTheOfferIs400() {
        long bad = failures(server, "bad_algorithm");
        try (TestTurnClient client = alice(server).passwordAlgorithm(PasswordAlgorithm.SHA256)
                .echoPasswordAlgorithms(PasswordAlgorithm.SHA256.code())) {
            StunPacket response = client.allocate();

            assertEquals(400, response.errorCode(), response::toString);
            assertEquals(bad + 1, failures(server, "bad_algorithm"));
        }
    }

    @Test
    void passwordAlgorithmsInAnotherOrderIs400() {
        try (TestTurnClient client = alice(server).passwordAlgorithm(PasswordAlgorithm.SHA256)
                .echoPasswordAlgorithms(PasswordAlgorithm.MD5.code(), PasswordAlgorithm.SHA256.code())) {
            assertEquals(400, client.allocate().errorCode());
        }
    }

    /** RFC 8489 section 9.2.4: PASSWORD-ALGORITHM without PASSWORD-ALGORITHMS is 400. */
    @Test
    void passwordAlgorithmWithoutPasswordAlgorithmsIs400() {
        try (TestTurnClient client = alice(server).passwordAlgorithm(PasswordAlgorithm.SHA256)
                .echoPasswordAlgorithms()) {
            assertEquals(400, client.allocate().errorCode());
        }
    }

    /** RFC 8656 section 5: a request on an allocation from another user is 441, whatever the method. */
    @Test
    void requestsOnAnotherUsersAllocationAre441() {
        try (TestTurnClient client = alice(server); TestPeer peer = TestPeer.open()) {
            client.allocateOrFail();
            client.credentials(BOB, BOB_PASSWORD);

            StunPacket permission = client.createPermission(peer.address());
            assertEquals(441, permission.errorCode(), permission::toString);
            assertTrue(client.verifies(permission));
            assertEquals(441, client.channelBind(0x4000, peer.address()).errorCode());
            assertEquals(441, client.refresh(0).errorCode());

            client.credentials(ALICE, ALICE_PASSWORD);
            assertTrue(client.createPermission(peer.address()).isSuccess());
        }
    }

    /** A REST credential is a different user from the static user of the same name. */
    @Test
    void restCredentialOfAnotherUserIs441() {
        RestCredential credential = RestCredentials.issue(REST_SECRET, ALICE, Duration.ofHours(1), clock);
        try (TestTurnClient client = alice(server); TestPeer peer = TestPeer.open()) {
            client.allocateOrFail();
            client.credentials(credential.username(), credential.password());

            assertEquals(441, client.createPermission(peer.address()).errorCode());
        }
    }

    @Test
    void challengeIsCountedButIsNoFailure() {
        long failures = server.stats().authFailures();
        long challenges = failures(server, "challenge");
        try (TestTurnClient client = alice(server)) {
            assertTrue(client.allocate().isSuccess());
        }
        assertEquals(challenges + 1, failures(server, "challenge"));
        assertEquals(failures, server.stats().authFailures());
    }
}
