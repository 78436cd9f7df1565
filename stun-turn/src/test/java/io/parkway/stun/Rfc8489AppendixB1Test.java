package io.parkway.stun;

import static io.parkway.stun.Rfc5769VectorsTest.MATRIX_USERNAME;
import static io.parkway.stun.Rfc5769VectorsTest.REALM;
import static io.parkway.stun.Rfc5769VectorsTest.types;
import static io.parkway.stun.StunTestSupport.bytes;
import static io.parkway.stun.StunTestSupport.hex;
import static io.parkway.stun.StunTestSupport.hmac;
import static io.parkway.stun.StunTestSupport.md5;
import static io.parkway.stun.StunTestSupport.setLength;
import static io.parkway.stun.StunTestSupport.sha256;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * RFC 8489 Appendix B.1 (https://datatracker.ietf.org/doc/html/rfc8489#appendix-B.1): a Binding request with
 * USERHASH, NONCE, REALM, PASSWORD-ALGORITHM and MESSAGE-INTEGRITY-SHA256, as corrected by verified erratum 6268
 * (https://www.rfc-editor.org/errata/eid6268).
 *
 * <p>The vector as printed in the RFC does not verify. The corrected message differs in three places: the header
 * length is 0x0090 (144) instead of 0x009c, a PASSWORD-ALGORITHM attribute (SHA-256, 0x0002, no parameters) sits
 * between REALM and MESSAGE-INTEGRITY-SHA256, and the HMAC value is new. The HMAC is keyed with the SHA-256
 * long-term key of RFC 8489 section 9.2.2, {@code SHA-256("マトリックス:example.org:TheMatrIX")} (password after
 * OpaqueString), as PASSWORD-ALGORITHM selects; the MD5 key does not verify it. The bytes below are the corrected
 * ones; the digest was checked against that key with an HMAC independent of the code under test before this test
 * was written.
 */
class Rfc8489AppendixB1Test {
    static final String NONCE = "obMatJos2AAACf//499k954d6OL34oL9FSTvy64sA";
    /** RFC 8489 section 9.2.2 with PASSWORD-ALGORITHM SHA-256: key = SHA-256(username ":" realm ":" password). */
    static final byte[] SHA256_KEY = sha256(MATRIX_USERNAME + ":" + REALM + ":TheMatrIX");
    static final TransactionId TID = TransactionId.of(hex("78ad3433c6ad72c029da412e"));

    static final byte[] REQUEST = hex(
            "0001 0090 2112a442 78ad3433 c6ad72c0 29da412e" // Binding request, length 144 (erratum: not 0x009c)
            + "001e 0020 4a3cf38f ef6992bd a952c678 0417da0f 24819415 569e60b2 05c46e41 407f1704" // USERHASH
            + "0015 0029 6f624d61 744a6f73 32414141 43662f2f 3439396b 39353464 364f4c33 346f4c39"
            + "          46535476 79363473 41000000" // NONCE (41 bytes), 3 bytes padding
            + "0014 000b 6578616d 706c652e 6f726700" // REALM "example.org", 1 byte padding
            + "001d 0004 00020000" // PASSWORD-ALGORITHM SHA-256, no parameters (added by the erratum)
            + "001c 0020 b5c7bf00 5b6c52a2 1c51c5e8 92f81924 136296cb 927c4314 9309278c c6518e65"); // M-I-SHA256

    private final StunTestSupport support = new StunTestSupport();

    @AfterEach
    void release() {
        support.releaseAll();
    }

    @Test
    void decodesAndVerifiesWithTheSha256Key() throws StunParseException {
        StunMessage m = support.decode(REQUEST);
        assertEquals(StunMethod.BINDING, m.method());
        assertEquals(StunClass.REQUEST, m.messageClass());
        assertEquals(TID, m.transactionId());
        assertEquals(164, m.encodedLength());
        assertArrayEquals(new int[] {StunAttribute.USERHASH, StunAttribute.NONCE, StunAttribute.REALM,
                StunAttribute.PASSWORD_ALGORITHM, StunAttribute.MESSAGE_INTEGRITY_SHA256}, types(m));
        assertEquals(NONCE, m.string(StunAttribute.NONCE));
        assertEquals(REALM, m.string(StunAttribute.REALM));
        assertArrayEquals(hex("0002 0000"), m.bytes(StunAttribute.PASSWORD_ALGORITHM), "SHA-256, no parameters");
        assertFalse(m.has(StunAttribute.USERNAME));
        assertFalse(m.hasIntegrity());
        assertTrue(m.hasIntegritySha256());
        assertFalse(m.hasFingerprint());
        assertTrue(m.verifyIntegritySha256(SHA256_KEY));
        assertFalse(m.verifyIntegrity(SHA256_KEY), "no MESSAGE-INTEGRITY (SHA-1) in this message");
    }

    @Test
    void theMd5KeyDoesNotVerify() throws StunParseException {
        // PASSWORD-ALGORITHM says SHA-256, so the RFC 5769-style MD5 key must not be the one that verifies.
        StunMessage m = support.decode(REQUEST);
        assertFalse(m.verifyIntegritySha256(md5(MATRIX_USERNAME + ":" + REALM + ":TheMatrIX")));
    }

    @Test
    void userhashIsSha256OfUsernameAndRealm() throws StunParseException {
        // RFC 8489 section 14.4: userhash = SHA-256(OpaqueString(username) ":" OpaqueString(realm)).
        StunMessage m = support.decode(REQUEST);
        assertEquals(hex(sha256(MATRIX_USERNAME + ":" + REALM)), hex(m.bytes(StunAttribute.USERHASH)));
    }

    @Test
    void reencodesByteExact() {
        ByteBuf out = support.out();
        StunWriter.begin(out, StunMethod.BINDING, StunClass.REQUEST, TID)
                .bytes(StunAttribute.USERHASH, sha256(MATRIX_USERNAME + ":" + REALM))
                .string(StunAttribute.NONCE, NONCE)
                .string(StunAttribute.REALM, REALM)
                .bytes(StunAttribute.PASSWORD_ALGORITHM, hex("0002 0000"))
                .messageIntegritySha256(SHA256_KEY)
                .finish();
        assertEquals(hex(REQUEST), hex(bytes(out)));
    }

    @Test
    void verifiesFromADirectBuffer() throws StunParseException {
        assertTrue(StunMessage.decode(support.direct(REQUEST)).verifyIntegritySha256(SHA256_KEY));
        assertTrue(StunMessage.decode(support.composite(REQUEST, 90)).verifyIntegritySha256(SHA256_KEY));
    }

    @Test
    void theUncorrectedLengthIsAParseError() {
        byte[] published = REQUEST.clone();
        published[3] = (byte) 0x9c; // the length printed in RFC 8489 before the erratum
        assertThrows(StunParseException.class, () -> support.decode(published));
    }

    @Test
    void tamperedValueFailsIntegrity() throws StunParseException {
        for (int i = StunMessage.HEADER_LENGTH; i < REQUEST.length; i++) {
            byte[] tampered = REQUEST.clone();
            tampered[i] ^= 0x01;
            StunMessage m;
            try {
                m = support.decode(tampered);
            } catch (StunParseException e) {
                continue; // a length or type field: the message no longer parses
            }
            assertFalse(m.verifyIntegritySha256(SHA256_KEY), "byte " + i + " changed, still verifies");
        }
    }

    /**
     * RFC 8489 section 14.6: MESSAGE-INTEGRITY-SHA256 may be truncated to 16-32 bytes in steps of 4; the HMAC input is
     * the same except that the header length counts the truncated attribute. Built here with the JDK's HMAC.
     */
    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(ints = {16, 20, 24, 28, 32})
    void truncatedMessageIntegritySha256Verifies(int truncatedLength) throws StunParseException {
        int attributeIndex = REQUEST.length - 36;
        byte[] message = Arrays.copyOf(REQUEST, attributeIndex + 4 + truncatedLength);
        setLength(message, message.length);
        message[attributeIndex + 2] = 0;
        message[attributeIndex + 3] = (byte) truncatedLength;
        byte[] mac = hmac("HmacSHA256", SHA256_KEY, message, 0, attributeIndex);
        System.arraycopy(mac, 0, message, attributeIndex + 4, truncatedLength);

        StunMessage m = support.decode(message);
        assertEquals(truncatedLength, m.valueLength(m.indexOf(StunAttribute.MESSAGE_INTEGRITY_SHA256)));
        assertTrue(m.verifyIntegritySha256(SHA256_KEY), "truncated to " + truncatedLength);
        assertFalse(m.verifyIntegritySha256(md5("wrong key")));
    }
}
