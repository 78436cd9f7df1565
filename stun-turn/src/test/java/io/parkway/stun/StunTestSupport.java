package io.parkway.stun;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.CRC32;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Helpers shared by the codec tests. The digests here are computed with the JDK directly, independently of the code
 * under test, so that a test can build an expected value without trusting {@link MessageIntegrity} or
 * {@link Fingerprint}.
 *
 * <p><b>Ownership:</b> an instance owns every buffer it hands out and releases them in {@link #releaseAll()}, which
 * each test class calls from {@code @AfterEach}.
 */
final class StunTestSupport {
    private final List<ByteBuf> owned = new ArrayList<>();

    /** Parses hex with any whitespace and {@code |} separators, as laid out in the RFC figures. */
    static byte[] hex(String text) {
        return HexFormat.of().parseHex(text.replaceAll("[\\s|]", ""));
    }

    static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static byte[] md5(String s) {
        return digest("MD5", utf8(s));
    }

    static byte[] sha256(String s) {
        return digest("SHA-256", utf8(s));
    }

    static byte[] digest(String algorithm, byte[] input) {
        try {
            return MessageDigest.getInstance(algorithm).digest(input);
        } catch (GeneralSecurityException e) {
            throw new AssertionError(e);
        }
    }

    static byte[] hmac(String algorithm, byte[] key, byte[] data, int from, int length) {
        try {
            Mac mac = Mac.getInstance(algorithm);
            mac.init(new SecretKeySpec(key, algorithm));
            mac.update(data, from, length);
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new AssertionError(e);
        }
    }

    /** RFC 8489 section 14.7: CRC-32 of everything before the FINGERPRINT attribute, XORed with 0x5354554e. */
    static int fingerprintOf(byte[] message, int fingerprintAttributeIndex) {
        CRC32 crc = new CRC32();
        crc.update(message, 0, fingerprintAttributeIndex);
        return (int) crc.getValue() ^ 0x5354554e;
    }

    /** Sets the header's message length to {@code total - 20}. */
    static void setLength(byte[] message, int total) {
        int length = total - StunMessage.HEADER_LENGTH;
        message[2] = (byte) (length >>> 8);
        message[3] = (byte) length;
    }

    static void putInt(byte[] b, int index, int value) {
        b[index] = (byte) (value >>> 24);
        b[index + 1] = (byte) (value >>> 16);
        b[index + 2] = (byte) (value >>> 8);
        b[index + 3] = (byte) value;
    }

    /** A heap buffer holding a copy of {@code bytes}, released by {@link #releaseAll()}. */
    ByteBuf heap(byte[] bytes) {
        // Not wrappedBuffer: for an empty array it returns the shared EMPTY_BUFFER, which cannot be released.
        return own(Unpooled.buffer(bytes.length).writeBytes(bytes));
    }

    /** A pooled direct buffer (no backing array) holding a copy of {@code bytes}. */
    ByteBuf direct(byte[] bytes) {
        ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer(bytes.length);
        buf.writeBytes(bytes);
        return own(buf);
    }

    /** A composite of two direct components split at {@code split}: neither array nor single NIO buffer. */
    ByteBuf composite(byte[] bytes, int split) {
        ByteBuf a = PooledByteBufAllocator.DEFAULT.directBuffer(split).writeBytes(bytes, 0, split);
        ByteBuf b = PooledByteBufAllocator.DEFAULT.directBuffer(bytes.length - split)
                .writeBytes(bytes, split, bytes.length - split);
        return own(Unpooled.wrappedBuffer(a, b));
    }

    /** An empty pooled direct buffer for a writer. */
    ByteBuf out() {
        return own(PooledByteBufAllocator.DEFAULT.directBuffer(64));
    }

    ByteBuf own(ByteBuf buf) {
        owned.add(buf);
        return buf;
    }

    static byte[] bytes(ByteBuf buf) {
        return ByteBufUtil.getBytes(buf);
    }

    /** Decodes a copy of {@code message} held in a heap buffer owned by this support object. */
    StunMessage decode(byte[] message) throws StunParseException {
        return StunMessage.decode(heap(message));
    }

    /** Releases every owned buffer once; fails when the code under test left an extra reference on one. */
    void releaseAll() {
        List<String> stillReferenced = new ArrayList<>();
        for (ByteBuf buf : owned) {
            if (buf.refCnt() > 0 && !buf.release()) {
                stillReferenced.add(buf + " refCnt=" + buf.refCnt());
                buf.release(buf.refCnt());
            }
        }
        owned.clear();
        if (!stillReferenced.isEmpty()) {
            throw new AssertionError("buffers retained by the code under test: " + stillReferenced);
        }
    }
}
