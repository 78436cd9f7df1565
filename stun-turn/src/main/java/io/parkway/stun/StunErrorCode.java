package io.parkway.stun;

/**
 * STUN and TURN error codes with their reason phrases: RFC 8489 section 14.8
 * (https://datatracker.ietf.org/doc/html/rfc8489#section-14.8) and RFC 8656 section 19
 * (https://datatracker.ietf.org/doc/html/rfc8656#section-19).
 */
public final class StunErrorCode {
    public static final int TRY_ALTERNATE = 300;
    public static final int BAD_REQUEST = 400;
    public static final int UNAUTHENTICATED = 401;
    public static final int FORBIDDEN = 403;
    public static final int UNKNOWN_ATTRIBUTE = 420;
    public static final int ALLOCATION_MISMATCH = 437;
    public static final int STALE_NONCE = 438;
    public static final int ADDRESS_FAMILY_NOT_SUPPORTED = 440;
    public static final int WRONG_CREDENTIALS = 441;
    public static final int UNSUPPORTED_TRANSPORT_PROTOCOL = 442;
    public static final int PEER_ADDRESS_FAMILY_MISMATCH = 443;
    public static final int ALLOCATION_QUOTA_REACHED = 486;
    public static final int ROLE_CONFLICT = 487;
    public static final int SERVER_ERROR = 500;
    public static final int INSUFFICIENT_CAPACITY = 508;
    /**
     * Not in the IANA registry: Parkway's answer to Allocate while the server drains before a shutdown. A class-5
     * server error (RFC 8489 section 14.8 allows 300-699), which clients treat as "use another server".
     */
    public static final int SERVICE_UNAVAILABLE = 503;

    private StunErrorCode() {
    }

    /** The reason phrase recommended by the RFCs. */
    public static String reason(int code) {
        switch (code) {
            case TRY_ALTERNATE: return "Try Alternate";
            case BAD_REQUEST: return "Bad Request";
            case UNAUTHENTICATED: return "Unauthenticated";
            case FORBIDDEN: return "Forbidden";
            case UNKNOWN_ATTRIBUTE: return "Unknown Attribute";
            case ALLOCATION_MISMATCH: return "Allocation Mismatch";
            case STALE_NONCE: return "Stale Nonce";
            case ADDRESS_FAMILY_NOT_SUPPORTED: return "Address Family not Supported";
            case WRONG_CREDENTIALS: return "Wrong Credentials";
            case UNSUPPORTED_TRANSPORT_PROTOCOL: return "Unsupported Transport Protocol";
            case PEER_ADDRESS_FAMILY_MISMATCH: return "Peer Address Family Mismatch";
            case ALLOCATION_QUOTA_REACHED: return "Allocation Quota Reached";
            case ROLE_CONFLICT: return "Role Conflict";
            case SERVER_ERROR: return "Server Error";
            case INSUFFICIENT_CAPACITY: return "Insufficient Capacity";
            case SERVICE_UNAVAILABLE: return "Service Unavailable: Server Draining";
            default: return "Error " + code;
        }
    }
}
