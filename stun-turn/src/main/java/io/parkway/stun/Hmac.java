package io.parkway.stun;

import java.security.DigestException;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;

/**
 * HMAC (RFC 2104, https://datatracker.ietf.org/doc/html/rfc2104#section-2) over one of the JDK's
 * {@link MessageDigest}s, with every array allocated once: {@code H(K XOR opad, H(K XOR ipad, text))}, B = 64 bytes
 * for SHA-1 and SHA-256.
 *
 * <p>Why not {@link javax.crypto.Mac}: each {@code init} needs a new {@code SecretKeySpec} (which copies the key, and
 * the provider copies it again) and each {@code doFinal} returns a new array, even {@code doFinal(byte[], int)}. The
 * digest itself, the part that costs, stays the JDK's (with its SHA intrinsics). Tests check this class against the
 * RFC 2202 and RFC 4231 vectors and against {@code javax.crypto.Mac}.
 *
 * <p><b>Not thread-safe:</b> one instance per thread and algorithm ({@link CodecThreadState}). Between {@link #init}
 * and {@link #doFinal} the instance holds the padded key; {@code doFinal} wipes it.
 */
final class Hmac {
    /** B of RFC 2104 section 2 for SHA-1 and SHA-256. */
    private static final int BLOCK_LENGTH = 64;
    private static final byte IPAD = 0x36;
    private static final byte OPAD = 0x5c;

    private final MessageDigest digest;
    private final int length;
    /** K padded with zeros to B bytes (or H(K), padded, when K is longer than B). */
    private final byte[] paddedKey = new byte[BLOCK_LENGTH];
    private final byte[] pad = new byte[BLOCK_LENGTH];
    private final byte[] result;

    private Hmac(String digestAlgorithm) {
        try {
            this.digest = MessageDigest.getInstance(digestAlgorithm);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(digestAlgorithm + " is not available in this JVM", e);
        }
        this.length = digest.getDigestLength();
        this.result = new byte[length];
    }

    static Hmac sha1() {
        return new Hmac("SHA-1");
    }

    static Hmac sha256() {
        return new Hmac("SHA-256");
    }

    /** The MAC length L: 20 for HMAC-SHA1, 32 for HMAC-SHA256. */
    int length() {
        return length;
    }

    /** Starts a MAC with {@code key}; then {@link #digest()} takes the text, then {@link #doFinal()}. */
    void init(byte[] key) {
        if (key.length == 0) {
            // As javax.crypto.spec.SecretKeySpec, which this replaces: an empty key is a caller's bug.
            throw new IllegalArgumentException("integrity key: 0 bytes (expected: at least 1)");
        }
        digest.reset();
        if (key.length > BLOCK_LENGTH) {
            digest.update(key);
            finishInto(paddedKey);
            Arrays.fill(paddedKey, length, BLOCK_LENGTH, (byte) 0);
        } else {
            System.arraycopy(key, 0, paddedKey, 0, key.length);
            Arrays.fill(paddedKey, key.length, BLOCK_LENGTH, (byte) 0);
        }
        xorKey(IPAD);
        digest.update(pad);
    }

    /** The digest to update with the text between {@link #init} and {@link #doFinal}; do not reset or finish it. */
    MessageDigest digest() {
        return digest;
    }

    /**
     * Finishes the MAC and wipes the key material.
     *
     * @return this instance's own result array, {@link #length()} bytes, valid until the next {@code doFinal} on
     *     this thread; never hand it out
     */
    byte[] doFinal() {
        finishInto(result);
        xorKey(OPAD);
        digest.update(pad);
        digest.update(result, 0, length);
        finishInto(result);
        wipe();
        return result;
    }

    /** Forgets the key: clears the padded key and the pad, resets the digest. {@link #init} must come next. */
    void wipe() {
        Arrays.fill(paddedKey, (byte) 0);
        Arrays.fill(pad, (byte) 0);
        digest.reset();
    }

    /** For tests: whether any key material is held (between {@link #init} and {@link #doFinal} or {@link #wipe}). */
    boolean holdsKey() {
        for (int i = 0; i < BLOCK_LENGTH; i++) {
            if (paddedKey[i] != 0 || pad[i] != 0) {
                return true;
            }
        }
        return false;
    }

    private void xorKey(byte value) {
        for (int i = 0; i < BLOCK_LENGTH; i++) {
            pad[i] = (byte) (paddedKey[i] ^ value);
        }
    }

    /** Completes the digest into the first {@link #length} bytes of {@code out} and resets it. */
    private void finishInto(byte[] out) {
        try {
            digest.digest(out, 0, length);
        } catch (DigestException e) {
            throw new IllegalStateException("digest of " + length + " bytes into " + out.length, e); // cannot happen
        }
    }
}
