package io.parkway.server.check;

/**
 * Why a step of {@code parkway check} failed: a short {@linkplain #getMessage() reason} for the step line ("401
 * Unauthenticated", "no response after 7 tries in 10.0 s") and a {@link #hint()} for the verdict that tells the
 * sysadmin what to look at. No stack trace: this is an expected outcome, not a bug.
 */
final class CheckFailure extends Exception {
    private final int errorCode;
    private final String hint;

    CheckFailure(String reason, String hint) {
        this(reason, -1, hint);
    }

    CheckFailure(String reason, int errorCode, String hint) {
        super(reason, null, false, false);
        this.errorCode = errorCode;
        this.hint = hint;
    }

    /** The STUN error code the server answered with, or -1 when the failure was not an error response. */
    int errorCode() {
        return errorCode;
    }

    /** What to check, or null when the reason says it all. */
    String hint() {
        return hint;
    }

    /** The same failure with a hint that knows the step it happened in; keeps the reason and code. */
    CheckFailure withHint(String newHint) {
        return new CheckFailure(getMessage(), errorCode, newHint);
    }
}
