package io.parkway.turn;

import io.parkway.turn.auth.PasswordAlgorithm;

/**
 * Who an authenticated request came from and the key that protects the exchange (RFC 8489 section 9.2). Requests on
 * an allocation must come from the same username that created it (RFC 8656 section 5, error 441).
 *
 * @param username the USERNAME as received (for REST credentials {@code expiry:user})
 * @param key the long-term key; used to sign responses
 * @param algorithm the password algorithm the key was derived with
 * @param sha256Integrity whether the request used MESSAGE-INTEGRITY-SHA256, so the response does too
 * @param quotaKey what allocation quotas count against: the username
 * @param rest whether this is a TURN REST (time-limited) credential
 */
record Credential(String username, byte[] key, PasswordAlgorithm algorithm, boolean sha256Integrity,
        String quotaKey, boolean rest) {

    /** A name safe for logs: static user names as they are, REST users by the part after the expiry. */
    String logName() {
        if (!rest) {
            return username;
        }
        int colon = username.indexOf(':');
        return "rest:" + (colon < 0 ? "" : username.substring(colon + 1));
    }
}
