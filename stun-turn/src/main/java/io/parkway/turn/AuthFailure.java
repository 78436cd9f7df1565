package io.parkway.turn;

/** Why a request failed authentication; each reason is counted separately. */
enum AuthFailure {
    /** No MESSAGE-INTEGRITY: the normal first step, answered with a 401 challenge (RFC 8489 section 9.2.4). */
    CHALLENGE("challenge"),
    /** Integrity present but USERNAME/USERHASH, REALM or NONCE missing: 400. */
    MISSING_ATTRIBUTES("missing_attributes"),
    /** The NONCE expired or was not issued by this server: 438. */
    STALE_NONCE("stale_nonce"),
    /** Neither a static user nor a REST credential: 401. */
    UNKNOWN_USER("unknown_user"),
    /** A REST credential past its expiry timestamp: 401. */
    EXPIRED_CREDENTIAL("expired_credential"),
    /** MESSAGE-INTEGRITY did not verify with the user's key: 401. */
    BAD_INTEGRITY("bad_integrity"),
    /** PASSWORD-ALGORITHMS/PASSWORD-ALGORITHM inconsistent with what the server offered: 400. */
    BAD_ALGORITHM("bad_algorithm");

    private final String label;

    AuthFailure(String label) {
        this.label = label;
    }

    /** A metric label value. */
    String label() {
        return label;
    }
}
