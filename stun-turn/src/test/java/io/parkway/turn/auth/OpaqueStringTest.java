package io.parkway.turn.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class OpaqueStringTest {

    @Test
    void rfc5769AndRfc8489VectorPasswordBecomesTheMatrix() {
        // RFC 5769 section 2.4 and RFC 8489 appendix B.1: soft hyphen removed, U+00AA and U+2168 folded by NFKC.
        assertEquals("TheMatrIX", OpaqueString.apply("The\u00adM\u00aatr\u2168"));
    }

    @Test
    void printableAsciiIsReturnedUnchanged() {
        StringBuilder all = new StringBuilder();
        for (char c = 0x20; c <= 0x7e; c++) {
            all.append(c);
        }
        String ascii = all.toString();
        assertSame(ascii, OpaqueString.apply(ascii));
        String restPassword = "TtElzSjT0GdnTQ9xdcRNxx96yQs=";
        assertSame(restPassword, OpaqueString.apply(restPassword));
    }

    @Test
    void katakanaUsernameIsUnaffected() {
        String username = "\u30de\u30c8\u30ea\u30c3\u30af\u30b9";
        assertEquals(username, OpaqueString.apply(username));
    }

    @Test
    void emptyIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OpaqueString.apply(""));
        assertTrue(e.getMessage().contains("empty"), e.getMessage());
    }

    @Test
    void stringOfOnlyMappedToNothingCharactersIsRejectedAsEmpty() {
        assertThrows(IllegalArgumentException.class, () -> OpaqueString.apply("\u00ad\u200b\ufeff"));
    }

    @Test
    void nonAsciiSpacesBecomeAsciiSpace() {
        assertEquals("a b c d", OpaqueString.apply("a\u00a0b\u3000c\u2003d"));
    }

    @Test
    void compatibilityCharactersAreFoldedByNfkc() {
        assertEquals("fi", OpaqueString.apply("\ufb01"));
        assertEquals("A", OpaqueString.apply("\uff21"));
    }

    @Test
    void controlCharacterIsRejectedWithCodePointAndIndex() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> OpaqueString.apply("abc\u0007def"));
        assertTrue(e.getMessage().startsWith("code point: U+0007 at index 3"), e.getMessage());
        assertTrue(e.getMessage().contains("(expected: "), e.getMessage());
    }

    @Test
    void errorMessageDoesNotEchoTheString() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> OpaqueString.apply("hunter2\u0000"));
        assertTrue(!e.getMessage().contains("hunter2"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "a\u0000", "a\u001f", "a\u007f", // C.2.1
        "a\u0085", "a\u2028", "a\u206a", "a\ufff9", // C.2.2
        "a\ue000", "a\udb80\udc00", // C.3 (U+E000, U+F0000)
        "a\ufdd0", "a\uffff", // C.4
        "a\ud800", "a\udc00b", // C.5, unpaired surrogates
        "a\ufffd", // C.6
        "a\u2ff0", // C.7
        "a\u200e", "a\u202e", // C.8
        "a\udb40\udc01", // C.9 (U+E0001)
    })
    void prohibitedCodePointsAreRejected(String value) {
        assertThrows(IllegalArgumentException.class, () -> OpaqueString.apply(value));
    }

    @Test
    void rightToLeftStringIsAccepted() {
        String hebrew = "\u05e9\u05dc\u05d5\u05dd";
        assertEquals(hebrew, OpaqueString.apply(hebrew));
    }

    @Test
    void mixedDirectionIsRejected() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> OpaqueString.apply("\u05e9abc\u05dd"));
        assertTrue(e.getMessage().contains("U+0061 at index 1"), e.getMessage());
    }

    @Test
    void rightToLeftStringMustStartAndEndWithRightToLeft() {
        // RFC 3454 section 6 example: a RandALCat string ending in a digit (weak direction) is rejected.
        assertThrows(IllegalArgumentException.class, () -> OpaqueString.apply("\u0627\u0031"));
        assertEquals("\u0627\u0031\u0628", OpaqueString.apply("\u0627\u0031\u0628"));
    }

    @Test
    void applyingTwiceChangesNothing() {
        String once = OpaqueString.apply("The\u00adM\u00aatr\u2168 \u00a0x");
        assertEquals(once, OpaqueString.apply(once));
    }

    @Test
    void nullIsRejected() {
        assertThrows(NullPointerException.class, () -> OpaqueString.apply(null));
    }
}
