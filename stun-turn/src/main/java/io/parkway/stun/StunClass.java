package io.parkway.stun;

/**
 * The class of a STUN message, encoded in bits C1 and C0 of the message type
 * (RFC 8489 section 5, https://datatracker.ietf.org/doc/html/rfc8489#section-5).
 */
public enum StunClass {
    REQUEST(0b00),
    INDICATION(0b01),
    SUCCESS_RESPONSE(0b10),
    ERROR_RESPONSE(0b11);

    private static final StunClass[] BY_BITS = {REQUEST, INDICATION, SUCCESS_RESPONSE, ERROR_RESPONSE};

    private final int bits;

    StunClass(int bits) {
        this.bits = bits;
    }

    /** C1C0 as a two-bit number. */
    public int bits() {
        return bits;
    }

    static StunClass ofBits(int bits) {
        return BY_BITS[bits & 0b11];
    }
}
