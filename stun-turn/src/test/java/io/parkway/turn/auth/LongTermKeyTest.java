package io.parkway.turn.auth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class LongTermKeyTest {
    private static final HexFormat HEX = HexFormat.of();
    /** U+30DE U+30C8 U+30EA U+30C3 U+30AF U+30B9, the username of RFC 5769 section 2.4 and RFC 8489 appendix B.1. */
    static final String MATRIX_USERNAME = "\u30de\u30c8\u30ea\u30c3\u30af\u30b9";
    static final String MATRIX_PASSWORD = "The\u00adM\u00aatr\u2168";
    static final String REALM = "example.org";

    /** RFC 5769 section 2.4, Sample Request with Long-Term Authentication (MESSAGE-INTEGRITY is the last 24 bytes). */
    private static final byte[] RFC5769_LONG_TERM_REQUEST = hex(
            "00 01 00 60 21 12 a4 42 78 ad 34 33 c6 ad 72 c0 29 da 41 2e"
            + "00 06 00 12 e3 83 9e e3 83 88 e3 83 aa e3 83 83 e3 82 af e3 82 b9 00 00"
            + "00 15 00 1c 66 2f 2f 34 39 39 6b 39 35 34 64 36 4f 4c 33 34 6f 4c 39 46 53 54 76 79 36 34 73 41"
            + "00 14 00 0b 65 78 61 6d 70 6c 65 2e 6f 72 67 00"
            + "00 08 00 14 f6 70 24 65 6d d6 4a 3e 02 b8 e0 71 2e 85 c9 a2 8c a8 96 66");

    /**
     * RFC 8489 appendix B.1 as corrected by verified erratum 6268 (https://www.rfc-editor.org/errata/eid6268):
     * USERHASH, NONCE, REALM, PASSWORD-ALGORITHM SHA-256, then MESSAGE-INTEGRITY-SHA256 in the last 36 bytes.
     */
    static final byte[] RFC8489_B1_REQUEST = hex(
            "00 01 00 90 21 12 a4 42 78 ad 34 33 c6 ad 72 c0 29 da 41 2e"
            + "00 1e 00 20 4a 3c f3 8f ef 69 92 bd a9 52 c6 78 04 17 da 0f 24 81 94 15 56 9e 60 b2 05 c4 6e 41"
            + "40 7f 17 04"
            + "00 15 00 29 6f 62 4d 61 74 4a 6f 73 32 41 41 41 43 66 2f 2f 34 39 39 6b 39 35 34 64 36 4f 4c 33"
            + "34 6f 4c 39 46 53 54 76 79 36 34 73 41 00 00 00"
            + "00 14 00 0b 65 78 61 6d 70 6c 65 2e 6f 72 67 00"
            + "00 1d 00 04 00 02 00 00"
            + "00 1c 00 20 b5 c7 bf 00 5b 6c 52 a2 1c 51 c5 e8 92 f8 19 24 13 62 96 cb 92 7c 43 14 93 09 27 8c"
            + "c6 51 8e 65");

    @Test
    void rfc8489Section922Example() {
        assertEquals("8493fbc53ba582fb4c044c456bdc40eb", HEX.formatHex(LongTermKey.md5("user", "realm", "pass")));
    }

    @Test
    void rfc5769Section24Md5Key() {
        // MD5("<katakana>:example.org:TheMatrIX"), the password after preparation.
        byte[] key = LongTermKey.md5(MATRIX_USERNAME, REALM, MATRIX_PASSWORD);
        assertEquals("e8ca7ad59d5eb0518e312911d2dab2a9", HEX.formatHex(key));
        assertEquals(PasswordAlgorithm.MD5.keyLength(), key.length);
    }

    @Test
    void rfc5769Section24MessageIntegrityVerifiesWithTheKey() throws Exception {
        byte[] key = LongTermKey.md5(MATRIX_USERNAME, REALM, MATRIX_PASSWORD);
        int integrity = RFC5769_LONG_TERM_REQUEST.length - 24;
        // The length field (0x60) already counts MESSAGE-INTEGRITY as the last attribute.
        assertArrayEquals(tail(RFC5769_LONG_TERM_REQUEST, 20),
                hmac("HmacSHA1", key, Arrays.copyOf(RFC5769_LONG_TERM_REQUEST, integrity)));
    }

    @Test
    void rfc8489AppendixB1Sha256Key() {
        byte[] key = LongTermKey.sha256(MATRIX_USERNAME, REALM, MATRIX_PASSWORD);
        assertEquals("dd295a613b9058c3c23d6dc7165bda072304d989c9d0af3a8c7e184b4f9bb4a1", HEX.formatHex(key));
        assertEquals(PasswordAlgorithm.SHA256.keyLength(), key.length);
    }

    @Test
    void rfc8489AppendixB1MessageIntegritySha256VerifiesWithTheKey() throws Exception {
        byte[] key = LongTermKey.of(PasswordAlgorithm.SHA256, MATRIX_USERNAME, REALM, MATRIX_PASSWORD);
        int integrity = RFC8489_B1_REQUEST.length - 36;
        assertArrayEquals(tail(RFC8489_B1_REQUEST, 32),
                hmac("HmacSHA256", key, Arrays.copyOf(RFC8489_B1_REQUEST, integrity)));
    }

    @Test
    void ofDispatchesOnTheAlgorithm() {
        assertArrayEquals(LongTermKey.md5("u", "r", "p"), LongTermKey.of(PasswordAlgorithm.MD5, "u", "r", "p"));
        assertArrayEquals(LongTermKey.sha256("u", "r", "p"), LongTermKey.of(PasswordAlgorithm.SHA256, "u", "r", "p"));
    }

    @Test
    void usernameIsUsedAsReceivedWhileRealmAndPasswordArePrepared() {
        // Section 9.2.2: the username comes from USERNAME, already prepared by the sender; it is not prepared again.
        assertArrayEquals(LongTermKey.md5("user", "realm", "pass"),
                LongTermKey.md5("user", "re\u00adalm", "pa\u00adss"));
        assertFalse(Arrays.equals(LongTermKey.md5("user", "realm", "pass"),
                LongTermKey.md5("us\u00ader", "realm", "pass")));
    }

    @Test
    void trailingNulsAreRemoved() {
        assertArrayEquals(LongTermKey.md5("user", "realm", "pass"), LongTermKey.md5("user\0", "realm\0\0", "pass\0"));
    }

    @Test
    void eachCallReturnsAFreshArray() {
        assertNotSame(LongTermKey.md5("u", "r", "p"), LongTermKey.md5("u", "r", "p"));
    }

    @Test
    void invalidRealmOrPasswordIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> LongTermKey.md5("user", "", "pass"));
        assertThrows(IllegalArgumentException.class, () -> LongTermKey.sha256("user", "realm", "pa\u0001ss"));
        assertThrows(NullPointerException.class, () -> LongTermKey.md5(null, "realm", "pass"));
        assertThrows(NullPointerException.class, () -> LongTermKey.of(null, "user", "realm", "pass"));
    }

    static byte[] hex(String spaced) {
        return HEX.parseHex(spaced.replace(" ", ""));
    }

    private static byte[] tail(byte[] bytes, int length) {
        return Arrays.copyOfRange(bytes, bytes.length - length, bytes.length);
    }

    private static byte[] hmac(String algorithm, byte[] key, byte[] message) throws Exception {
        Mac mac = Mac.getInstance(algorithm);
        mac.init(new SecretKeySpec(key, algorithm));
        return mac.doFinal(message);
    }
}
