package io.parkway.signaling;

/**
 * One ICE candidate as the browser's {@code RTCIceCandidateInit}: the candidate line (<a
 * href="https://datatracker.ietf.org/doc/html/rfc8839#section-5.1">RFC 8839 section 5.1</a>) and where it belongs.
 * Fields other than {@code candidate} may be null.
 */
record IceCandidate(String candidate, String sdpMid, Integer sdpMLineIndex, String usernameFragment) {
}
