package io.parkway.turn.auth;

/**
 * The STUN password algorithms that derive the long-term credential key, as carried in PASSWORD-ALGORITHM and
 * PASSWORD-ALGORITHMS (<a href="https://datatracker.ietf.org/doc/html/rfc8489#section-14.11">RFC 8489 section
 * 14.11</a>, <a href="https://datatracker.ietf.org/doc/html/rfc8489#section-14.12">section 14.12</a>); the registry
 * and the key formulas are in <a href="https://datatracker.ietf.org/doc/html/rfc8489#section-18.5">section 18.5</a>.
 * {@link LongTermKey#of(PasswordAlgorithm, String, String, String)} derives the key.
 */
public enum PasswordAlgorithm {
    /**
     * MD5, 16-byte key (<a href="https://datatracker.ietf.org/doc/html/rfc8489#section-18.5.1.1">RFC 8489 section
     * 18.5.1.1</a>): "MUST only be used for compatibility with legacy systems", which in practice is every WebRTC
     * browser today. A request with neither PASSWORD-ALGORITHM nor PASSWORD-ALGORITHMS uses it (<a
     * href="https://datatracker.ietf.org/doc/html/rfc8489#section-9.2.4">section 9.2.4</a>).
     */
    MD5(0x0001, 16),
    /**
     * SHA-256, 32-byte key (<a href="https://datatracker.ietf.org/doc/html/rfc8489#section-18.5.1.2">RFC 8489 section
     * 18.5.1.2</a>).
     */
    SHA256(0x0002, 32);

    private final int code;
    private final int keyLength;

    PasswordAlgorithm(int code, int keyLength) {
        this.code = code;
        this.keyLength = keyLength;
    }

    /** The 16-bit registry value, as encoded in PASSWORD-ALGORITHM. */
    public int code() {
        return code;
    }

    /** The length in bytes of the key this algorithm derives. */
    public int keyLength() {
        return keyLength;
    }

    /**
     * The algorithm registered under {@code code}, or {@code null} for 0x0000 (reserved) and every value this server
     * does not implement, which the caller answers per <a
     * href="https://datatracker.ietf.org/doc/html/rfc8489#section-9.2.4">RFC 8489 section 9.2.4</a> (400 Bad Request
     * when it does not match PASSWORD-ALGORITHMS).
     */
    public static PasswordAlgorithm ofCode(int code) {
        switch (code) {
            case 0x0001:
                return MD5;
            case 0x0002:
                return SHA256;
            default:
                return null;
        }
    }
}
