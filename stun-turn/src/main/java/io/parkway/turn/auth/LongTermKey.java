package io.parkway.turn.auth;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The HMAC key of the long-term credential mechanism (<a
 * href="https://datatracker.ietf.org/doc/html/rfc8489#section-9.2.2">RFC 8489 section 9.2.2</a>, <a
 * href="https://datatracker.ietf.org/doc/html/rfc8489#section-18.5.1">section 18.5.1</a>):
 * <pre>
 * key = MD5(username ":" OpaqueString(realm) ":" OpaqueString(password))       16 bytes, MESSAGE-INTEGRITY
 * key = SHA-256(username ":" OpaqueString(realm) ":" OpaqueString(password))   32 bytes, with PASSWORD-ALGORITHM
 * </pre>
 * over the UTF-8 encoding of the concatenation. Exactly as section 9.2.2 specifies, the username is used as taken from
 * the USERNAME attribute, "in which case OpaqueString has already been applied" by the sender (<a
 * href="https://datatracker.ietf.org/doc/html/rfc8489#section-14.3">section 14.3</a>): this class does not prepare it
 * again, so a server passes the attribute value as received and a client passes {@link OpaqueString#apply(String)
 * OpaqueString.apply(username)}, the same string it puts in USERNAME. Realm and password go through {@link
 * OpaqueString}. Trailing NUL characters are removed from all three, which section 9.2.2 also asks for.
 *
 * <p>The key depends only on the credentials, so a server may cache it per user (it is what SIP calls H(A1)). Each
 * call returns a new array that the caller owns.
 */
public final class LongTermKey {

    private LongTermKey() {
    }

    /** The key for {@code algorithm}; see {@link #md5} and {@link #sha256}. */
    public static byte[] of(PasswordAlgorithm algorithm, String username, String realm, String password) {
        requireNonNull(algorithm, "algorithm");
        return algorithm == PasswordAlgorithm.SHA256
                ? sha256(username, realm, password)
                : md5(username, realm, password);
    }

    /**
     * The 16-byte key for MESSAGE-INTEGRITY (<a
     * href="https://datatracker.ietf.org/doc/html/rfc8489#section-18.5.1.1">RFC 8489 section 18.5.1.1</a>), which is
     * also RFC 5389's key.
     *
     * @throws IllegalArgumentException if the realm or password is rejected by {@link OpaqueString#apply(String)}
     */
    public static byte[] md5(String username, String realm, String password) {
        return digest("MD5", username, realm, password);
    }

    /**
     * The 32-byte key for PASSWORD-ALGORITHM SHA-256 (<a
     * href="https://datatracker.ietf.org/doc/html/rfc8489#section-18.5.1.2">RFC 8489 section 18.5.1.2</a>).
     *
     * @throws IllegalArgumentException if the realm or password is rejected by {@link OpaqueString#apply(String)}
     */
    public static byte[] sha256(String username, String realm, String password) {
        return digest("SHA-256", username, realm, password);
    }

    private static byte[] digest(String algorithm, String username, String realm, String password) {
        String user = withoutTrailingNuls(requireNonNull(username, "username"));
        String preparedRealm = OpaqueString.apply(withoutTrailingNuls(requireNonNull(realm, "realm")));
        String preparedPassword = OpaqueString.apply(withoutTrailingNuls(requireNonNull(password, "password")));
        MessageDigest digest = newDigest(algorithm);
        digest.update(user.getBytes(StandardCharsets.UTF_8));
        digest.update((byte) ':');
        digest.update(preparedRealm.getBytes(StandardCharsets.UTF_8));
        digest.update((byte) ':');
        digest.update(preparedPassword.getBytes(StandardCharsets.UTF_8));
        return digest.digest();
    }

    static String withoutTrailingNuls(String value) {
        int end = value.length();
        while (end > 0 && value.charAt(end - 1) == '\0') {
            end--;
        }
        return value.substring(0, end);
    }

    static MessageDigest newDigest(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(algorithm + " is not available in this JVM", e);
        }
    }
}
