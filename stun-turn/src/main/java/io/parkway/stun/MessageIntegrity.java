package io.parkway.stun;

import io.netty.buffer.ByteBuf;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * HMAC of a STUN message for MESSAGE-INTEGRITY (HMAC-SHA1, 20 bytes; RFC 8489 section 14.5,
 * https://datatracker.ietf.org/doc/html/rfc8489#section-14.5) and MESSAGE-INTEGRITY-SHA256 (HMAC-SHA256, 32 bytes;
 * section 14.6). The HMAC covers the message up to the attribute preceding the integrity attribute, with the header's
 * length field set as if the integrity attribute were the last one. One {@link Mac} per thread and algorithm.
 */
public final class MessageIntegrity {
    public static final int SHA1_LENGTH = 20;
    public static final int SHA256_LENGTH = 32;

    private static final ThreadLocal<Mac> HMAC_SHA1 = ThreadLocal.withInitial(() -> newMac("HmacSHA1"));
    private static final ThreadLocal<Mac> HMAC_SHA256 = ThreadLocal.withInitial(() -> newMac("HmacSHA256"));

    private MessageIntegrity() {
    }

    /**
     * Computes the HMAC for an integrity attribute whose header starts at {@code attributeIndex}.
     *
     * @param message the buffer holding the message; not modified, indexes not moved
     * @param messageStart index of the message header
     * @param attributeIndex index of the integrity attribute's type field
     * @param valueLength 20 for MESSAGE-INTEGRITY, 32 for MESSAGE-INTEGRITY-SHA256 (the algorithm follows from it)
     */
    public static byte[] compute(ByteBuf message, int messageStart, int attributeIndex, int valueLength, byte[] key) {
        return compute(valueLength == SHA1_LENGTH ? HMAC_SHA1.get() : HMAC_SHA256.get(),
                message, messageStart, attributeIndex, valueLength, key);
    }

    private static byte[] compute(Mac mac, ByteBuf message, int messageStart, int attributeIndex, int valueLength,
            byte[] key) {
        try {
            mac.init(new SecretKeySpec(key, mac.getAlgorithm()));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("integrity key: " + key.length + " bytes (expected: a usable HMAC key)", e);
        }
        int adjustedLength = attributeIndex + 4 + valueLength - messageStart - StunMessage.HEADER_LENGTH;
        mac.update(message.getByte(messageStart));
        mac.update(message.getByte(messageStart + 1));
        mac.update((byte) (adjustedLength >>> 8));
        mac.update((byte) adjustedLength);
        int from = messageStart + 4;
        int len = attributeIndex - from;
        if (message.hasArray()) {
            mac.update(message.array(), message.arrayOffset() + from, len);
        } else {
            mac.update(message.nioBuffer(from, len));
        }
        return mac.doFinal();
    }

    /**
     * Verifies an integrity attribute in constant time. RFC 8489 section 14.6 allows a truncated
     * MESSAGE-INTEGRITY-SHA256 (16 to 32 bytes, a multiple of 4): the comparison covers the received length. The
     * algorithm is taken from the attribute's type field at {@code attributeIndex}, not from its length: a
     * MESSAGE-INTEGRITY-SHA256 truncated to 20 bytes is still HMAC-SHA256.
     */
    public static boolean verify(ByteBuf message, int messageStart, int attributeIndex, int valueLength,
            byte[] key) {
        boolean sha256 = message.getUnsignedShort(attributeIndex) == StunAttribute.MESSAGE_INTEGRITY_SHA256;
        int fullLength = sha256 ? SHA256_LENGTH : SHA1_LENGTH;
        byte[] expected = compute(sha256 ? HMAC_SHA256.get() : HMAC_SHA1.get(),
                message, messageStart, attributeIndex, valueLength, key);
        byte[] received = new byte[valueLength];
        message.getBytes(attributeIndex + 4, received);
        if (valueLength != fullLength) {
            byte[] truncated = new byte[valueLength];
            System.arraycopy(expected, 0, truncated, 0, valueLength);
            expected = truncated;
        }
        return MessageDigest.isEqual(expected, received);
    }

    private static Mac newMac(String algorithm) {
        try {
            return Mac.getInstance(algorithm);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(algorithm + " is not available in this JVM", e);
        }
    }
}
