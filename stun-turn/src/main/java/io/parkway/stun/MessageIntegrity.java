package io.parkway.stun;

import io.netty.buffer.ByteBuf;

/**
 * HMAC of a STUN message for MESSAGE-INTEGRITY (HMAC-SHA1, 20 bytes; RFC 8489 section 14.5,
 * https://datatracker.ietf.org/doc/html/rfc8489#section-14.5) and MESSAGE-INTEGRITY-SHA256 (HMAC-SHA256, 32 bytes;
 * section 14.6). The HMAC covers the message up to the attribute preceding the integrity attribute, with the header's
 * length field set as if the integrity attribute were the last one.
 *
 * <p><b>Allocation and threads:</b> {@link #verify} and {@link #compute(ByteBuf, int, int, int, byte[], byte[], int)}
 * allocate nothing: each thread keeps one HMAC state per algorithm, initialised with the given key on every call, so
 * any key (one per credential, several REST secrets in turn) costs the same and nothing has to be cached per
 * credential. The key is wiped from that state when the call returns. Direct buffers are read through their internal
 * NIO view: call these methods synchronously on the thread that owns {@code message} (its event loop, or the thread
 * writing it). They are safe to call from any number of threads at once on different buffers.
 */
public final class MessageIntegrity {
    public static final int SHA1_LENGTH = 20;
    public static final int SHA256_LENGTH = 32;

    private MessageIntegrity() {
    }

    /**
     * Computes the HMAC for an integrity attribute whose header starts at {@code attributeIndex}, into a new array.
     * The allocation-free form is {@link #compute(ByteBuf, int, int, int, byte[], byte[], int)}.
     *
     * @param message the buffer holding the message; not modified, indexes not moved
     * @param messageStart index of the message header
     * @param attributeIndex index of the integrity attribute's type field
     * @param valueLength 20 for MESSAGE-INTEGRITY, 32 for MESSAGE-INTEGRITY-SHA256 (the algorithm follows from it)
     * @return the full HMAC, 20 or 32 bytes, owned by the caller
     * @throws IllegalArgumentException if {@code key} is empty
     */
    public static byte[] compute(ByteBuf message, int messageStart, int attributeIndex, int valueLength, byte[] key) {
        return hmac(CodecThreadState.get(), valueLength != SHA1_LENGTH,
                message, messageStart, attributeIndex, valueLength, key).clone();
    }

    /**
     * As {@link #compute(ByteBuf, int, int, int, byte[])}, writing the full HMAC into {@code out} at {@code outOffset}
     * instead of a new array; allocates nothing.
     *
     * @return the number of bytes written: 20 or 32
     * @throws IllegalArgumentException if {@code key} is empty
     * @throws IndexOutOfBoundsException if {@code out} has less than 20 or 32 bytes from {@code outOffset}
     */
    public static int compute(ByteBuf message, int messageStart, int attributeIndex, int valueLength, byte[] key,
            byte[] out, int outOffset) {
        boolean sha256 = valueLength != SHA1_LENGTH;
        int n = sha256 ? SHA256_LENGTH : SHA1_LENGTH;
        if (outOffset < 0 || outOffset > out.length - n) {
            throw new IndexOutOfBoundsException("HMAC output: " + n + " bytes at " + outOffset + " of " + out.length
                    + " (expected: room for " + n + ")");
        }
        System.arraycopy(hmac(CodecThreadState.get(), sha256, message, messageStart, attributeIndex, valueLength, key),
                0, out, outOffset, n);
        return n;
    }

    /**
     * For {@link StunWriter}: writes an integrity attribute, header and value, at the writer index of {@code out}. The
     * HMAC covers the message written so far; padding and the header's length field are the writer's.
     */
    static void computeAndWrite(ByteBuf out, int messageStart, int type, int valueLength, byte[] key) {
        int attributeIndex = out.writerIndex();
        byte[] mac = hmac(CodecThreadState.get(), valueLength != SHA1_LENGTH,
                out, messageStart, attributeIndex, valueLength, key);
        out.writeShort(type);
        out.writeShort(valueLength);
        out.writeBytes(mac, 0, valueLength);
    }

    /** @return the thread's own result array, valid until the next HMAC on this thread; never hand it out */
    private static byte[] hmac(CodecThreadState state, boolean sha256, ByteBuf message, int messageStart,
            int attributeIndex, int valueLength, byte[] key) {
        Hmac hmac = state.hmac(sha256);
        hmac.init(key);
        try {
            byte[] header = state.scratch;
            int adjustedLength = attributeIndex + 4 + valueLength - messageStart - StunMessage.HEADER_LENGTH;
            header[0] = message.getByte(messageStart);
            header[1] = message.getByte(messageStart + 1);
            header[2] = (byte) (adjustedLength >>> 8);
            header[3] = (byte) adjustedLength;
            hmac.digest().update(header, 0, 4);
            int from = messageStart + 4;
            ByteRanges.update(hmac.digest(), message, from, attributeIndex - from, header);
        } catch (RuntimeException e) {
            hmac.wipe(); // a range outside the buffer: leave no key material behind
            throw e;
        }
        return hmac.doFinal();
    }

    /**
     * Verifies an integrity attribute in constant time, comparing in place in {@code message} (the received MAC is
     * not copied); allocates nothing. RFC 8489 section 14.6 allows a truncated MESSAGE-INTEGRITY-SHA256 (16 to 32
     * bytes, a multiple of 4): the comparison covers the received length. The algorithm is taken from the attribute's
     * type field at {@code attributeIndex}, not from its length: a MESSAGE-INTEGRITY-SHA256 truncated to 20 bytes is
     * still HMAC-SHA256.
     *
     * @return whether the received value matches; false when {@code valueLength} is 0 or longer than the HMAC
     * @throws IllegalArgumentException if {@code key} is empty
     */
    public static boolean verify(ByteBuf message, int messageStart, int attributeIndex, int valueLength,
            byte[] key) {
        boolean sha256 = message.getUnsignedShort(attributeIndex) == StunAttribute.MESSAGE_INTEGRITY_SHA256;
        if (key.length == 0) {
            throw new IllegalArgumentException("integrity key: 0 bytes (expected: at least 1)");
        }
        if (valueLength <= 0 || valueLength > (sha256 ? SHA256_LENGTH : SHA1_LENGTH)) {
            return false;
        }
        byte[] expected = hmac(CodecThreadState.get(), sha256, message, messageStart, attributeIndex, valueLength, key);
        int received = attributeIndex + 4;
        int diff = 0;
        for (int i = 0; i < valueLength; i++) {
            diff |= expected[i] ^ message.getByte(received + i);
        }
        return diff == 0;
    }
}
