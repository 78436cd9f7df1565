package io.parkway.stun;

/**
 * STUN method numbers (IANA "STUN Methods" registry). Binding is defined by RFC 8489 section 18.2
 * (https://datatracker.ietf.org/doc/html/rfc8489#section-18.2); the TURN methods by RFC 8656 section 17
 * (https://datatracker.ietf.org/doc/html/rfc8656#section-17).
 */
public final class StunMethod {
    public static final int BINDING = 0x001;
    public static final int ALLOCATE = 0x003;
    public static final int REFRESH = 0x004;
    public static final int SEND = 0x006;
    public static final int DATA = 0x007;
    public static final int CREATE_PERMISSION = 0x008;
    public static final int CHANNEL_BIND = 0x009;

    private StunMethod() {
    }

    /** A name for logs and metric labels; {@code "0x0ab"} for an unknown method. */
    public static String name(int method) {
        switch (method) {
            case BINDING: return "binding";
            case ALLOCATE: return "allocate";
            case REFRESH: return "refresh";
            case SEND: return "send";
            case DATA: return "data";
            case CREATE_PERMISSION: return "create_permission";
            case CHANNEL_BIND: return "channel_bind";
            default: return String.format("0x%03x", method);
        }
    }

    /**
     * The 14-bit message type of a method and class: method bits M0-M11 interleaved with C0 (bit 4) and C1 (bit 8),
     * RFC 8489 section 5 figure 3.
     */
    public static int messageType(int method, StunClass cls) {
        int c = cls.bits();
        return (method & 0x000f) | ((method & 0x0070) << 1) | ((method & 0x0f80) << 2)
                | ((c & 0b01) << 4) | ((c & 0b10) << 7);
    }

    /** The method of a 14-bit message type. */
    public static int methodOf(int messageType) {
        return (messageType & 0x000f) | ((messageType & 0x00e0) >> 1) | ((messageType & 0x3e00) >> 2);
    }

    /** The class of a 14-bit message type. */
    public static StunClass classOf(int messageType) {
        return StunClass.ofBits(((messageType >> 4) & 0b01) | ((messageType >> 7) & 0b10));
    }
}
