package io.parkway.turn.auth;

import static java.util.Objects.requireNonNull;

import java.util.Base64;
import java.util.EnumSet;
import java.util.Set;

/**
 * The STUN Security Features that a server announces in the nonce cookie, protected against bid-down attacks by the
 * nonce itself (<a href="https://datatracker.ietf.org/doc/html/rfc8489#section-9.2">RFC 8489 section 9.2</a>, <a
 * href="https://datatracker.ietf.org/doc/html/rfc8489#section-9.2.1">section 9.2.1</a>; registry in <a
 * href="https://datatracker.ietf.org/doc/html/rfc8489#section-18.1">section 18.1</a>).
 *
 * <p>The nonce cookie is {@value #COOKIE} followed by the 24-bit feature set as 3 bytes in 4 characters of standard
 * base64 (<a href="https://datatracker.ietf.org/doc/html/rfc4648#section-4">RFC 4648 section 4</a>), "with bit 0 as the
 * most significant bit of the first byte" (section 9.2). So "Password algorithms" alone is {@code gAAA} and both
 * features are {@code wAAA}. Note: the example nonce of <a
 * href="https://datatracker.ietf.org/doc/html/rfc8489#appendix-B.1">appendix B.1</a> ({@code obMatJos2AAAC}) and some
 * clients (libjuice) number the bits from the least significant end instead; such a client reads this server's bits
 * as unassigned ones and falls back to MD5 and USERNAME, which this server accepts, so the disagreement costs
 * SHA-256, never connectivity.
 */
public enum SecurityFeature {
    /**
     * Bit 0, "Password algorithms": the response carries PASSWORD-ALGORITHMS and the client must echo it along with
     * its choice in PASSWORD-ALGORITHM (<a href="https://datatracker.ietf.org/doc/html/rfc8489#section-9.2.4">RFC 8489
     * section 9.2.4</a>). Set it when the server offers SHA-256 keys.
     */
    PASSWORD_ALGORITHMS(0),
    /**
     * Bit 1, "Username anonymity": a client that sees it MUST send USERHASH instead of USERNAME (<a
     * href="https://datatracker.ietf.org/doc/html/rfc8489#section-9.2.5">RFC 8489 section 9.2.5</a>). Set it only when
     * every user can be found by {@link UserHash}: a coturn REST username carries its own expiry and cannot be
     * recovered from its hash, so a server that accepts REST credentials must not announce this feature.
     */
    USERNAME_ANONYMITY(1);

    /** The prefix of every nonce that announces features, RFC 8489 section 9.2. */
    public static final String COOKIE = "obMatJos2";
    /** The length of the whole nonce cookie: {@value #COOKIE} and 4 base64 characters. */
    public static final int COOKIE_LENGTH = 13;

    private static final SecurityFeature[] VALUES = values();

    private final int bit;

    SecurityFeature(int bit) {
        this.bit = bit;
    }

    /** The bit number in the registry, 0 being the most significant bit of the 24. */
    public int bit() {
        return bit;
    }

    /** The complete 13-character nonce cookie announcing {@code features}. */
    public static String cookie(Set<SecurityFeature> features) {
        requireNonNull(features, "features");
        int set = 0;
        for (SecurityFeature feature : features) {
            set |= 1 << (23 - feature.bit);
        }
        byte[] bytes = {(byte) (set >>> 16), (byte) (set >>> 8), (byte) set};
        return COOKIE + Base64.getEncoder().encodeToString(bytes);
    }

    /**
     * The features a nonce announces: empty when it does not begin with a well-formed nonce cookie, as in an RFC 5389
     * server's nonce. Unassigned bits are ignored. The nonce is not authenticated here; a server checks its own nonces
     * with {@link NonceCodec#verify(String)} before trusting their features.
     */
    public static Set<SecurityFeature> ofNonce(String nonce) {
        requireNonNull(nonce, "nonce");
        Set<SecurityFeature> features = EnumSet.noneOf(SecurityFeature.class);
        if (nonce.length() < COOKIE_LENGTH || !nonce.startsWith(COOKIE)) {
            return features;
        }
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(nonce.substring(COOKIE.length(), COOKIE_LENGTH));
        } catch (IllegalArgumentException e) {
            return features;
        }
        if (bytes.length != 3) {
            return features;
        }
        int set = (bytes[0] & 0xff) << 16 | (bytes[1] & 0xff) << 8 | bytes[2] & 0xff;
        for (SecurityFeature feature : VALUES) {
            if ((set & 1 << (23 - feature.bit)) != 0) {
                features.add(feature);
            }
        }
        return features;
    }
}
