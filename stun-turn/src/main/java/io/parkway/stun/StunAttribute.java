package io.parkway.stun;

/**
 * STUN attribute types (IANA "STUN Attributes" registry) with the RFC section defining each. Types 0x0000-0x7FFF are
 * comprehension-required, 0x8000-0xFFFF comprehension-optional (RFC 8489 section 14,
 * https://datatracker.ietf.org/doc/html/rfc8489#section-14).
 */
public final class StunAttribute {
    /** RFC 8489 section 14.1. */
    public static final int MAPPED_ADDRESS = 0x0001;
    /** RFC 8489 section 14.3. */
    public static final int USERNAME = 0x0006;
    /** RFC 8489 section 14.5. */
    public static final int MESSAGE_INTEGRITY = 0x0008;
    /** RFC 8489 section 14.8. */
    public static final int ERROR_CODE = 0x0009;
    /** RFC 8489 section 14.13. */
    public static final int UNKNOWN_ATTRIBUTES = 0x000a;
    /** RFC 8656 section 18.1. */
    public static final int CHANNEL_NUMBER = 0x000c;
    /** RFC 8656 section 18.2. */
    public static final int LIFETIME = 0x000d;
    /** RFC 8656 section 18.3. */
    public static final int XOR_PEER_ADDRESS = 0x0012;
    /** RFC 8656 section 18.4. */
    public static final int DATA = 0x0013;
    /** RFC 8489 section 14.9. */
    public static final int REALM = 0x0014;
    /** RFC 8489 section 14.10. */
    public static final int NONCE = 0x0015;
    /** RFC 8656 section 18.5. */
    public static final int XOR_RELAYED_ADDRESS = 0x0016;
    /** RFC 8656 section 18.6. */
    public static final int REQUESTED_ADDRESS_FAMILY = 0x0017;
    /** RFC 8656 section 18.7. */
    public static final int EVEN_PORT = 0x0018;
    /** RFC 8656 section 18.8. */
    public static final int REQUESTED_TRANSPORT = 0x0019;
    /** RFC 8656 section 18.9. */
    public static final int DONT_FRAGMENT = 0x001a;
    /** RFC 8489 section 14.6. */
    public static final int MESSAGE_INTEGRITY_SHA256 = 0x001c;
    /** RFC 8489 section 14.12. */
    public static final int PASSWORD_ALGORITHM = 0x001d;
    /** RFC 8489 section 14.4. */
    public static final int USERHASH = 0x001e;
    /** RFC 8489 section 14.2. */
    public static final int XOR_MAPPED_ADDRESS = 0x0020;
    /** RFC 8656 section 18.10. */
    public static final int RESERVATION_TOKEN = 0x0022;
    /** RFC 8489 section 14.11. */
    public static final int PASSWORD_ALGORITHMS = 0x8002;
    /** RFC 8489 section 14.16. */
    public static final int ALTERNATE_DOMAIN = 0x8003;
    /** RFC 8489 section 14.14. */
    public static final int SOFTWARE = 0x8022;
    /** RFC 8489 section 14.15. */
    public static final int ALTERNATE_SERVER = 0x8023;
    /** RFC 8489 section 14.7. */
    public static final int FINGERPRINT = 0x8028;
    /** RFC 8656 section 18.11. */
    public static final int ADDITIONAL_ADDRESS_FAMILY = 0x8000;
    /** RFC 8656 section 18.12. */
    public static final int ADDRESS_ERROR_CODE = 0x8001;
    /** RFC 8656 section 18.13. */
    public static final int ICMP = 0x8004;
    /** RFC 8445 section 16.1 (ICE), tolerated in Binding requests. */
    public static final int PRIORITY = 0x0024;
    /** RFC 8445 section 16.1. */
    public static final int USE_CANDIDATE = 0x0025;
    /** RFC 8445 section 16.1. */
    public static final int ICE_CONTROLLED = 0x8029;
    /** RFC 8445 section 16.1. */
    public static final int ICE_CONTROLLING = 0x802a;

    private StunAttribute() {
    }

    /** RFC 8489 section 14: types below 0x8000 must be understood or the request fails with 420. */
    public static boolean isComprehensionRequired(int type) {
        return type < 0x8000;
    }

    /** Whether this implementation understands a comprehension-required attribute type. */
    public static boolean isKnownComprehensionRequired(int type) {
        switch (type) {
            case MAPPED_ADDRESS: case USERNAME: case MESSAGE_INTEGRITY: case ERROR_CODE: case UNKNOWN_ATTRIBUTES:
            case CHANNEL_NUMBER: case LIFETIME: case XOR_PEER_ADDRESS: case DATA: case REALM: case NONCE:
            case XOR_RELAYED_ADDRESS: case REQUESTED_ADDRESS_FAMILY: case EVEN_PORT: case REQUESTED_TRANSPORT:
            case DONT_FRAGMENT: case MESSAGE_INTEGRITY_SHA256: case PASSWORD_ALGORITHM: case USERHASH:
            case XOR_MAPPED_ADDRESS: case RESERVATION_TOKEN: case PRIORITY: case USE_CANDIDATE:
                return true;
            default:
                return false;
        }
    }
}
