package io.parkway.turn.auth;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * A time-limited TURN username and password in coturn's REST format, as {@link RestCredentials#issue} makes them: what
 * a signaling server hands a browser for its {@code RTCIceServer} ({@code username}, {@code credential}).
 *
 * @param username {@code "<expiry>:<user>"}, or just {@code "<expiry>"} for an empty user
 * @param password base64 of HMAC-SHA1(secret, username)
 * @param expiresAt the expiry encoded in the username, a whole second
 */
public record RestCredential(String username, String password, Instant expiresAt) {

    public RestCredential {
        requireNonNull(username, "username");
        requireNonNull(password, "password");
        requireNonNull(expiresAt, "expiresAt");
    }

    /** Leaves the password out, so that logging a credential does not leak it. */
    @Override
    public String toString() {
        return "RestCredential[username=" + username + ", password=<redacted>, expiresAt=" + expiresAt + "]";
    }
}
