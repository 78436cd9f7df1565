package io.parkway.turn.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parkway.stun.StunAttribute;
import io.parkway.stun.StunClass;
import io.parkway.stun.StunMethod;
import io.parkway.turn.TurnServer;
import io.parkway.turn.TurnServerBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The Binding method, RFC 8489 section 7.3.1 (https://datatracker.ietf.org/doc/html/rfc8489#section-7.3.1). */
class BindingTest {
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

    private static void assertBindingSuccess(TestTurnClient client, StunPacket response) {
        assertTrue(response.isSuccess(), response::toString);
        assertEquals(StunMethod.BINDING, response.method());
        assertEquals(client.localAddress(), response.address(StunAttribute.XOR_MAPPED_ADDRESS));
        assertEquals(TurnServerBuilder.DEFAULT_SOFTWARE, response.string(StunAttribute.SOFTWARE));
        assertTrue(response.hasFingerprint(), "FINGERPRINT present (and valid: decoding checks it)");
        assertFalse(response.hasIntegrity(), "Binding is not authenticated");
    }

    @Test
    void bindingOverUdp() {
        try (TestTurnClient client = TestTurnClient.udp(TestServers.udp(server))) {
            long before = server.stats().bindingRequests();

            assertBindingSuccess(client, client.binding());
            assertEquals(before + 1, server.stats().bindingRequests());
        }
    }

    @Test
    void bindingOverTcp() {
        try (TestTurnClient client = TestTurnClient.tcp(TestServers.tcp(server))) {
            assertBindingSuccess(client, client.binding());
            assertBindingSuccess(client, client.binding());
        }
    }

    /** A client with an allocation still gets its reflexive address on the same 5-tuple. */
    @Test
    void bindingNextToAnAllocation() {
        try (TestTurnClient client = TestServers.alice(server)) {
            client.allocateOrFail();

            assertBindingSuccess(client, client.binding());
        }
    }

    /** RFC 8489 section 6.3.1: an unknown comprehension-required attribute is 420 with UNKNOWN-ATTRIBUTES. */
    @Test
    void unknownComprehensionRequiredAttributeIs420() {
        try (TestTurnClient client = TestTurnClient.udp(TestServers.udp(server))) {
            StunPacket response = client.binding(w -> w.bytes(0x7777, new byte[] {1}).bytes(0x0030, new byte[0]));

            assertEquals(StunClass.ERROR_RESPONSE, response.messageClass());
            assertEquals(420, response.errorCode(), response::toString);
            assertArrayEquals(new int[] {0x7777, 0x0030}, response.unknownAttributes());
            assertNotNull(response.string(StunAttribute.SOFTWARE));
            assertTrue(response.hasFingerprint());
        }
    }

    @Test
    void unknownComprehensionOptionalAttributeIsIgnored() {
        try (TestTurnClient client = TestTurnClient.udp(TestServers.udp(server))) {
            assertBindingSuccess(client, client.binding(w -> w.bytes(0xc001, new byte[] {1, 2})));
        }
    }
}
