package io.parkway.stun;

import static io.parkway.stun.StunTestSupport.bytes;
import static io.parkway.stun.StunTestSupport.fingerprintOf;
import static io.parkway.stun.StunTestSupport.hex;
import static io.parkway.stun.StunTestSupport.md5;
import static io.parkway.stun.StunTestSupport.putInt;
import static io.parkway.stun.StunTestSupport.utf8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The test vectors of RFC 5769 (https://datatracker.ietf.org/doc/html/rfc5769), byte for byte: each is decoded, its
 * attributes, MESSAGE-INTEGRITY and FINGERPRINT checked, and then re-encoded with {@link StunWriter} from the same
 * attributes in the same order.
 *
 * <p>Padding: RFC 8489 section 14 lets a sender pad with any bytes and a receiver must ignore them. Three of the
 * vectors pad with spaces (0x20: the USERNAME of section 2.1, the SOFTWARE of sections 2.2 and 2.3); our writer pads
 * with zeros. Because MESSAGE-INTEGRITY and FINGERPRINT cover the padding, a zero-padded re-encoding carries different
 * digests. The tests therefore check two things: (1) with the RFC sender's space padding patched into the buffer
 * before the integrity attributes are appended, the writer reproduces the vector exactly, digests included; (2) the
 * plain zero-padded encoding equals the vector once padding and digest values are masked, and its own digests verify.
 * Section 2.4 pads with zeros, so it is compared exactly with no patching.
 */
class Rfc5769VectorsTest {
    /** RFC 5769 section 2: the short-term password of sections 2.1-2.3 (unchanged by OpaqueString, RFC 8489 9.1.1). */
    static final byte[] SHORT_TERM_KEY = utf8("VOkJxbRl1RmTxUk/WvJxBt");
    /** USERNAME of section 2.4: U+30DE U+30C8 U+30EA U+30C3 U+30AF U+30B9. */
    static final String MATRIX_USERNAME = "\u30de\u30c8\u30ea\u30c3\u30af\u30b9";
    static final String REALM = "example.org";
    static final String NONCE = "f//499k954d6OL34oL9FSTvy64sA";
    /**
     * Section 2.4 long-term key: MD5(username ":" realm ":" SASLprep(password)); the password
     * "The\u00adM\u00aatr\u2168" is "TheMatrIX" after SASLprep. Computed directly so this test does not depend on
     * the auth package.
     */
    static final byte[] LONG_TERM_KEY = md5(MATRIX_USERNAME + ":" + REALM + ":TheMatrIX");

    static final TransactionId TID_2_1 = TransactionId.of(hex("b7e7a701bc34d686fa87dfae"));
    static final TransactionId TID_2_4 = TransactionId.of(hex("78ad3433c6ad72c029da412e"));

    /** Section 2.1, Sample Request. */
    static final byte[] SAMPLE_REQUEST = hex(
            "0001 0058 2112a442 b7e7a701 bc34d686 fa87dfae" // Binding request, length 88, cookie, transaction ID
            + "8022 0010 5354554e 20746573 7420636c 69656e74" // SOFTWARE "STUN test client"
            + "0024 0004 6e0001ff" // PRIORITY
            + "8029 0008 932ff9b1 51263b36" // ICE-CONTROLLED
            + "0006 0009 6576746a 3a683676 59202020" // USERNAME "evtj:h6vY", 3 bytes of padding (spaces)
            + "0008 0014 9aeaa70c bfd8cb56 781ef2b5 b2d3f249 c1b571a2" // MESSAGE-INTEGRITY
            + "8028 0004 e57a3bcf"); // FINGERPRINT

    /** Section 2.2, Sample IPv4 Response. */
    static final byte[] SAMPLE_IPV4_RESPONSE = hex(
            "0101 003c 2112a442 b7e7a701 bc34d686 fa87dfae" // Binding success response, length 60
            + "8022 000b 74657374 20766563 746f7220" // SOFTWARE "test vector", 1 byte of padding (space)
            + "0020 0008 0001a147 e112a643" // XOR-MAPPED-ADDRESS 192.0.2.1 port 32853
            + "0008 0014 2b91f599 fd9e90c3 8c7489f9 2af9ba53 f06be7d7" // MESSAGE-INTEGRITY
            + "8028 0004 c07d4c96"); // FINGERPRINT

    /** Section 2.3, Sample IPv6 Response. */
    static final byte[] SAMPLE_IPV6_RESPONSE = hex(
            "0101 0048 2112a442 b7e7a701 bc34d686 fa87dfae" // Binding success response, length 72
            + "8022 000b 74657374 20766563 746f7220" // SOFTWARE "test vector", 1 byte of padding (space)
            + "0020 0014 0002a147 0113a9fa a5d3f179 bc25f4b5 bed2b9d9" // XOR-MAPPED-ADDRESS 2001:db8:...:6677 / 32853
            + "0008 0014 a382954e 4be67bf1 1784c97c 8292c275 bfe3ed41" // MESSAGE-INTEGRITY
            + "8028 0004 c8fb0b4c"); // FINGERPRINT

    /** Section 2.4, Sample Request with Long-Term Authentication. */
    static final byte[] LONG_TERM_REQUEST = hex(
            "0001 0060 2112a442 78ad3433 c6ad72c0 29da412e" // Binding request, length 96
            + "0006 0012 e3839ee3 8388e383 aae38383 e382afe3 82b90000" // USERNAME (18 bytes UTF-8), 2 bytes padding
            + "0015 001c 662f2f34 39396b39 35346436 4f4c3334 6f4c3946 53547679 36347341" // NONCE
            + "0014 000b 6578616d 706c652e 6f726700" // REALM "example.org", 1 byte padding
            + "0008 0014 f6702465 6dd64a3e 02b8e071 2e85c9a2 8ca89666"); // MESSAGE-INTEGRITY

    static final InetSocketAddress MAPPED_V4 = address("192.0.2.1", 32853);
    static final InetSocketAddress MAPPED_V6 = address("2001:db8:1234:5678:11:2233:4455:6677", 32853);

    private final StunTestSupport support = new StunTestSupport();

    @AfterEach
    void release() {
        support.releaseAll();
    }

    // --- 2.1 -------------------------------------------------------------------------------------------------------

    @Test
    void sampleRequestDecodes() throws StunParseException {
        StunMessage m = support.decode(SAMPLE_REQUEST);
        assertEquals(StunMethod.BINDING, m.method());
        assertEquals(StunClass.REQUEST, m.messageClass());
        assertEquals(0x0001, m.messageType());
        assertEquals(TID_2_1, m.transactionId());
        assertEquals(108, m.encodedLength());
        assertArrayEquals(new int[] {StunAttribute.SOFTWARE, StunAttribute.PRIORITY, StunAttribute.ICE_CONTROLLED,
                StunAttribute.USERNAME, StunAttribute.MESSAGE_INTEGRITY}, types(m));
        assertEquals("STUN test client", m.string(StunAttribute.SOFTWARE));
        assertEquals(0x6e0001ffL, m.uint32(StunAttribute.PRIORITY, -1));
        assertArrayEquals(hex("932ff9b151263b36"), m.bytes(StunAttribute.ICE_CONTROLLED));
        assertEquals("evtj:h6vY", m.string(StunAttribute.USERNAME), "padding must not leak into the value");
        assertTrue(m.hasIntegrity());
        assertFalse(m.hasIntegritySha256());
        assertTrue(m.hasFingerprint(), "decode validated the FINGERPRINT");
        assertTrue(m.verifyIntegrity(SHORT_TERM_KEY));
        assertFalse(m.verifyIntegrity(utf8("VOkJxbRl1RmTxUk/WvJxBT")));
        assertFalse(m.verifyIntegritySha256(SHORT_TERM_KEY), "absent MESSAGE-INTEGRITY-SHA256 never verifies");
        assertEquals(0, m.unknownComprehensionRequired().length);
    }

    @Test
    void sampleRequestReencodesByteExactWithTheRfcSpacePadding() {
        ByteBuf out = support.out();
        StunWriter w = StunWriter.begin(out, StunMethod.BINDING, StunClass.REQUEST, TID_2_1)
                .string(StunAttribute.SOFTWARE, "STUN test client")
                .uint32(StunAttribute.PRIORITY, 0x6e0001ffL)
                .bytes(StunAttribute.ICE_CONTROLLED, hex("932ff9b151263b36"))
                .string(StunAttribute.USERNAME, "evtj:h6vY");
        spacePadding(out, 3);
        w.messageIntegrity(SHORT_TERM_KEY).fingerprint();
        assertEquals(hex(SAMPLE_REQUEST), hex(bytes(out)));
    }

    @Test
    void sampleRequestReencodesWithZeroPadding() throws StunParseException {
        ByteBuf out = support.out();
        StunWriter.begin(out, StunMethod.BINDING, StunClass.REQUEST, TID_2_1)
                .string(StunAttribute.SOFTWARE, "STUN test client")
                .uint32(StunAttribute.PRIORITY, 0x6e0001ffL)
                .bytes(StunAttribute.ICE_CONTROLLED, hex("932ff9b151263b36"))
                .string(StunAttribute.USERNAME, "evtj:h6vY")
                .messageIntegrity(SHORT_TERM_KEY)
                .fingerprint();
        assertZeroPaddedEncodingMatches(SAMPLE_REQUEST, out, SHORT_TERM_KEY);
    }

    // --- 2.2 and 2.3 -----------------------------------------------------------------------------------------------

    @Test
    void sampleIpv4ResponseDecodes() throws StunParseException {
        assertSampleResponse(support.decode(SAMPLE_IPV4_RESPONSE), MAPPED_V4, 80);
    }

    @Test
    void sampleIpv6ResponseDecodes() throws StunParseException {
        assertSampleResponse(support.decode(SAMPLE_IPV6_RESPONSE), MAPPED_V6, 92);
    }

    @Test
    void sampleIpv4ResponseReencodesByteExactWithTheRfcSpacePadding() {
        assertEquals(hex(SAMPLE_IPV4_RESPONSE), hex(encodeSampleResponse(MAPPED_V4, true)));
    }

    @Test
    void sampleIpv6ResponseReencodesByteExactWithTheRfcSpacePadding() {
        assertEquals(hex(SAMPLE_IPV6_RESPONSE), hex(encodeSampleResponse(MAPPED_V6, true)));
    }

    @Test
    void sampleResponsesReencodeWithZeroPadding() throws StunParseException {
        ByteBuf v4 = support.own(Unpooled.wrappedBuffer(encodeSampleResponse(MAPPED_V4, false)));
        assertZeroPaddedEncodingMatches(SAMPLE_IPV4_RESPONSE, v4, SHORT_TERM_KEY);
        ByteBuf v6 = support.own(Unpooled.wrappedBuffer(encodeSampleResponse(MAPPED_V6, false)));
        assertZeroPaddedEncodingMatches(SAMPLE_IPV6_RESPONSE, v6, SHORT_TERM_KEY);
    }

    @Test
    void xorMappedAddressWireBytesMatchTheRfc() {
        // The address attribute alone, compared with the vector's bytes: X-Port 0xa147 = 32853 ^ 0x2112, and the
        // X-Address XORed with the cookie (IPv4) or the cookie and transaction ID (IPv6).
        byte[] v4 = encodeSampleResponse(MAPPED_V4, false);
        assertEquals(hex(SAMPLE_IPV4_RESPONSE).substring(72, 96), hex(v4).substring(72, 96));
        byte[] v6 = encodeSampleResponse(MAPPED_V6, false);
        assertEquals(hex(SAMPLE_IPV6_RESPONSE).substring(72, 120), hex(v6).substring(72, 120));
    }

    // --- 2.4 -------------------------------------------------------------------------------------------------------

    @Test
    void longTermRequestDecodes() throws StunParseException {
        StunMessage m = support.decode(LONG_TERM_REQUEST);
        assertEquals(StunMethod.BINDING, m.method());
        assertEquals(StunClass.REQUEST, m.messageClass());
        assertEquals(TID_2_4, m.transactionId());
        assertArrayEquals(new int[] {StunAttribute.USERNAME, StunAttribute.NONCE, StunAttribute.REALM,
                StunAttribute.MESSAGE_INTEGRITY}, types(m));
        assertEquals(MATRIX_USERNAME, m.string(StunAttribute.USERNAME));
        assertEquals(18, m.valueLength(m.indexOf(StunAttribute.USERNAME)), "USERNAME length is in UTF-8 bytes");
        assertEquals(NONCE, m.string(StunAttribute.NONCE));
        assertEquals(REALM, m.string(StunAttribute.REALM));
        assertFalse(m.hasFingerprint());
        assertTrue(m.verifyIntegrity(LONG_TERM_KEY));
        // The key must be derived from the SASLprep'd password, not the raw one.
        assertFalse(m.verifyIntegrity(md5(MATRIX_USERNAME + ":" + REALM + ":The\u00adM\u00aatr\u2168")));
        assertFalse(m.verifyIntegrity(md5(MATRIX_USERNAME + ":" + REALM + ":TheMatrix")));
    }

    @Test
    void longTermRequestReencodesByteExact() {
        ByteBuf out = support.out();
        StunWriter.begin(out, StunMethod.BINDING, StunClass.REQUEST, TID_2_4)
                .string(StunAttribute.USERNAME, MATRIX_USERNAME)
                .string(StunAttribute.NONCE, NONCE)
                .string(StunAttribute.REALM, REALM)
                .messageIntegrity(LONG_TERM_KEY)
                .finish();
        assertEquals(hex(LONG_TERM_REQUEST), hex(bytes(out)));
    }

    // --- every vector, every buffer kind ---------------------------------------------------------------------------

    static Stream<Arguments> vectors() {
        return Stream.of(
                Arguments.of("2.1", SAMPLE_REQUEST, SHORT_TERM_KEY),
                Arguments.of("2.2", SAMPLE_IPV4_RESPONSE, SHORT_TERM_KEY),
                Arguments.of("2.3", SAMPLE_IPV6_RESPONSE, SHORT_TERM_KEY),
                Arguments.of("2.4", LONG_TERM_REQUEST, LONG_TERM_KEY));
    }

    @ParameterizedTest(name = "section {0}")
    @MethodSource("vectors")
    void vectorsVerifyFromHeapDirectCompositeAndOffsetBuffers(String section, byte[] vector, byte[] key)
            throws StunParseException {
        assertTrue(StunMessage.decode(support.heap(vector)).verifyIntegrity(key), "heap");
        assertTrue(StunMessage.decode(support.direct(vector)).verifyIntegrity(key), "direct");
        for (int split : new int[] {1, 19, 20, 33, vector.length - 5}) {
            assertTrue(StunMessage.decode(support.composite(vector, split)).verifyIntegrity(key), "composite " + split);
        }
        // The message in the middle of a larger buffer, at a non-zero reader index.
        byte[] framed = new byte[vector.length + 11];
        System.arraycopy(vector, 0, framed, 7, vector.length);
        ByteBuf buf = support.direct(framed).setIndex(7, 7 + vector.length);
        StunMessage m = StunMessage.decode(buf);
        assertEquals(7, m.start());
        assertTrue(m.verifyIntegrity(key));
        assertEquals(7, buf.readerIndex(), "decode does not move indexes");
    }

    // --- tampering -------------------------------------------------------------------------------------------------

    @Test
    void tamperedByteWithoutFingerprintFailsIntegrity() throws StunParseException {
        byte[] tampered = LONG_TERM_REQUEST.clone();
        tampered[60] ^= 0x01; // inside the NONCE value
        StunMessage m = support.decode(tampered);
        assertFalse(m.verifyIntegrity(LONG_TERM_KEY));
    }

    @Test
    void everySingleBitFlipOfTheLongTermRequestIsRejectedOrFailsIntegrity() {
        for (int i = 0; i < LONG_TERM_REQUEST.length * 8; i++) {
            byte[] tampered = LONG_TERM_REQUEST.clone();
            tampered[i / 8] ^= (byte) (0x80 >>> (i % 8));
            StunMessage m;
            try {
                m = support.decode(tampered);
            } catch (StunParseException expected) {
                continue;
            }
            assertFalse(m.verifyIntegrity(LONG_TERM_KEY), "bit " + i + " flipped, still verifies");
        }
    }

    @Test
    void tamperedByteWithRecomputedFingerprintFailsIntegrity() throws StunParseException {
        byte[] tampered = SAMPLE_REQUEST.clone();
        tampered[64] ^= 0x20; // USERNAME "evtj:..." -> "Evtj:..."
        putInt(tampered, tampered.length - 4, fingerprintOf(tampered, tampered.length - 8));
        StunMessage m = support.decode(tampered);
        assertEquals("Evtj:h6vY", m.string(StunAttribute.USERNAME));
        assertTrue(m.hasFingerprint());
        assertFalse(m.verifyIntegrity(SHORT_TERM_KEY));
    }

    @ParameterizedTest(name = "section {0}")
    @MethodSource("vectors")
    void tamperedFingerprintIsAParseError(String section, byte[] vector, byte[] key) {
        if (vector == LONG_TERM_REQUEST) {
            return; // no FINGERPRINT in section 2.4
        }
        for (int bit = 0; bit < 32; bit++) {
            byte[] tampered = vector.clone();
            tampered[vector.length - 4 + bit / 8] ^= (byte) (0x80 >>> (bit % 8));
            StunParseException e = assertThrows(StunParseException.class, () -> support.decode(tampered));
            assertTrue(e.getMessage().contains("FINGERPRINT"), e.getMessage());
        }
    }

    @ParameterizedTest(name = "section {0}")
    @MethodSource("vectors")
    void everyBitFlipCoveredByTheFingerprintIsAParseError(String section, byte[] vector, byte[] key) {
        if (vector == LONG_TERM_REQUEST) {
            return;
        }
        // CRC-32 detects every single-bit error in the bytes it covers (everything before the FINGERPRINT attribute).
        // The one way around it: a flipped attribute length that swallows the rest of the message, FINGERPRINT
        // included; such a message then decodes without a FINGERPRINT and without a usable MESSAGE-INTEGRITY.
        int swallowed = 0;
        for (int i = 0; i < (vector.length - 8) * 8; i++) {
            byte[] tampered = vector.clone();
            tampered[i / 8] ^= (byte) (0x80 >>> (i % 8));
            StunMessage m;
            try {
                m = support.decode(tampered);
            } catch (StunParseException expected) {
                continue;
            }
            swallowed++;
            assertFalse(m.hasFingerprint(), "bit " + i + " flipped, FINGERPRINT still accepted");
            assertFalse(m.verifyIntegrity(key), "bit " + i + " flipped, MESSAGE-INTEGRITY still verifies");
        }
        assertTrue(swallowed <= 2, "at most a length field or two can swallow the tail: " + swallowed);
    }

    // --- helpers ---------------------------------------------------------------------------------------------------

    private void assertSampleResponse(StunMessage m, InetSocketAddress mapped, int encodedLength) {
        assertEquals(StunMethod.BINDING, m.method());
        assertEquals(StunClass.SUCCESS_RESPONSE, m.messageClass());
        assertEquals(0x0101, m.messageType());
        assertEquals(TID_2_1, m.transactionId());
        assertEquals(encodedLength, m.encodedLength());
        assertArrayEquals(new int[] {StunAttribute.SOFTWARE, StunAttribute.XOR_MAPPED_ADDRESS,
                StunAttribute.MESSAGE_INTEGRITY}, types(m));
        assertEquals("test vector", m.string(StunAttribute.SOFTWARE));
        assertEquals(mapped, m.address(StunAttribute.XOR_MAPPED_ADDRESS));
        assertNull(m.address(StunAttribute.MAPPED_ADDRESS));
        assertTrue(m.hasFingerprint());
        assertTrue(m.verifyIntegrity(SHORT_TERM_KEY));
        assertFalse(m.verifyIntegrity(LONG_TERM_KEY));
    }

    private byte[] encodeSampleResponse(InetSocketAddress mapped, boolean rfcSpacePadding) {
        ByteBuf out = support.out();
        StunWriter w = StunWriter.begin(out, StunMethod.BINDING, StunClass.SUCCESS_RESPONSE, TID_2_1)
                .string(StunAttribute.SOFTWARE, "test vector");
        if (rfcSpacePadding) {
            spacePadding(out, 1);
        }
        w.address(StunAttribute.XOR_MAPPED_ADDRESS, mapped).messageIntegrity(SHORT_TERM_KEY).fingerprint();
        return bytes(out);
    }

    /** Overwrites the last {@code n} bytes written (zero padding) with spaces, as the RFC 5769 sender did. */
    private static void spacePadding(ByteBuf out, int n) {
        for (int i = out.writerIndex() - n; i < out.writerIndex(); i++) {
            assertEquals(0, out.getByte(i), "writer pads with zeros");
            out.setByte(i, ' ');
        }
    }

    private void assertZeroPaddedEncodingMatches(byte[] vector, ByteBuf encoded, byte[] key)
            throws StunParseException {
        byte[] actual = bytes(encoded);
        assertEquals(hex(maskPaddingAndDigests(vector)), hex(maskPaddingAndDigests(actual)));
        StunMessage m = StunMessage.decode(encoded);
        assertTrue(m.hasFingerprint());
        assertTrue(m.verifyIntegrity(key));
    }

    /** Zeroes padding bytes and the values of MESSAGE-INTEGRITY(-SHA256) and FINGERPRINT, which cover padding. */
    static byte[] maskPaddingAndDigests(byte[] message) {
        byte[] b = message.clone();
        int pos = StunMessage.HEADER_LENGTH;
        while (pos < b.length) {
            int type = (b[pos] & 0xff) << 8 | (b[pos + 1] & 0xff);
            int length = (b[pos + 2] & 0xff) << 8 | (b[pos + 3] & 0xff);
            int padded = (length + 3) & ~3;
            boolean digest = type == StunAttribute.MESSAGE_INTEGRITY || type == StunAttribute.MESSAGE_INTEGRITY_SHA256
                    || type == StunAttribute.FINGERPRINT;
            for (int i = digest ? 0 : length; i < padded; i++) {
                b[pos + 4 + i] = 0;
            }
            pos += 4 + padded;
        }
        return b;
    }

    static int[] types(StunMessage m) {
        int[] types = new int[m.attributeCount()];
        for (int i = 0; i < types.length; i++) {
            types[i] = m.attributeType(i);
        }
        return types;
    }

    static InetSocketAddress address(String literal, int port) {
        try {
            return new InetSocketAddress(InetAddress.getByName(literal), port);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
