package io.parkway.turn.auth;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Issues and checks stateless NONCE values for the long-term credential mechanism (<a
 * href="https://datatracker.ietf.org/doc/html/rfc8489#section-9.2">RFC 8489 section 9.2</a>): the server keeps no
 * per-client state, because everything it needs to judge a nonce is inside it, authenticated with a server key.
 *
 * <p>A nonce is the nonce cookie announcing the server's {@link SecurityFeature}s, then 38 characters of unpadded
 * base64url (<a href="https://datatracker.ietf.org/doc/html/rfc4648#section-5">RFC 4648 section 5</a>) encoding 28
 * bytes: an 8-byte serial number, the 8-byte expiry in Unix seconds, and the first 12 bytes of
 * <pre>
 * HMAC-SHA256(server key, cookie || serial || expiry || length(client IP) || client IP)
 * </pre>
 * 51 characters in all, all of them valid in a quoted-string, far below the 763-byte NONCE limit (<a
 * href="https://datatracker.ietf.org/doc/html/rfc8489#section-14.10">section 14.10</a>).
 * <ul>
 *   <li>The tag covers the cookie, so a man in the middle who strips a feature bit from a 401 response (the bid-down
 *       attack of <a href="https://datatracker.ietf.org/doc/html/rfc8489#section-9.2.1">section 9.2.1</a>) produces a
 *       nonce that verifies as {@link Verdict#INVALID}.</li>
 *   <li>The serial number, which starts at a random value and counts up, makes every nonce distinct: "The server MUST
 *       NOT choose the same NONCE for two requests unless they have the same source IP address and port" (<a
 *       href="https://datatracker.ietf.org/doc/html/rfc8489#section-9.2.4">section 9.2.4</a>).</li>
 *   <li>When issued with a client IP address, the nonce verifies only with that address, so one captured from another
 *       host cannot be replayed from here; the port is left out so that a client keeps its nonce across its own
 *       connections and NAT rebindings. An IPv4-mapped IPv6 address counts as the IPv4 address it maps.</li>
 * </ul>
 *
 * <p>The key lives only in memory unless the caller supplies one: after a restart every earlier nonce is
 * {@link Verdict#INVALID}, and clients recover with the fresh nonce of the error response. Instances are thread-safe;
 * each call clones an initialized {@link Mac} (control path, one clone per authenticated request).
 */
public final class NonceCodec {

    /** How long a nonce stays {@link Verdict#VALID} unless the constructor says otherwise; coturn's default too. */
    public static final Duration DEFAULT_LIFETIME = Duration.ofMinutes(10);
    /** The minimum length of a server key in bytes: the HMAC-SHA256 output length. */
    public static final int MIN_KEY_LENGTH = 32;
    /** The length of every nonce this class issues, in characters. */
    public static final int NONCE_LENGTH = 51;

    private static final String HMAC = "HmacSHA256";
    private static final int SERIAL_OFFSET = 0;
    private static final int EXPIRY_OFFSET = 8;
    private static final int TAG_OFFSET = 16;
    private static final int TAG_LENGTH = 12;
    private static final int BODY_LENGTH = TAG_OFFSET + TAG_LENGTH;
    private static final byte[] UNBOUND = new byte[0];
    private static final Set<SecurityFeature> NO_FEATURES = Collections.unmodifiableSet(
            EnumSet.noneOf(SecurityFeature.class));
    private static final Set<SecurityFeature> PASSWORD_ALGORITHMS = Collections.unmodifiableSet(
            EnumSet.of(SecurityFeature.PASSWORD_ALGORITHMS));
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

    /** Initialized with the key and never updated; each call works on a clone. */
    private final Mac prototype;
    private final Clock clock;
    private final Duration lifetime;
    private final AtomicLong serial;

    /** A codec with a random key, the system clock and {@link #DEFAULT_LIFETIME}. */
    public NonceCodec() {
        this(Clock.systemUTC(), DEFAULT_LIFETIME);
    }

    /** A codec with a random 32-byte key from {@link SecureRandom}. */
    public NonceCodec(Clock clock, Duration lifetime) {
        this(randomKey(), clock, lifetime);
    }

    /**
     * A codec with the given key, for tests and for servers that share nonces across instances or restarts.
     *
     * @param key at least {@value #MIN_KEY_LENGTH} secret bytes; copied
     * @param lifetime how long a nonce stays valid after it is issued; whole seconds, at least one
     */
    public NonceCodec(byte[] key, Clock clock, Duration lifetime) {
        requireNonNull(key, "key");
        this.clock = requireNonNull(clock, "clock");
        this.lifetime = requireNonNull(lifetime, "lifetime");
        if (key.length < MIN_KEY_LENGTH) {
            throw new IllegalArgumentException(
                    "nonce key: " + key.length + " bytes (expected: at least " + MIN_KEY_LENGTH + ")");
        }
        if (lifetime.getSeconds() < 1) {
            throw new IllegalArgumentException("nonce lifetime: " + lifetime + " (expected: at least PT1S)");
        }
        try {
            prototype = Mac.getInstance(HMAC);
            prototype.init(new SecretKeySpec(key, HMAC));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(HMAC + " is not available in this JVM", e);
        }
        serial = new AtomicLong(new SecureRandom().nextLong());
    }

    /** How long a nonce stays valid after it is issued. */
    public Duration lifetime() {
        return lifetime;
    }

    /**
     * Issues a nonce valid from any client address, announcing {@link SecurityFeature#PASSWORD_ALGORITHMS} when
     * {@code sha256Supported}. It never announces {@link SecurityFeature#USERNAME_ANONYMITY}, which would oblige RFC
     * 8489 clients to send USERHASH and so lock out REST credentials; {@link #issue(Set)} can announce it.
     */
    public String issue(boolean sha256Supported) {
        return issue(sha256Supported ? PASSWORD_ALGORITHMS : NO_FEATURES);
    }

    /**
     * Like {@link #issue(boolean)}, but the nonce is valid only from {@code clientIp}; see {@link #issue(Set, byte[])}.
     */
    public String issue(boolean sha256Supported, byte[] clientIp) {
        return issue(sha256Supported ? PASSWORD_ALGORITHMS : NO_FEATURES, clientIp);
    }

    /** Issues a nonce valid from any client address. */
    public String issue(Set<SecurityFeature> features) {
        return issue(SecurityFeature.cookie(features), UNBOUND);
    }

    /**
     * Issues a nonce valid only from {@code clientIp}.
     *
     * @param clientIp the client's address as {@link java.net.InetAddress#getAddress()} returns it, 4 or 16 bytes
     */
    public String issue(Set<SecurityFeature> features, byte[] clientIp) {
        return issue(SecurityFeature.cookie(features), bound(clientIp));
    }

    /** Judges a nonce issued by {@link #issue(Set)}; one bound to an address is {@link Verdict#INVALID} here. */
    public Verdict verify(String nonce) {
        requireNonNull(nonce, "nonce");
        return verifyBound(nonce, UNBOUND);
    }

    /** Judges a nonce issued by {@link #issue(Set, byte[])} for {@code clientIp}. */
    public Verdict verify(String nonce, byte[] clientIp) {
        requireNonNull(nonce, "nonce");
        return verifyBound(nonce, bound(clientIp));
    }

    private String issue(String cookie, byte[] ip) {
        long expiry = Math.addExact(clock.instant().getEpochSecond(), lifetime.getSeconds());
        byte[] body = new byte[BODY_LENGTH];
        putLong(body, SERIAL_OFFSET, serial.getAndIncrement());
        putLong(body, EXPIRY_OFFSET, expiry);
        System.arraycopy(tag(cookie, body, ip), 0, body, TAG_OFFSET, TAG_LENGTH);
        return cookie + ENCODER.encodeToString(body);
    }

    private Verdict verifyBound(String nonce, byte[] ip) {
        if (nonce.length() != NONCE_LENGTH || !nonce.startsWith(SecurityFeature.COOKIE)) {
            return Verdict.INVALID;
        }
        String cookie = nonce.substring(0, SecurityFeature.COOKIE_LENGTH);
        String encodedBody = nonce.substring(SecurityFeature.COOKIE_LENGTH);
        byte[] body;
        try {
            body = DECODER.decode(encodedBody);
        } catch (IllegalArgumentException e) {
            return Verdict.INVALID;
        }
        // The decoder ignores the unused low bits of the last character; insist on the one canonical spelling.
        if (body.length != BODY_LENGTH || !ENCODER.encodeToString(body).equals(encodedBody)) {
            return Verdict.INVALID;
        }
        byte[] expected = Arrays.copyOf(tag(cookie, body, ip), TAG_LENGTH);
        byte[] received = Arrays.copyOfRange(body, TAG_OFFSET, BODY_LENGTH);
        if (!MessageDigest.isEqual(expected, received)) {
            return Verdict.INVALID;
        }
        long expiry = getLong(body, EXPIRY_OFFSET);
        return clock.instant().getEpochSecond() < expiry ? Verdict.VALID : Verdict.STALE;
    }

    /** HMAC over the cookie, the serial and expiry fields of {@code body}, and the length-prefixed address. */
    private byte[] tag(String cookie, byte[] body, byte[] ip) {
        Mac mac = newMac();
        mac.update(cookie.getBytes(StandardCharsets.UTF_8));
        mac.update(body, 0, TAG_OFFSET);
        mac.update((byte) ip.length);
        mac.update(ip);
        return mac.doFinal();
    }

    private Mac newMac() {
        try {
            return (Mac) prototype.clone();
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException(HMAC + " of this JVM cannot be cloned", e);
        }
    }

    /** The address bytes to bind, an IPv4-mapped IPv6 address reduced to its IPv4 address. */
    private static byte[] bound(byte[] clientIp) {
        requireNonNull(clientIp, "clientIp");
        if (clientIp.length == 4) {
            return clientIp;
        }
        if (clientIp.length != 16) {
            throw new IllegalArgumentException("client IP: " + clientIp.length + " bytes (expected: 4 or 16)");
        }
        for (int i = 0; i < 10; i++) {
            if (clientIp[i] != 0) {
                return clientIp;
            }
        }
        if (clientIp[10] == (byte) 0xff && clientIp[11] == (byte) 0xff) {
            return Arrays.copyOfRange(clientIp, 12, 16);
        }
        return clientIp;
    }

    private static byte[] randomKey() {
        byte[] key = new byte[MIN_KEY_LENGTH];
        new SecureRandom().nextBytes(key);
        return key;
    }

    private static void putLong(byte[] bytes, int offset, long value) {
        for (int i = 7; i >= 0; i--) {
            bytes[offset + i] = (byte) value;
            value >>>= 8;
        }
    }

    private static long getLong(byte[] bytes, int offset) {
        long value = 0;
        for (int i = 0; i < 8; i++) {
            value = value << 8 | (bytes[offset + i] & 0xff);
        }
        return value;
    }

    /** What {@link #verify(String, byte[])} concluded about a nonce. */
    public enum Verdict {
        /** Issued by this codec for this address and not yet expired. */
        VALID,
        /**
         * Issued by this codec for this address but expired: the server answers 438 (Stale Nonce) with a fresh nonce
         * (<a href="https://datatracker.ietf.org/doc/html/rfc8489#section-9.2.4">RFC 8489 section 9.2.4</a>), and the
         * client retries with it (<a href="https://datatracker.ietf.org/doc/html/rfc8489#section-9.2.5">section
         * 9.2.5</a>).
         */
        STALE,
        /**
         * Not a nonce this codec issued for this address: malformed, altered (including a stripped feature bit),
         * issued for another address, or issued under another key, such as before a restart. Never accept it. A
         * request whose message integrity nevertheless checks out (a client still holding a nonce from before a
         * restart) is best answered like {@link #STALE}, with 438 and a fresh nonce: a 401 would tell an RFC 8489
         * client to give up, because it "MUST NOT perform this retry if it is not changing" its credentials.
         */
        INVALID
    }
}
