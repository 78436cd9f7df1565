package io.parkway.turn.auth;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.OptionalLong;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Time-limited TURN credentials derived from a secret shared between the TURN server and the service that hands out
 * credentials: the "TURN REST API" of <a
 * href="https://datatracker.ietf.org/doc/html/draft-uberti-behave-turn-rest-00#section-2.2">draft-uberti-behave-turn-rest-00
 * section 2.2</a>, in the form coturn accepts with {@code use-auth-secret} and {@code static-auth-secret}:
 * <pre>
 * username = expiry ":" user          (just expiry when user is empty)
 * password = base64(HMAC-SHA1(key = secret, message = username))
 * </pre>
 * where expiry is the Unix time in seconds after which the credential is refused, the secret and username are UTF-8,
 * and base64 is the standard alphabet with padding (<a
 * href="https://datatracker.ietf.org/doc/html/rfc4648#section-4">RFC 4648 section 4</a>). Credentials made here work
 * with coturn and credentials made for coturn work here.
 *
 * <p>The server side derives the password from the USERNAME of a request with {@link #password(String, String)}, checks
 * the expiry with {@link #isExpired(String, Clock)}, and then treats the pair like any long-term credential ({@link
 * LongTermKey}). The expiry cannot be forged because it is part of the HMAC input.
 */
public final class RestCredentials {

    private static final String HMAC = "HmacSHA1";

    private RestCredentials() {
    }

    /**
     * Issues a credential for {@code user} that expires {@code ttl} from now, truncated to a whole second.
     *
     * @param secret the shared secret; not empty
     * @param user any string, including one with colons or an empty one (then the username is just the expiry)
     * @param ttl how long the credential is valid; at least one second
     */
    public static RestCredential issue(String secret, String user, Duration ttl, Clock clock) {
        checkSecret(secret);
        requireNonNull(user, "user");
        requireNonNull(ttl, "ttl");
        requireNonNull(clock, "clock");
        if (ttl.getSeconds() < 1) {
            throw new IllegalArgumentException("ttl: " + ttl + " (expected: at least PT1S)");
        }
        long expiry = clock.instant().plus(ttl).getEpochSecond();
        String username = user.isEmpty() ? Long.toString(expiry) : expiry + ":" + user;
        return new RestCredential(username, password(secret, username), Instant.ofEpochSecond(expiry));
    }

    /** The password of {@code username}: base64(HMAC-SHA1(secret, username)), 28 characters. */
    public static String password(String secret, String username) {
        checkSecret(secret);
        requireNonNull(username, "username");
        Mac mac;
        try {
            mac = Mac.getInstance(HMAC);
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), HMAC));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(HMAC + " is not available in this JVM", e);
        }
        return Base64.getEncoder().encodeToString(mac.doFinal(username.getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * The expiry in Unix seconds that {@code username} carries, read the way coturn reads it ({@code
     * get_rest_api_timestamp}): the text before the first colon when it is all ASCII digits ({@code
     * "1700000000:alice"}, or the whole username {@code "1700000000"}); otherwise the text after the first colon, up
     * to the next colon, when that is all digits ({@code "alice:1700000000"}, the older order coturn also accepts).
     * Empty when there is no such number or it does not fit in a {@code long}; coturn's {@code atol} is more lenient
     * (it takes a leading number and ignores what follows), but a credential made by any REST issuer parses the same
     * way in both.
     */
    public static OptionalLong expiry(String username) {
        requireNonNull(username, "username");
        int colon = username.indexOf(':');
        String head = colon < 0 ? username : username.substring(0, colon);
        if (isDigits(head)) {
            return parse(head);
        }
        if (colon < 0) {
            return OptionalLong.empty();
        }
        int next = username.indexOf(':', colon + 1);
        String tail = next < 0 ? username.substring(colon + 1) : username.substring(colon + 1, next);
        return isDigits(tail) ? parse(tail) : OptionalLong.empty();
    }

    /**
     * Whether {@code username} must be refused for its age: true when its {@link #expiry(String) expiry} is before the
     * current second, or when it carries none. As in coturn, a credential is still valid during its expiry second.
     */
    public static boolean isExpired(String username, Clock clock) {
        requireNonNull(clock, "clock");
        OptionalLong expiry = expiry(username);
        return expiry.isEmpty() || expiry.getAsLong() < clock.instant().getEpochSecond();
    }

    private static void checkSecret(String secret) {
        requireNonNull(secret, "secret");
        if (secret.isEmpty()) {
            // The message never echoes a secret.
            throw new IllegalArgumentException("secret: empty (expected: at least one character)");
        }
    }

    private static boolean isDigits(String text) {
        if (text.isEmpty()) {
            return false;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    private static OptionalLong parse(String digits) {
        try {
            return OptionalLong.of(Long.parseLong(digits));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }
}
