package io.parkway.turn.auth;

import static java.util.Objects.requireNonNull;

import java.text.Normalizer;

/**
 * String preparation for STUN usernames, realms and passwords.
 *
 * <p>RFC 8489 names the OpaqueString profile of <a href="https://datatracker.ietf.org/doc/html/rfc8265#section-4.2">RFC
 * 8265 section 4.2</a> (<a href="https://datatracker.ietf.org/doc/html/rfc8489#section-9.2.2">RFC 8489 section
 * 9.2.2</a>, <a href="https://datatracker.ietf.org/doc/html/rfc8489#section-14.3">section 14.3</a>), where RFC 5389
 * named SASLprep (<a href="https://datatracker.ietf.org/doc/html/rfc4013">RFC 4013</a>). The two agree on the strings
 * anyone deploys (ASCII and already-normalized text) but not on the test vectors: RFC 8489's own <a
 * href="https://datatracker.ietf.org/doc/html/rfc8489#appendix-B.1">appendix B.1</a>, like <a
 * href="https://datatracker.ietf.org/doc/html/rfc5769#section-2.4">RFC 5769 section 2.4</a>, expects
 * {@code The<U+00AD>M<U+00AA>tr<U+2168>} to become {@code TheMatrIX}, which only SASLprep produces (OpaqueString
 * would reject the soft hyphen and keep U+00AA and U+2168 as they are). coturn uses SASLprep too. So this class
 * implements SASLprep, the behaviour both test vectors and the field's reference server share:
 * <ol>
 *   <li>Map (<a href="https://datatracker.ietf.org/doc/html/rfc4013#section-2.1">RFC 4013 section 2.1</a>): the
 *       characters "commonly mapped to nothing" (<a
 *       href="https://datatracker.ietf.org/doc/html/rfc3454#appendix-B.1">RFC 3454 table B.1</a>, for example U+00AD
 *       SOFT HYPHEN) are removed, and non-ASCII spaces (table C.1.2) become U+0020.</li>
 *   <li>Normalize with Unicode NFKC (<a href="https://datatracker.ietf.org/doc/html/rfc4013#section-2.2">section
 *       2.2</a>).</li>
 *   <li>Reject prohibited code points (<a href="https://datatracker.ietf.org/doc/html/rfc4013#section-2.3">section
 *       2.3</a>): ASCII and non-ASCII controls, private use, non-characters, surrogates, characters inappropriate for
 *       plain text or canonical representation, display-changing or deprecated characters, and tags (RFC 3454 tables
 *       C.2.1 to C.9).</li>
 *   <li>Apply the bidirectional rule (<a href="https://datatracker.ietf.org/doc/html/rfc3454#section-6">RFC 3454
 *       section 6</a>): a string with right-to-left characters must not contain left-to-right ones and must begin
 *       and end with right-to-left characters.</li>
 * </ol>
 * Unassigned code points are allowed, as RFC 4013 section 2.5 allows for "queries": the JDK's Unicode tables are newer
 * than the Unicode 3.2 that SASLprep pins, so "unassigned" could not be decided faithfully anyway. An empty result is
 * rejected: no STUN username, realm or password is empty.
 *
 * <p>Error messages name the code point and its index but never echo the string, which may be a password.
 */
public final class OpaqueString {

    private OpaqueString() {
    }

    /**
     * Prepares {@code value} as described above.
     *
     * @return the prepared string; {@code value} itself when it was already prepared, as printable ASCII always is
     * @throws IllegalArgumentException if the prepared string is empty, holds a prohibited code point, or breaks the
     *     bidirectional rule
     */
    public static String apply(String value) {
        requireNonNull(value, "value");
        if (isPrintableAscii(value)) {
            return value;
        }
        String prepared = Normalizer.normalize(map(value), Normalizer.Form.NFKC);
        if (prepared.isEmpty()) {
            throw new IllegalArgumentException("prepared string: empty (expected: at least one character after "
                    + "RFC 4013 mapping and NFKC)");
        }
        checkProhibited(prepared);
        checkBidi(prepared);
        return prepared;
    }

