package io.parkway.stun;

/**
 * A packet that is not a well-formed STUN message. Carries no stack trace: malformed packets are an expected,
 * counted event on the receive path, not a bug.
 */
public final class StunParseException extends Exception {

    public StunParseException(String message) {
        super(message, null, false, false);
    }
}
