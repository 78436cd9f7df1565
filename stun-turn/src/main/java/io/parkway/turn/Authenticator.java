package io.parkway.turn;

import io.parkway.stun.StunAttribute;
import io.parkway.stun.StunMessage;
import io.parkway.turn.auth.LongTermKey;
import io.parkway.turn.auth.NonceCodec;
import io.parkway.turn.auth.OpaqueString;
import io.parkway.turn.auth.PasswordAlgorithm;
import io.parkway.turn.auth.RestCredentials;
import io.parkway.turn.auth.UserHash;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * The long-term credential mechanism on the server side (RFC 8489 section 9.2.4,
 * https://datatracker.ietf.org/doc/html/rfc8489#section-9.2.4) for static users and TURN REST credentials
 * (coturn's {@code use-auth-secret}: username {@code expiry:user}, password base64(HMAC-SHA1(secret, username))).
 *
 * <p>Nothing is stored per client before authentication: nonces are stateless ({@link NonceCodec}, bound to the
 * client IP and an expiry). SHA-256 keys, PASSWORD-ALGORITHMS and USERHASH are used when the client asks for them
 * (RFC 8489 sections 9.2.4, 14.4, 14.11, 14.12); RFC 5389 clients get MD5 and MESSAGE-INTEGRITY.
 *
 * <p>Immutable and thread-safe: a reload builds a new one.
 */
final class Authenticator {
    /** What the server offers in PASSWORD-ALGORITHMS, in order of preference (RFC 8489 section 14.11). */
    static final int[] OFFERED_ALGORITHMS = {PasswordAlgorithm.SHA256.code(), PasswordAlgorithm.MD5.code()};

    private final String realm;
    private final Map<String, String> users;
    private final Map<ByteBuffer, String> usersByHash = new HashMap<>();
    private final List<String> restSecrets;
    /** Secrets removed by a reload, each accepted until its instant (see TurnServerBuilder#restSecretGrace). */
    private final Map<String, java.time.Instant> retiredSecrets;
    private final NonceCodec nonces;
    private final Clock clock;

    Authenticator(String realm, Map<String, String> users, List<String> restSecrets, NonceCodec nonces, Clock clock) {
        this(realm, users, restSecrets, Map.of(), nonces, clock);
    }

    private Authenticator(String realm, Map<String, String> users, List<String> restSecrets,
            Map<String, java.time.Instant> retiredSecrets, NonceCodec nonces, Clock clock) {
        this.realm = realm;
        this.users = Map.copyOf(users);
        this.restSecrets = List.copyOf(restSecrets);
        this.retiredSecrets = Map.copyOf(retiredSecrets);
        this.nonces = nonces;
        this.clock = clock;
        for (String user : users.keySet()) {
            usersByHash.put(ByteBuffer.wrap(UserHash.of(OpaqueString.apply(user), realm)), user);
        }
    }

    String realm() {
        return realm;
    }

    /**
     * The authenticator after a reload: new users and secrets, the same realm and nonce key (outstanding nonces stay
     * valid). Secrets no longer listed stay accepted for {@code grace}, then are forgotten.
     */
    Authenticator reloaded(Map<String, String> newUsers, List<String> newSecrets, java.time.Duration grace) {
        java.time.Instant now = clock.instant();
        Map<String, java.time.Instant> retired = new HashMap<>();
        retiredSecrets.forEach((secret, until) -> {
            if (until.isAfter(now)) {
                retired.put(secret, until);
            }
        });
        if (!grace.isZero()) {
            for (String old : restSecrets) {
                retired.put(old, now.plus(grace));
            }
        }
        newSecrets.forEach(retired::remove);
        return new Authenticator(realm, newUsers, newSecrets, retired, nonces, clock);
    }

    /** A fresh nonce for a challenge to {@code client} (RFC 8489 section 9.2.1 nonce cookie included). */
    String newNonce(InetAddress client) {
        return nonces.issue(true, client.getAddress());
    }

    /** The outcome of {@link #authenticate}: exactly one of the two is non-null. */
    record Result(Credential credential, AuthFailure failure) {
        static Result failed(AuthFailure failure) {
            return new Result(null, failure);
        }
    }

    /** Authenticates a request from {@code client} (RFC 8489 section 9.2.4, steps in order). */
    Result authenticate(StunMessage request, InetAddress client) {
        boolean sha256Integrity = request.hasIntegritySha256();
        if (!request.hasIntegrity() && !sha256Integrity) {
            return Result.failed(AuthFailure.CHALLENGE);
        }
        String username = request.string(StunAttribute.USERNAME);
        byte[] userHash = request.bytes(StunAttribute.USERHASH);
        String nonce = request.string(StunAttribute.NONCE);
        if ((username == null && userHash == null) || !request.has(StunAttribute.REALM) || nonce == null) {
            return Result.failed(AuthFailure.MISSING_ATTRIBUTES);
        }
        if (nonces.verify(nonce, client.getAddress()) != NonceCodec.Verdict.VALID) {
            return Result.failed(AuthFailure.STALE_NONCE);
        }
        PasswordAlgorithm algorithm = negotiatedAlgorithm(request);
        if (algorithm == null) {
            return Result.failed(AuthFailure.BAD_ALGORITHM);
        }
        if (username == null) {
            username = usersByHash.get(ByteBuffer.wrap(userHash));
            if (username == null) {
                return Result.failed(AuthFailure.UNKNOWN_USER);
            }
        }
        String password = users.get(username);
        if (password != null) {
            byte[] key = LongTermKey.of(algorithm, username, realm, password);
            return verify(request, key, sha256Integrity)
                    ? ok(username, key, algorithm, sha256Integrity, false)
                    : Result.failed(AuthFailure.BAD_INTEGRITY);
        }
        OptionalLong expiry = RestCredentials.expiry(username);
        if ((restSecrets.isEmpty() && retiredSecrets.isEmpty()) || expiry.isEmpty()) {
            return Result.failed(AuthFailure.UNKNOWN_USER);
        }
        if (expiry.getAsLong() < clock.instant().getEpochSecond()) { // valid during its expiry second, as in coturn
            return Result.failed(AuthFailure.EXPIRED_CREDENTIAL);
        }
        for (String secret : restSecrets) {
            byte[] key = LongTermKey.of(algorithm, username, realm, RestCredentials.password(secret, username));
            if (verify(request, key, sha256Integrity)) {
                return ok(username, key, algorithm, sha256Integrity, true);
            }
        }
        if (!retiredSecrets.isEmpty()) {
            java.time.Instant now = clock.instant();
            for (Map.Entry<String, java.time.Instant> retired : retiredSecrets.entrySet()) {
                if (retired.getValue().isAfter(now)) {
                    byte[] key = LongTermKey.of(algorithm, username, realm,
                            RestCredentials.password(retired.getKey(), username));
                    if (verify(request, key, sha256Integrity)) {
                        return ok(username, key, algorithm, sha256Integrity, true);
                    }
                }
            }
        }
        return Result.failed(AuthFailure.BAD_INTEGRITY);
    }

    private static Result ok(String username, byte[] key, PasswordAlgorithm algorithm, boolean sha256, boolean rest) {
        return new Result(new Credential(username, key, algorithm, sha256, username, rest), null);
    }

    private static boolean verify(StunMessage request, byte[] key, boolean sha256Integrity) {
        return sha256Integrity ? request.verifyIntegritySha256(key) : request.verifyIntegrity(key);
    }

    /**
     * RFC 8489 section 9.2.4: PASSWORD-ALGORITHMS and PASSWORD-ALGORITHM come together or not at all; when present,
     * PASSWORD-ALGORITHMS must repeat what the server offered and PASSWORD-ALGORITHM must be one of them. Absent,
     * the algorithm is MD5.
     *
     * @return the algorithm, or null when the request is inconsistent (400)
     */
    private static PasswordAlgorithm negotiatedAlgorithm(StunMessage request) {
        int listIndex = request.indexOf(StunAttribute.PASSWORD_ALGORITHMS);
        int chosenIndex = request.indexOf(StunAttribute.PASSWORD_ALGORITHM);
        if (listIndex < 0 && chosenIndex < 0) {
            return PasswordAlgorithm.MD5;
        }
        if (listIndex < 0 || chosenIndex < 0 || request.valueLength(chosenIndex) < 4) {
            return null;
        }
        var list = request.value(listIndex);
        int n = 0;
        while (list.readableBytes() >= 4) {
            int code = list.readUnsignedShort();
            int paramLength = list.readUnsignedShort();
            int padded = (paramLength + 3) & ~3;
            if (n >= OFFERED_ALGORITHMS.length || code != OFFERED_ALGORITHMS[n] || list.readableBytes() < padded) {
                return null;
            }
            list.skipBytes(padded);
            n++;
        }
        if (n != OFFERED_ALGORITHMS.length || list.isReadable()) {
            return null;
        }
        int chosen = request.value(chosenIndex).getUnsignedShort(0);
        return PasswordAlgorithm.ofCode(chosen);
    }
}