    private static boolean isPrintableAscii(String value) {
        if (value.isEmpty()) {
            return false;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c > 0x7e) {
                return false;
            }
        }
        return true;
    }

    /** RFC 4013 section 2.1: table B.1 to nothing, table C.1.2 to U+0020. */
    private static String map(String value) {
        StringBuilder out = new StringBuilder(value.length());
        for (int i = 0; i < value.length(); ) {
            int cp = value.codePointAt(i);
            i += Character.charCount(cp);
            if (isMappedToNothing(cp)) {
                continue;
            }
            out.appendCodePoint(isNonAsciiSpace(cp) ? ' ' : cp);
        }
        return out.toString();
    }

    /** RFC 3454 table B.1, "commonly mapped to nothing". */
    static boolean isMappedToNothing(int cp) {
        return cp == 0x00ad || cp == 0x034f || cp == 0x1806 || (cp >= 0x180b && cp <= 0x180d)
                || (cp >= 0x200b && cp <= 0x200d) || cp == 0x2060 || (cp >= 0xfe00 && cp <= 0xfe0f)
                || cp == 0xfeff;
    }

    /** RFC 3454 table C.1.2, non-ASCII space characters. */
    static boolean isNonAsciiSpace(int cp) {
        return cp == 0x00a0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200b) || cp == 0x202f || cp == 0x205f
                || cp == 0x3000;
    }

    /** RFC 3454 tables C.1.2 and C.2.1 to C.9, the ones RFC 4013 section 2.3 prohibits. */
    static boolean isProhibited(int cp) {
        return isNonAsciiSpace(cp)
                // C.2.1 ASCII control characters
                || cp <= 0x1f || cp == 0x7f
                // C.2.2 non-ASCII control characters
                || (cp >= 0x80 && cp <= 0x9f) || cp == 0x06dd || cp == 0x070f || cp == 0x180e || cp == 0x200c
                || cp == 0x200d || cp == 0x2028 || cp == 0x2029 || (cp >= 0x2060 && cp <= 0x2063)
                || (cp >= 0x206a && cp <= 0x206f) || cp == 0xfeff || (cp >= 0xfff9 && cp <= 0xfffc)
                || (cp >= 0x1d173 && cp <= 0x1d17a)
                // C.3 private use
                || (cp >= 0xe000 && cp <= 0xf8ff) || (cp >= 0xf0000 && cp <= 0xffffd)
                || (cp >= 0x100000 && cp <= 0x10fffd)
                // C.4 non-character code points
                || (cp >= 0xfdd0 && cp <= 0xfdef) || (cp & 0xfffe) == 0xfffe
                // C.5 surrogate codes (unpaired in a Java string)
                || (cp >= 0xd800 && cp <= 0xdfff)
                // C.6 inappropriate for plain text (FFF9-FFFC already in C.2.2)
                || cp == 0xfffd
                // C.7 inappropriate for canonical representation
                || (cp >= 0x2ff0 && cp <= 0x2ffb)
                // C.8 change display properties or deprecated
                || cp == 0x0340 || cp == 0x0341 || cp == 0x200e || cp == 0x200f || (cp >= 0x202a && cp <= 0x202e)
                // C.9 tagging characters
                || cp == 0xe0001 || (cp >= 0xe0020 && cp <= 0xe007f);
    }

    private static void checkProhibited(String prepared) {
        for (int i = 0; i < prepared.length(); ) {
            int cp = prepared.codePointAt(i);
            if (isProhibited(cp)) {
                throw new IllegalArgumentException(String.format(
                        "code point: U+%04X at index %d of the prepared string (expected: none of the prohibited "
                                + "characters of RFC 4013 section 2.3, such as controls, private use, non-characters, "
                                + "surrogates or tags)", cp, i));
            }
            i += Character.charCount(cp);
        }
    }

    /** RFC 3454 section 6, with RandALCat and LCat taken from the JDK's bidirectional character types. */
    private static void checkBidi(String prepared) {
        boolean randAl = false;
        int firstLeftToRight = -1;
        for (int i = 0; i < prepared.length(); ) {
            int cp = prepared.codePointAt(i);
            if (isRandAl(cp)) {
                randAl = true;
            } else if (firstLeftToRight < 0
                    && Character.getDirectionality(cp) == Character.DIRECTIONALITY_LEFT_TO_RIGHT) {
                firstLeftToRight = i;
            }
            i += Character.charCount(cp);
        }
        if (!randAl) {
            return;
        }
        if (firstLeftToRight >= 0) {
            throw new IllegalArgumentException(String.format(
                    "code point: U+%04X at index %d of the prepared string (expected: no left-to-right characters in a "
                            + "string with right-to-left ones, RFC 3454 section 6)",
                    prepared.codePointAt(firstLeftToRight), firstLeftToRight));
        }
        int last = prepared.offsetByCodePoints(prepared.length(), -1);
        if (!isRandAl(prepared.codePointAt(0)) || !isRandAl(prepared.codePointAt(last))) {
            int at = isRandAl(prepared.codePointAt(0)) ? last : 0;
            throw new IllegalArgumentException(String.format(
                    "code point: U+%04X at index %d of the prepared string (expected: a string with right-to-left "
                            + "characters to begin and end with one, RFC 3454 section 6)",
                    prepared.codePointAt(at), at));
        }
    }

    private static boolean isRandAl(int cp) {
        byte d = Character.getDirectionality(cp);
        return d == Character.DIRECTIONALITY_RIGHT_TO_LEFT || d == Character.DIRECTIONALITY_RIGHT_TO_LEFT_ARABIC;
    }
}
