package io.parkway.signaling;

/** A request the protocol refuses, with the stable code sent to the client. Carries no stack trace. */
final class SignalingException extends Exception {

    private final ErrorCode code;

    SignalingException(ErrorCode code, String message) {
        super(message, null, false, false);
        this.code = code;
    }

    static SignalingException badMessage(String message) {
        return new SignalingException(ErrorCode.BAD_MESSAGE, message);
    }

    ErrorCode code() {
        return code;
    }
}
