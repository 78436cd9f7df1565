package io.parkway.stun;

import static io.parkway.stun.Rfc5769VectorsTest.address;
import static io.parkway.stun.StunTestSupport.bytes;
import static io.parkway.stun.StunTestSupport.hex;
import static io.parkway.stun.StunTestSupport.utf8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import java.lang.reflect.Field;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The allocation-free reading API: one {@link StunMessage#reusable()} message {@link StunMessage#reset reset} with
 * packet after packet, and the address readers that return {@code int}s instead of {@link InetSocketAddress}es
 * (RFC 8489 sections 14.1 and 14.2, https://datatracker.ietf.org/doc/html/rfc8489#section-14.2; RFC 8656 section
 * 18.3). A reused message must be indistinguishable from a fresh {@link StunMessage#decode} of the same bytes, whatever
 * it held before; the malformed-input and random-input tests of {@link StunCodecTest} check the same for every
 * rejected message.
 */
class StunReuseTest {
    private static final TransactionId TID = TransactionId.of(hex("0102030405060708090a0b0c"));
    private static final TransactionId OTHER_TID = TransactionId.of(hex("a1a2a3a4a5a6a7a8a9aaabac"));
    private static final byte[] KEY = utf8("short-term password");
    private static final byte[] KEY_256 = StunTestSupport.sha256("user:realm:password");

    private final StunTestSupport support = new StunTestSupport();

    @AfterEach
    void release() {
        support.releaseAll();
    }

    // --- reset -----------------------------------------------------------------------------------------------------

    @Test
    void aNewReusableMessageIsEmpty() {
        assertEmpty(StunMessage.reusable());
    }

    @Test
    void everyRfc5769VectorThroughOneMessageAndEveryBufferKind() throws StunParseException {
        StunMessage reused = StunMessage.reusable();
        byte[][] vectors = {Rfc5769VectorsTest.SAMPLE_REQUEST, Rfc5769VectorsTest.SAMPLE_IPV4_RESPONSE,
            Rfc5769VectorsTest.SAMPLE_IPV6_RESPONSE, Rfc5769VectorsTest.LONG_TERM_REQUEST};
        byte[][] keys = {Rfc5769VectorsTest.SHORT_TERM_KEY, Rfc5769VectorsTest.SHORT_TERM_KEY,
            Rfc5769VectorsTest.SHORT_TERM_KEY, Rfc5769VectorsTest.LONG_TERM_KEY};
        for (int round = 0; round < 2; round++) {
            for (int v = 0; v < vectors.length; v++) {
                byte[] vector = vectors[v];
                for (ByteBuf buf : new ByteBuf[] {support.heap(vector), support.direct(vector),
                        support.composite(vector, 33)}) {
                    StunMessage fresh = StunMessage.decode(buf);
                    assertSame(reused, reused.reset(buf));
                    assertSameView(fresh, reused);
                    assertTrue(reused.verifyIntegrity(keys[v]), "vector " + v + " " + buf);
                    assertFalse(reused.verifyIntegrity(KEY), "vector " + v + " " + buf);
                    assertEquals(v != 3, reused.hasFingerprint());
                }
            }
        }
    }

    /** Everything a Send indication does not have must be gone after the bigger message held before it. */
    @Test
    void resetAfterAMessageWithMoreAttributesLeavesNothingStale() throws StunParseException {
        ByteBuf big = bigRequest();
        ByteBuf send = sendIndication(address("198.51.100.7", 50000), 170);
        StunMessage reused = StunMessage.reusable();

        reused.reset(big);
        assertSameView(StunMessage.decode(big), reused);
        assertEquals(22, reused.attributeCount());
        assertTrue(reused.verifyIntegrity(KEY));
        assertTrue(reused.verifyIntegritySha256(KEY_256));
        assertEquals(3, reused.addresses(StunAttribute.XOR_PEER_ADDRESS).size());

        reused.reset(send);
        assertSameView(StunMessage.decode(send), reused);
        assertEquals(2, reused.attributeCount());
        assertEquals(StunMethod.SEND, reused.method());
        assertEquals(StunClass.INDICATION, reused.messageClass());
        assertEquals(OTHER_TID, reused.transactionId());
        assertSame(send, reused.buffer());
        assertFalse(reused.hasIntegrity());
        assertFalse(reused.hasIntegritySha256());
        assertFalse(reused.hasFingerprint());
        assertFalse(reused.verifyIntegrity(KEY));
        assertFalse(reused.verifyIntegritySha256(KEY_256));
        assertNull(reused.string(StunAttribute.USERNAME));
        assertEquals(-1, reused.errorCode());
        assertEquals(-1, reused.uint32(StunAttribute.LIFETIME, -1));
        assertEquals(0, reused.unknownComprehensionRequired().length);
        assertFalse(reused.hasUnknownComprehensionRequired());
        assertEquals(List.of(address("198.51.100.7", 50000)), reused.addresses(StunAttribute.XOR_PEER_ADDRESS));
        assertEquals(170, reused.valueLength(reused.indexOf(StunAttribute.DATA)));
        for (int stale : new int[] {2, 3, 21}) {
            assertThrows(IndexOutOfBoundsException.class, () -> reused.attributeType(stale));
            assertThrows(IndexOutOfBoundsException.class, () -> reused.valueIndex(stale));
            assertThrows(IndexOutOfBoundsException.class, () -> reused.valueLength(stale));
            assertThrows(IndexOutOfBoundsException.class, () -> reused.value(stale));
            assertThrows(IndexOutOfBoundsException.class, () -> reused.addressFamily(stale));
        }
        assertThrows(IndexOutOfBoundsException.class, () -> reused.attributeType(-1));

        // And back: the small message leaves nothing behind for the big one either.
        reused.reset(big);
        assertSameView(StunMessage.decode(big), reused);
    }

    @Test
    void aFailedResetEmptiesTheMessageAndTheNextOneWorks() throws StunParseException {
        ByteBuf big = bigRequest();
        byte[] badFingerprint = bytes(big);
        badFingerprint[badFingerprint.length - 1] ^= 1; // found only at the end of indexing, after the header checks
        StunMessage reused = StunMessage.reusable().reset(big);

        StunParseException e = assertThrows(StunParseException.class, () -> reused.reset(support.direct(badFingerprint)));
        assertEquals("FINGERPRINT does not match the message", e.getMessage());
        assertEmpty(reused);

        reused.reset(big);
        assertThrows(StunParseException.class, () -> reused.reset(support.heap(new byte[19])));
        assertEmpty(reused);

        ByteBuf send = sendIndication(address("192.0.2.1", 1), 4);
        assertSameView(StunMessage.decode(send), reused.reset(send));
    }

    @Test
    void clearDropsTheBuffer() throws StunParseException {
        StunMessage reused = StunMessage.reusable().reset(bigRequest());
        assertSame(reused, reused.clear());
        assertEmpty(reused);
        assertSame(reused, reused.clear());
        assertEmpty(reused);
    }

    @Test
    void indexArraysGrownByAnUnusualMessageAreGivenBack() throws Exception {
        ByteBuf out = support.out();
        StunWriter w = StunWriter.begin(out, StunMethod.CREATE_PERMISSION, StunClass.REQUEST, TID);
        for (int i = 0; i < 100; i++) {
            w.address(StunAttribute.XOR_PEER_ADDRESS, address("10.0.0." + i, 1000 + i));
        }
        StunMessage reused = StunMessage.reusable().reset(w.finish());
        assertEquals(100, reused.attributeCount());
        assertTrue(indexCapacity(reused) >= 100);

        ByteBuf send = sendIndication(address("192.0.2.1", 1), 4);
        reused.reset(send);
        assertEquals(12, indexCapacity(reused), "arrays of more than 64 entries are not kept");
        assertSameView(StunMessage.decode(send), reused);
    }

    /**
     * Past 32 indexed attributes the first-wins rule is answered by a bit set instead of a scan. The result must be
     * the same, and a bit set left by one message must not hide a type from the next.
     */
    @Test
    void firstWinsHoldsBeyondTheLinearScanAndAcrossResets() throws StunParseException {
        ByteBuf first = manyDistinct(0x8100, 40, 0x8200);
        ByteBuf second = manyDistinct(0x8200, 40, 0x8100);
        StunMessage reused = StunMessage.reusable();
        for (ByteBuf buf : new ByteBuf[] {first, second, first}) {
            StunMessage fresh = StunMessage.decode(buf);
            assertSameView(fresh, reused.reset(buf));
            int base = buf == first ? 0x8100 : 0x8200;
            int other = buf == first ? 0x8200 : 0x8100;
            // 40 distinct types, 2 repeated ones ignored, the type of the other message once, 3 XOR-PEER-ADDRESS.
            assertEquals(40 + 1 + 3, reused.attributeCount());
            for (int i = 0; i < 40; i++) {
                assertEquals(i, reused.uint32(base + i, -1), "first occurrence wins");
            }
            assertEquals(7, reused.uint32(other, -1));
            assertEquals(List.of(address("192.0.2.1", 1), address("192.0.2.2", 2), address("192.0.2.1", 1)),
                    reused.addresses(StunAttribute.XOR_PEER_ADDRESS));
        }
    }

    // --- address readers -------------------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0} {2}")
    @MethodSource("io.parkway.stun.StunCodecTest#addressCases")
    void addressReadersForEveryTypeAndFamily(String name, int type, InetSocketAddress address)
            throws StunParseException {
        ByteBuf out = support.out();
        StunWriter.begin(out, StunMethod.ALLOCATE, StunClass.SUCCESS_RESPONSE, TID)
                .string(StunAttribute.SOFTWARE, "x").address(type, address).fingerprint();
        StunMessage m = StunMessage.reusable().reset(out);
        int i = m.indexOf(type);
        assertEquals(1, i);
        assertAddress(address, m, i);
        assertAddressReadersAgree(m, i);
    }

    @Test
    void addressReadersOnTheRfc5769Vectors() throws StunParseException {
        StunMessage m = StunMessage.reusable().reset(support.heap(Rfc5769VectorsTest.SAMPLE_IPV4_RESPONSE));
        int i = m.indexOf(StunAttribute.XOR_MAPPED_ADDRESS);
        assertEquals(StunAddress.FAMILY_IPV4, m.addressFamily(i));
        assertEquals(0xc0000201, m.addressIpv4(i), "192.0.2.1");
        assertEquals(32853, m.addressPort(i));

        m.reset(support.direct(Rfc5769VectorsTest.SAMPLE_IPV6_RESPONSE));
        i = m.indexOf(StunAttribute.XOR_MAPPED_ADDRESS);
        assertEquals(StunAddress.FAMILY_IPV6, m.addressFamily(i));
        assertEquals(32853, m.addressPort(i));
        byte[] ip = new byte[20];
        Arrays.fill(ip, (byte) 0x77);
        m.addressIpv6(i, ip, 3);
        assertEquals("777777" + "20010db8123456780011223344556677" + "77", hex(ip), "at the offset, nothing else");
        assertThrows(IllegalStateException.class, () -> StunMessage.reusable()
                .reset(support.heap(Rfc5769VectorsTest.SAMPLE_IPV4_RESPONSE)).addressIpv6(1, ip, 0));
    }

    @Test
    void addressReadersRefuseMalformedValuesAndTheWrongFamily() throws StunParseException {
        String[] values = {
            "0003 1234 01020304", // unknown family
            "0001 1234 0102030405060708090a0b0c0d0e0f10", // IPv4 family with 16 address bytes
            "0002 1234 01020304", // IPv6 family with 4 address bytes
            "0001 1234 010203", // truncated IPv4
            "0001", // shorter than the family and port
            "", // empty
        };
        StunMessage m = StunMessage.reusable();
        for (String v : values) {
            ByteBuf out = support.out();
            StunWriter.begin(out, StunMethod.SEND, StunClass.INDICATION, TID)
                    .bytes(StunAttribute.XOR_PEER_ADDRESS, hex(v))
                    .finish();
            m.reset(out);
            assertEquals(0, m.addressFamily(0), v);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> m.addressPort(0), v);
            assertTrue(e.getMessage().startsWith("attribute 0 (0x0012): address family "), e.getMessage());
            assertThrows(IllegalStateException.class, () -> m.addressIpv4(0), v);
            assertThrows(IllegalStateException.class, () -> m.addressIpv6(0, new byte[16], 0), v);
            assertAddressReadersAgree(m, 0);
        }
        ByteBuf v4 = sendIndication(address("192.0.2.1", 1), 0);
        m.reset(v4);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> m.addressIpv6(0, new byte[16], 0));
        assertEquals("attribute 0 (0x0012): address family 1 (expected: 2)", e.getMessage());
        ByteBuf v6 = sendIndication(address("2001:db8::1", 1), 0);
        m.reset(v6);
        assertThrows(IllegalStateException.class, () -> m.addressIpv4(0));
        assertThrows(IndexOutOfBoundsException.class, () -> m.addressIpv6(0, new byte[16], 1));
        assertThrows(IndexOutOfBoundsException.class, () -> m.addressIpv6(0, new byte[15], 0));
        assertThrows(IndexOutOfBoundsException.class, () -> m.addressIpv6(0, new byte[16], -1));
    }

    @Test
    void repeatedPeerAddressesEachReadByIndex() throws StunParseException {
        List<InetSocketAddress> peers = List.of(address("192.0.2.10", 5000), address("2001:db8::10", 5001),
                address("198.51.100.7", 65535));
        ByteBuf out = support.out();
        StunWriter w = StunWriter.begin(out, StunMethod.CREATE_PERMISSION, StunClass.REQUEST, TID);
        peers.forEach(p -> w.address(StunAttribute.XOR_PEER_ADDRESS, p));
        StunMessage m = StunMessage.reusable().reset(w.fingerprint());
        for (int i = 0; i < peers.size(); i++) {
            assertAddress(peers.get(i), m, i);
        }
    }

    // --- shared assertions (also used by StunCodecTest) -------------------------------------------------------------

    /** Whether {@code reused} shows exactly what {@code fresh} shows for the same buffer. */
    static void assertSameView(StunMessage fresh, StunMessage reused) {
        assertSame(fresh.buffer(), reused.buffer());
        assertEquals(fresh.start(), reused.start());
        assertEquals(fresh.messageType(), reused.messageType());
        assertEquals(fresh.transactionId(), reused.transactionId());
        assertEquals(fresh.encodedLength(), reused.encodedLength());
        assertEquals(fresh.attributeCount(), reused.attributeCount());
        for (int i = 0; i < fresh.attributeCount(); i++) {
            int type = fresh.attributeType(i);
            assertEquals(type, reused.attributeType(i));
            assertEquals(fresh.valueIndex(i), reused.valueIndex(i));
            assertEquals(fresh.valueLength(i), reused.valueLength(i));
            assertEquals(fresh.indexOf(type), reused.indexOf(type));
            assertEquals(fresh.addressFamily(i), reused.addressFamily(i));
        }
        assertThrows(IndexOutOfBoundsException.class, () -> reused.attributeType(fresh.attributeCount()));
        assertEquals(fresh.hasIntegrity(), reused.hasIntegrity());
        assertEquals(fresh.hasIntegritySha256(), reused.hasIntegritySha256());
        assertEquals(fresh.hasFingerprint(), reused.hasFingerprint());
        assertArrayEquals(fresh.unknownComprehensionRequired(), reused.unknownComprehensionRequired());
        assertEquals(fresh.toString(), reused.toString());
    }

    /** An empty message: no buffer, no attributes, nothing verifies, header reads refused. */
    static void assertEmpty(StunMessage m) {
        assertNull(m.buffer());
        assertEquals(0, m.attributeCount());
        assertEquals(0, m.messageType());
        assertEquals(-1, m.indexOf(StunAttribute.XOR_PEER_ADDRESS));
        assertNull(m.address(StunAttribute.XOR_PEER_ADDRESS));
        assertNull(m.string(StunAttribute.USERNAME));
        assertFalse(m.hasIntegrity());
        assertFalse(m.hasIntegritySha256());
        assertFalse(m.hasFingerprint());
        assertFalse(m.verifyIntegrity(KEY));
        assertFalse(m.verifyIntegritySha256(KEY_256));
        assertFalse(m.hasUnknownComprehensionRequired());
        assertEquals("StunMessage(empty)", m.toString());
        assertThrows(IndexOutOfBoundsException.class, () -> m.attributeType(0));
        assertThrows(IndexOutOfBoundsException.class, () -> m.addressFamily(0));
        IllegalStateException e = assertThrows(IllegalStateException.class, m::transactionId);
        assertEquals("empty message (expected: a successful reset or decode first)", e.getMessage());
        assertThrows(IllegalStateException.class, m::encodedLength);
    }

    /** The object-free readers of attribute {@code i} agree with {@link StunMessage#addresses} for any value. */
    static void assertAddressReadersAgree(StunMessage m, int i) {
        int type = m.attributeType(i);
        InetSocketAddress expected = StunAddress.read(m.value(i), StunAddress.isXor(type), m.buffer(), m.start());
        if (expected == null) {
            assertEquals(0, m.addressFamily(i));
            assertThrows(IllegalStateException.class, () -> m.addressPort(i));
            assertThrows(IllegalStateException.class, () -> m.addressIpv4(i));
            assertThrows(IllegalStateException.class, () -> m.addressIpv6(i, new byte[16], 0));
        } else {
            assertAddress(expected, m, i);
        }
    }

    private static void assertAddress(InetSocketAddress expected, StunMessage m, int i) {
        byte[] ip = expected.getAddress().getAddress();
        assertEquals(expected.getPort(), m.addressPort(i));
        if (expected.getAddress() instanceof Inet4Address) {
            assertEquals(StunAddress.FAMILY_IPV4, m.addressFamily(i));
            assertEquals((ip[0] & 0xff) << 24 | (ip[1] & 0xff) << 16 | (ip[2] & 0xff) << 8 | (ip[3] & 0xff),
                    m.addressIpv4(i));
        } else {
            assertEquals(StunAddress.FAMILY_IPV6, m.addressFamily(i));
            byte[] read = new byte[16];
            m.addressIpv6(i, read, 0);
            assertArrayEquals(ip, read);
        }
    }

    // --- messages --------------------------------------------------------------------------------------------------

    /**
     * 22 indexed attributes (more than the initial index of 12): USERNAME, REALM, NONCE, LIFETIME, ERROR-CODE, three
     * XOR-PEER-ADDRESS, 12 comprehension-optional extras, MESSAGE-INTEGRITY, MESSAGE-INTEGRITY-SHA256; then
     * FINGERPRINT.
     */
    private ByteBuf bigRequest() {
        ByteBuf out = support.out();
        StunWriter w = StunWriter.begin(out, StunMethod.CREATE_PERMISSION, StunClass.REQUEST, TID)
                .string(StunAttribute.USERNAME, "user")
                .string(StunAttribute.REALM, "realm")
                .string(StunAttribute.NONCE, "nonce")
                .uint32(StunAttribute.LIFETIME, 600)
                .errorCode(438, "Stale Nonce")
                .address(StunAttribute.XOR_PEER_ADDRESS, address("192.0.2.1", 1))
                .address(StunAttribute.XOR_PEER_ADDRESS, address("2001:db8::2", 2))
                .address(StunAttribute.XOR_PEER_ADDRESS, address("192.0.2.3", 3));
        for (int i = 0; i < 12; i++) {
            w.uint32(0x8100 + i, i);
        }
        return w.messageIntegrity(KEY).messageIntegritySha256(KEY_256).fingerprint();
    }

    private ByteBuf sendIndication(InetSocketAddress peer, int dataLength) {
        ByteBuf out = support.out();
        return StunWriter.begin(out, StunMethod.SEND, StunClass.INDICATION, OTHER_TID)
                .address(StunAttribute.XOR_PEER_ADDRESS, peer)
                .bytes(StunAttribute.DATA, new byte[dataLength])
                .finish();
    }

    /**
     * {@code count} distinct uint32 attributes {@code base + i} with value {@code i}, two repeats (ignored), one
     * attribute of {@code otherType} with value 7, and three XOR-PEER-ADDRESS (all kept): everything past the first
     * 32 indexed attributes.
     */
    private ByteBuf manyDistinct(int base, int count, int otherType) {
        ByteBuf out = support.out();
        StunWriter w = StunWriter.begin(out, StunMethod.CREATE_PERMISSION, StunClass.REQUEST, TID);
        for (int i = 0; i < count; i++) {
            w.uint32(base + i, i);
        }
        w.uint32(base + 3, 1000).uint32(base + count - 1, 1000).uint32(otherType, 7);
        w.address(StunAttribute.XOR_PEER_ADDRESS, address("192.0.2.1", 1))
                .address(StunAttribute.XOR_PEER_ADDRESS, address("192.0.2.2", 2))
                .address(StunAttribute.XOR_PEER_ADDRESS, address("192.0.2.1", 1));
        return w.fingerprint();
    }

    private static int indexCapacity(StunMessage m) throws ReflectiveOperationException {
        Field f = StunMessage.class.getDeclaredField("types");
        f.setAccessible(true);
        return ((int[]) f.get(m)).length;
    }
}
