package io.parkway.turn.protocol;

import static io.parkway.turn.protocol.TestServers.ALICE;
import static io.parkway.turn.protocol.TestServers.ALICE_PASSWORD;
import static io.parkway.turn.protocol.TestServers.BOB;
import static io.parkway.turn.protocol.TestServers.BOB_PASSWORD;
import static io.parkway.turn.protocol.TestServers.LOOPBACK;
import static io.parkway.turn.protocol.TestServers.alice;
import static io.parkway.turn.protocol.TestServers.udp;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parkway.stun.StunAttribute;
import io.parkway.stun.StunClass;
import io.parkway.stun.StunMethod;
import io.parkway.stun.StunWriter;
import io.parkway.stun.TransactionId;
import io.parkway.testing.MutableClock;
import io.parkway.turn.TurnServer;
import io.parkway.turn.auth.LongTermKey;
import io.parkway.turn.auth.PasswordAlgorithm;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The Allocate request, RFC 8656 section 7 (https://datatracker.ietf.org/doc/html/rfc8656#section-7). */
class AllocateTest {
    private static final Consumer<StunWriter> UDP_TRANSPORT =
            w -> w.uint32(StunAttribute.REQUESTED_TRANSPORT, (long) TestTurnClient.UDP << 24);

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

    /** RFC 8489 section 9.2.4: the first request without credentials is challenged, unprotected. */
    @Test
    void challengeCarriesRealmNonceAndPasswordAlgorithmsWithoutIntegrity() {
        try (TestTurnClient client = alice(server)) {
            StunPacket challenge = client.requestWithoutCredentials(StunMethod.ALLOCATE, UDP_TRANSPORT);

            assertEquals(StunMethod.ALLOCATE, challenge.method());
            assertEquals(StunClass.ERROR_RESPONSE, challenge.messageClass());
            assertEquals(401, challenge.errorCode());
            assertEquals(TestServers.REALM, challenge.string(StunAttribute.REALM));
            String nonce = challenge.string(StunAttribute.NONCE);
            assertNotNull(nonce);
            assertFalse(nonce.isEmpty());
            assertTrue(nonce.startsWith("obMatJos2"), "nonce cookie announcing security features: " + nonce);
            assertArrayEquals(new int[] {PasswordAlgorithm.SHA256.code(), PasswordAlgorithm.MD5.code()},
                    challenge.passwordAlgorithms());
            assertFalse(challenge.hasIntegrity());
            assertFalse(challenge.hasIntegritySha256());
            assertTrue(challenge.hasFingerprint());
            assertFalse(challenge.has(StunAttribute.XOR_RELAYED_ADDRESS));
        }
    }

    @Test
    void successCarriesAddressesDefaultLifetimeIntegrityAndFingerprint() {
        try (TestTurnClient client = alice(server)) {
            StunPacket success = client.allocate();

            assertTrue(success.isSuccess(), success::toString);
            assertEquals(StunMethod.ALLOCATE, success.method());
            InetSocketAddress relayed = success.address(StunAttribute.XOR_RELAYED_ADDRESS);
            assertNotNull(relayed);
            assertEquals(LOOPBACK, relayed.getAddress());
            assertTrue(relayed.getPort() >= 49152 && relayed.getPort() <= 65535, "relay port " + relayed);
            assertEquals(client.localAddress(), success.address(StunAttribute.XOR_MAPPED_ADDRESS));
            assertEquals(600, success.uint32(StunAttribute.LIFETIME));
            assertTrue(success.hasIntegrity());
            assertTrue(success.verifiesIntegrity(LongTermKey.md5(ALICE, TestServers.REALM, ALICE_PASSWORD)));
            assertFalse(success.verifiesIntegrity(LongTermKey.md5(ALICE, TestServers.REALM, "not-the-password")));
            assertFalse(success.hasIntegritySha256(), "an MD5 request gets MESSAGE-INTEGRITY only");
            assertTrue(success.hasFingerprint());
            assertNotNull(success.string(StunAttribute.SOFTWARE));
        }
    }

    /** RFC 8656 section 7.2: the server caps the requested lifetime at its maximum (3600 s by default). */
    @Test
    void requestedLifetimeAboveMaximumIsCapped() {
        try (TestTurnClient client = alice(server)) {
            StunPacket success = client.allocate(w -> w.uint32(StunAttribute.LIFETIME, 99999));

            assertTrue(success.isSuccess(), success::toString);
            assertEquals(3600, success.uint32(StunAttribute.LIFETIME));
        }
    }

    @Test
    void requestedLifetimeBetweenDefaultAndMaximumIsGranted() {
        try (TestTurnClient client = alice(server)) {
            StunPacket success = client.allocate(w -> w.uint32(StunAttribute.LIFETIME, 1800));

            assertEquals(1800, success.uint32(StunAttribute.LIFETIME), success::toString);
        }
    }

    /** RFC 8656 section 7.2: a requested lifetime below the default is raised to the default. */
    @Test
    void requestedLifetimeBelowDefaultGetsTheDefault() {
        try (TestTurnClient client = alice(server)) {
            StunPacket success = client.allocate(w -> w.uint32(StunAttribute.LIFETIME, 30));

            assertEquals(600, success.uint32(StunAttribute.LIFETIME), success::toString);
        }
    }

    /** RFC 8656 section 7.2: a retransmitted Allocate (same transaction ID) gets the original success again. */
    @Test
    void retransmittedAllocateGetsTheSameSuccess() {
        try (TestTurnClient client = alice(server)) {
            client.learnNonce();
            long created = server.stats().allocationsCreated();
            TransactionId id = TransactionId.random();

            StunPacket first = client.transact(id, StunMethod.ALLOCATE, UDP_TRANSPORT, true);
            StunPacket again = client.transact(id, StunMethod.ALLOCATE, UDP_TRANSPORT, true);

            assertTrue(first.isSuccess(), first::toString);
            assertTrue(again.isSuccess(), again::toString);
            assertEquals(id, again.transactionId());
            assertEquals(first.address(StunAttribute.XOR_RELAYED_ADDRESS),
                    again.address(StunAttribute.XOR_RELAYED_ADDRESS));
            assertEquals(first.address(StunAttribute.XOR_MAPPED_ADDRESS),
                    again.address(StunAttribute.XOR_MAPPED_ADDRESS));
            assertEquals(first.uint32(StunAttribute.LIFETIME), again.uint32(StunAttribute.LIFETIME));
            assertTrue(client.verifies(again));
            assertEquals(created + 1, server.stats().allocationsCreated(), "one allocation, answered twice");
        }
    }

    /** RFC 8656 section 7.2: a new Allocate on a 5-tuple that already has an allocation is 437. */
    @Test
    void newAllocateOnTheSameFiveTupleIs437() {
        try (TestTurnClient client = alice(server)) {
            client.allocateOrFail();

            StunPacket second = client.allocate();

            assertEquals(437, second.errorCode(), second::toString);
            assertTrue(client.verifies(second), "errors to authenticated requests are protected");
        }
    }

    /** RFC 8656 section 7.2: REQUESTED-TRANSPORT is mandatory. */
    @Test
    void missingRequestedTransportIs400() {
        try (TestTurnClient client = alice(server)) {
            StunPacket response = client.request(StunMethod.ALLOCATE, w -> { });

            assertEquals(400, response.errorCode(), response::toString);
            assertTrue(client.verifies(response));
        }
    }

    /** RFC 8656 section 7.2: only UDP relaying is offered here; TCP (RFC 6062) is 442. */
    @Test
    void tcpRequestedTransportIs442() {
        try (TestTurnClient client = alice(server)) {
            StunPacket response = client.request(StunMethod.ALLOCATE,
                    w -> w.uint32(StunAttribute.REQUESTED_TRANSPORT, (long) TestTurnClient.TCP << 24));

            assertEquals(442, response.errorCode(), response::toString);
            assertTrue(client.verifies(response));
        }
    }

    /** RFC 8489 section 9.2.4: an expired nonce is 438 with REALM and a fresh NONCE, and the retry succeeds. */
    @Test
    void staleNonceIs438WithAFreshNonce() {
        try (TestTurnClient client = alice(server)) {
            client.learnNonce();
            String old = client.nonce();
            clock.advance(Duration.ofMinutes(11)); // the default nonce lifetime is 10 minutes

            StunPacket stale = client.transact(TransactionId.random(), StunMethod.ALLOCATE, UDP_TRANSPORT, true);

            assertEquals(438, stale.errorCode(), stale::toString);
            assertEquals(TestServers.REALM, stale.string(StunAttribute.REALM));
            String fresh = stale.string(StunAttribute.NONCE);
            assertNotNull(fresh);
            assertNotEquals(old, fresh);
            assertFalse(stale.hasIntegrity());

            client.learn(stale);
            StunPacket retry = client.transact(TransactionId.random(), StunMethod.ALLOCATE, UDP_TRANSPORT, true);
            assertTrue(retry.isSuccess(), retry::toString);
        }
    }

    /** A nonce this server did not issue is answered like a stale one: 438 with a fresh nonce. */
    @Test
    void forgedNonceIs438WithAFreshNonce() {
        try (TestTurnClient client = alice(server)) {
            client.learnNonce();
            String nonce = client.nonce();
            char last = nonce.charAt(nonce.length() - 1);
            String forged = nonce.substring(0, nonce.length() - 1) + (last == 'A' ? 'B' : 'A');
            client.nonce(forged);

            StunPacket response = client.transact(TransactionId.random(), StunMethod.ALLOCATE, UDP_TRANSPORT, true);

            assertEquals(438, response.errorCode(), response::toString);
            String fresh = response.string(StunAttribute.NONCE);
            assertNotNull(fresh);
            assertNotEquals(forged, fresh);

            client.learn(response);
            assertTrue(client.allocate().isSuccess());
        }
    }

    /**
     * RFC 8489 section 6.3: authentication first, then unknown comprehension-required attributes: 420 listing them
     * in UNKNOWN-ATTRIBUTES, integrity-protected like any response to an authenticated request (section 6.3.1.1).
     */
    @Test
    void unknownComprehensionRequiredAttributeIs420() {
        try (TestTurnClient client = alice(server)) {
            Consumer<StunWriter> unknown = w -> w.bytes(0x7777, new byte[] {1, 2, 3, 4});

            StunPacket unauthenticated = client.requestWithoutCredentials(StunMethod.ALLOCATE,
                    UDP_TRANSPORT.andThen(unknown));
            assertEquals(401, unauthenticated.errorCode(), "challenged before its attributes are judged");

            StunPacket response = client.allocate(unknown);

            assertEquals(420, response.errorCode(), response::toString);
            assertArrayEquals(new int[] {0x7777}, response.unknownAttributes());
            assertTrue(client.verifies(response));
            assertTrue(client.allocate().isSuccess(), "nothing was allocated by the refused request");
        }
    }

    @Test
    void unknownComprehensionOptionalAttributeIsIgnored() {
        try (TestTurnClient client = alice(server)) {
            StunPacket response = client.allocate(w -> w.bytes(0xc777, new byte[] {1, 2, 3, 4}));

            assertTrue(response.isSuccess(), response::toString);
        }
    }

    /** RFC 8656 section 7.2: this relay is IPv4 only, so REQUESTED-ADDRESS-FAMILY IPv6 is 440. */
    @Test
    void requestedAddressFamilyIpv6Is440() {
        try (TestTurnClient client = alice(server)) {
            StunPacket response = client.allocate(
                    w -> w.bytes(StunAttribute.REQUESTED_ADDRESS_FAMILY, new byte[] {0x02, 0, 0, 0}));

            assertEquals(440, response.errorCode(), response::toString);
            assertTrue(client.verifies(response));
        }
    }

    @Test
    void requestedAddressFamilyIpv4IsGranted() {
        try (TestTurnClient client = alice(server)) {
            StunPacket response = client.allocate(
                    w -> w.bytes(StunAttribute.REQUESTED_ADDRESS_FAMILY, new byte[] {0x01, 0, 0, 0}));

            assertTrue(response.isSuccess(), response::toString);
            assertTrue(response.address(StunAttribute.XOR_RELAYED_ADDRESS).getAddress() instanceof Inet4Address);
        }
    }

    /** RFC 8656 section 7.2: REQUESTED-ADDRESS-FAMILY and ADDITIONAL-ADDRESS-FAMILY together are 400. */
    @Test
    void requestedAndAdditionalAddressFamilyTogetherIs400() {
        try (TestTurnClient client = alice(server)) {
            StunPacket response = client.allocate(w -> w
                    .bytes(StunAttribute.REQUESTED_ADDRESS_FAMILY, new byte[] {0x01, 0, 0, 0})
                    .bytes(StunAttribute.ADDITIONAL_ADDRESS_FAMILY, new byte[] {0x02, 0, 0, 0}));

            assertEquals(400, response.errorCode(), response::toString);
        }
    }

    /**
     * RFC 8656 section 7.2: EVEN-PORT with R set gives an even port and a RESERVATION-TOKEN; another client's Allocate
     * with the token gets the next port, which relays like any other; the token works once.
     */
    @Test
    void evenPortReservesTheNextPortForTheToken() {
        try (TestTurnClient first = alice(server);
                TestTurnClient second = alice(server);
                TestTurnClient third = alice(server);
                TestPeer peer = TestPeer.open()) {
            StunPacket even = first.allocate(w -> w.bytes(StunAttribute.EVEN_PORT, new byte[] {(byte) 0x80}));
            assertTrue(even.isSuccess(), even::toString);
            int port = even.address(StunAttribute.XOR_RELAYED_ADDRESS).getPort();
            assertEquals(0, port % 2, "even port: " + port);
            byte[] token = even.bytes(StunAttribute.RESERVATION_TOKEN);
            assertNotNull(token, "RESERVATION-TOKEN");
            assertEquals(8, token.length);

            StunPacket reserved = second.allocate(w -> w.bytes(StunAttribute.RESERVATION_TOKEN, token));
            assertTrue(reserved.isSuccess(), reserved::toString);
            assertEquals(port + 1, reserved.address(StunAttribute.XOR_RELAYED_ADDRESS).getPort());

            second.createPermissionOrFail(peer.address());
            byte[] data = TestServers.payload(20, 7);
            peer.send(data, second.relaySocketAddress());
            assertArrayEquals(data, second.receiveDataIndication().bytes(StunAttribute.DATA));
            second.sendIndication(peer.address(), data);
            TestPeer.Datagram sent = peer.receive();
            assertEquals(port + 1, sent.sender().getPort());

            StunPacket reused = third.allocate(w -> w.bytes(StunAttribute.RESERVATION_TOKEN, token));
            assertEquals(508, reused.errorCode(), "a token is claimed once: " + reused);
        }
    }

    @Test
    void evenPortWithoutReservationGivesAnEvenPortAndNoToken() {
        try (TestTurnClient client = alice(server)) {
            StunPacket response = client.allocate(w -> w.bytes(StunAttribute.EVEN_PORT, new byte[] {0}));

            assertTrue(response.isSuccess(), response::toString);
            assertEquals(0, response.address(StunAttribute.XOR_RELAYED_ADDRESS).getPort() % 2);
            assertFalse(response.has(StunAttribute.RESERVATION_TOKEN));
        }
    }

    /** RFC 8656 section 7.2: RESERVATION-TOKEN and EVEN-PORT together are 400. */
    @Test
    void reservationTokenWithEvenPortIs400() {
        try (TestTurnClient client = alice(server)) {
            StunPacket response = client.allocate(w -> w
                    .bytes(StunAttribute.EVEN_PORT, new byte[] {(byte) 0x80})
                    .bytes(StunAttribute.RESERVATION_TOKEN, new byte[8]));

            assertEquals(400, response.errorCode(), response::toString);
            assertTrue(client.verifies(response));
        }
    }

    /** RFC 8656 section 7.2 and 18.9: DONT-FRAGMENT is understood. */
    @Test
    void dontFragmentIsAccepted() {
        try (TestTurnClient client = alice(server)) {
            StunPacket response = client.allocate(w -> w.flag(StunAttribute.DONT_FRAGMENT));

            assertTrue(response.isSuccess(), response::toString);
        }
    }

    /**
     * RFC 8656 section 7.2: ADDITIONAL-ADDRESS-FAMILY IPv6 on an IPv4-only relay: the IPv4 allocation succeeds and
     * ADDRESS-ERROR-CODE (section 18.12) reports 440 for IPv6.
     */
    @Test
    void additionalAddressFamilyIpv6SucceedsWithAddressErrorCode440() {
        try (TestTurnClient client = alice(server)) {
            StunPacket response = client.allocate(
                    w -> w.bytes(StunAttribute.ADDITIONAL_ADDRESS_FAMILY, new byte[] {0x02, 0, 0, 0}));

            assertTrue(response.isSuccess(), response::toString);
            assertTrue(response.address(StunAttribute.XOR_RELAYED_ADDRESS).getAddress() instanceof Inet4Address);
            byte[] error = response.bytes(StunAttribute.ADDRESS_ERROR_CODE);
            assertNotNull(error, "ADDRESS-ERROR-CODE");
            assertEquals(0x02, error[0], "family IPv6");
            assertEquals(440, (error[2] & 0x07) * 100 + (error[3] & 0xff));
            assertTrue(client.verifies(response));
        }
    }

    /** RFC 8656 section 7.2: 486 once a user holds its quota of allocations; deleting one frees its place. */
    @Test
    void allocationQuotaPerUserIs486() {
        try (TurnServer quota = TestServers.start(TestServers.builder().allocationsPerUser(2));
                TestTurnClient one = alice(quota);
                TestTurnClient two = alice(quota);
                TestTurnClient three = alice(quota);
                TestTurnClient otherUser = TestServers.bob(quota)) {
            one.allocateOrFail();
            two.allocateOrFail();

            StunPacket refused = three.allocate();

            assertEquals(486, refused.errorCode(), refused::toString);
            assertTrue(three.verifies(refused));
            assertTrue(otherUser.allocate().isSuccess(), "the quota is per user");

            assertTrue(one.refresh(0).isSuccess());
            StunPacket afterDelete = three.allocate();
            assertTrue(afterDelete.isSuccess(), afterDelete::toString);
        }
    }

    /** A TURN REST credential has its own, smaller quota (one signaling session must not hog the relay). */
    @Test
    void allocationQuotaPerRestCredentialIs486() {
        java.time.Clock clock = java.time.Clock.systemUTC();
        io.parkway.turn.auth.RestCredential session = io.parkway.turn.auth.RestCredentials.issue(
                TestServers.REST_SECRET, "session-1", java.time.Duration.ofMinutes(10), clock);
        io.parkway.turn.auth.RestCredential other = io.parkway.turn.auth.RestCredentials.issue(
                TestServers.REST_SECRET, "session-2", java.time.Duration.ofMinutes(10), clock);
        try (TurnServer quota = TestServers.start(TestServers.builder().allocationsPerRestCredential(2));
                TestTurnClient one = TestTurnClient.udp(udp(quota)).credentials(session.username(), session.password());
                TestTurnClient two = TestTurnClient.udp(udp(quota)).credentials(session.username(), session.password());
                TestTurnClient three = TestTurnClient.udp(udp(quota)).credentials(session.username(), session.password());
                TestTurnClient otherSession = TestTurnClient.udp(udp(quota))
                        .credentials(other.username(), other.password());
                TestTurnClient staticUser = alice(quota)) {
            one.allocateOrFail();
            two.allocateOrFail();
            assertEquals(486, three.allocate().errorCode());
            assertTrue(otherSession.allocate().isSuccess(), "the quota is per credential");
            assertTrue(staticUser.allocate().isSuccess(), "static users have their own quota");
        }
    }

    /** 508 once the server holds its maximum number of allocations, whoever asks. */
    @Test
    void serverCapacityIs508() {
        try (TurnServer full = TestServers.start(TestServers.builder().maxAllocations(1));
                TestTurnClient alice = alice(full);
                TestTurnClient bob = TestTurnClient.udp(udp(full)).credentials(BOB, BOB_PASSWORD)) {
            alice.allocateOrFail();

            StunPacket refused = bob.allocate();

            assertEquals(508, refused.errorCode(), refused::toString);
            assertTrue(bob.verifies(refused));
            assertEquals(1, full.stats().allocationsActive());
        }
    }
}
