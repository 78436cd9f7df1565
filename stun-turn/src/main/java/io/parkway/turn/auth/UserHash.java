package io.parkway.turn.auth;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * The value of the USERHASH attribute (<a href="https://datatracker.ietf.org/doc/html/rfc8489#section-14.4">RFC 8489
 * section 14.4</a>), which a client sends instead of USERNAME when the nonce cookie has the "Username anonymity"
 * feature ({@link SecurityFeature#USERNAME_ANONYMITY}):
 * <pre>
 * userhash = SHA-256(OpaqueString(username) ":" OpaqueString(realm))
 * </pre>
 * over UTF-8, 32 bytes. A server resolves it by computing this hash for each user it knows and looking it up, so it
 * only works with a user table; coturn-style REST credentials cannot be resolved from a hash (see {@link
 * SecurityFeature#USERNAME_ANONYMITY}).
 */
public final class UserHash {

    /** The length of a USERHASH value in bytes. */
    public static final int LENGTH = 32;

    private UserHash() {
    }

    /**
     * The USERHASH of {@code username} in {@code realm}; a new array the caller owns.
     *
     * @throws IllegalArgumentException if either string is rejected by {@link OpaqueString#apply(String)}
     */
    public static byte[] of(String username, String realm) {
        String preparedUsername = OpaqueString.apply(requireNonNull(username, "username"));
        String preparedRealm = OpaqueString.apply(requireNonNull(realm, "realm"));
        MessageDigest digest = LongTermKey.newDigest("SHA-256");
        digest.update(preparedUsername.getBytes(StandardCharsets.UTF_8));
        digest.update((byte) ':');
        digest.update(preparedRealm.getBytes(StandardCharsets.UTF_8));
        return digest.digest();
    }
}
