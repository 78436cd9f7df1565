package io.parkway.stun;

import io.netty.buffer.ByteBuf;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A decoded STUN message (RFC 8489 section 5, https://datatracker.ietf.org/doc/html/rfc8489#section-5): the header
 * fields plus an index of attribute positions; attribute values are read lazily from the buffer, never copied.
 *
 * <p><b>Ownership:</b> a {@code StunMessage} is a view over the caller's buffer. {@link #decode} neither retains nor
 * releases it; the message is valid only while the caller holds the buffer and does not change its bytes.
 *
 * <p>Attribute rules applied while indexing (RFC 8489 sections 5 and 14): the first occurrence of a type wins
 * (except XOR-PEER-ADDRESS, which CreatePermission may repeat);
 * attributes after MESSAGE-INTEGRITY are ignored except MESSAGE-INTEGRITY-SHA256 and FINGERPRINT; attributes after
 * MESSAGE-INTEGRITY-SHA256 are ignored except FINGERPRINT; nothing may follow FINGERPRINT, and a FINGERPRINT that
 * does not match makes the whole message invalid.
 */
public final class StunMessage {
    public static final int HEADER_LENGTH = 20;
    public static final int MAGIC_COOKIE = 0x2112A442;

    private static final int INITIAL_ATTRIBUTES = 12;

    private final ByteBuf buf;
    private final int start;
    private final int messageType;
    private int count;
    private int[] types = new int[INITIAL_ATTRIBUTES];
    /** Index in {@link #buf} of each attribute's type field. */
    private int[] positions = new int[INITIAL_ATTRIBUTES];
    private int[] lengths = new int[INITIAL_ATTRIBUTES];
    private int integrityIndex = -1;
    private int integritySha256Index = -1;
    private boolean fingerprint;

    private StunMessage(ByteBuf buf, int start, int messageType) {
        this.buf = buf;
        this.start = start;
        this.messageType = messageType;
    }

    /** Whether the first bytes of a packet could be a STUN message: the two most significant bits are zero. */
    public static boolean isStun(ByteBuf packet) {
        return packet.readableBytes() >= HEADER_LENGTH && (packet.getByte(packet.readerIndex()) & 0xc0) == 0;
    }

    /**
     * Decodes the readable bytes of {@code packet}, which must hold exactly one message. Indexes are not moved.
     *
     * @throws StunParseException if the packet is not a well-formed STUN message
     */
    public static StunMessage decode(ByteBuf packet) throws StunParseException {
        int start = packet.readerIndex();
        int readable = packet.readableBytes();
        if (readable < HEADER_LENGTH) {
            throw new StunParseException("message length: " + readable + " bytes (expected: >= 20)");
        }
        int type = packet.getUnsignedShort(start);
        if ((type & 0xc000) != 0) {
            throw new StunParseException("first two bits: " + (type >>> 14) + " (expected: 0)");
        }
        int length = packet.getUnsignedShort(start + 2);
        if ((length & 3) != 0) {
            throw new StunParseException("message length: " + length + " (expected: a multiple of 4)");
        }
        if (packet.getInt(start + 4) != MAGIC_COOKIE) {
            throw new StunParseException(String.format("magic cookie: 0x%08x (expected: 0x2112a442)",
                    packet.getInt(start + 4)));
        }
        if (readable != HEADER_LENGTH + length) {
            throw new StunParseException("message length: " + length + " with " + (readable - HEADER_LENGTH)
                    + " bytes after the header (expected: equal)");
        }
        StunMessage message = new StunMessage(packet, start, type);
        message.index(start + HEADER_LENGTH, start + HEADER_LENGTH + length);
        return message;
    }

    private void index(int from, int end) throws StunParseException {
        boolean afterIntegrity = false;
        boolean afterIntegritySha256 = false;
        int pos = from;
        while (pos < end) {
            if (fingerprint) {
                throw new StunParseException("attribute after FINGERPRINT at offset " + (pos - start));
            }
            if (end - pos < 4) {
                throw new StunParseException("attribute header at offset " + (pos - start) + " is truncated");
            }
            int attrType = buf.getUnsignedShort(pos);
            int attrLength = buf.getUnsignedShort(pos + 2);
            int padded = (attrLength + 3) & ~3;
            if (pos + 4 + padded > end) {
                throw new StunParseException(String.format(
                        "attribute 0x%04x length: %d (expected: <= %d)", attrType, attrLength, end - pos - 4));
            }
            if (attrType == StunAttribute.FINGERPRINT) {
                if (attrLength != 4) {
                    throw new StunParseException("FINGERPRINT length: " + attrLength + " (expected: 4)");
                }
                if (buf.getInt(pos + 4) != Fingerprint.compute(buf, start, pos)) {
                    throw new StunParseException("FINGERPRINT does not match the message");
                }
                fingerprint = true;
            } else if (attrType == StunAttribute.MESSAGE_INTEGRITY_SHA256 && !afterIntegritySha256) {
                if (attrLength < 16 || attrLength > 32 || (attrLength & 3) != 0) {
                    throw new StunParseException("MESSAGE-INTEGRITY-SHA256 length: " + attrLength
                            + " (expected: 16-32, a multiple of 4)");
                }
                afterIntegritySha256 = true;
                integritySha256Index = count;
                add(attrType, pos, attrLength);
            } else if (afterIntegrity || afterIntegritySha256) {
                // RFC 8489 section 14.5/14.6: ignored.
            } else if (attrType == StunAttribute.MESSAGE_INTEGRITY) {
                if (attrLength != MessageIntegrity.SHA1_LENGTH) {
                    throw new StunParseException("MESSAGE-INTEGRITY length: " + attrLength + " (expected: 20)");
                }
                afterIntegrity = true;
                integrityIndex = count;
                add(attrType, pos, attrLength);
            } else if (attrType == StunAttribute.XOR_PEER_ADDRESS || indexOf(attrType) < 0) {
                add(attrType, pos, attrLength);
            }
            pos += 4 + padded;
        }
    }

    private void add(int type, int position, int length) {
        if (count == types.length) {
            types = Arrays.copyOf(types, count * 2);
            positions = Arrays.copyOf(positions, count * 2);
            lengths = Arrays.copyOf(lengths, count * 2);
        }
        types[count] = type;
        positions[count] = position;
        lengths[count] = length;
        count++;
    }

    /** The 14-bit message type. */
    public int messageType() {
        return messageType;
    }

    public int method() {
        return StunMethod.methodOf(messageType);
    }

    public StunClass messageClass() {
        return StunMethod.classOf(messageType);
    }

    public TransactionId transactionId() {
        return TransactionId.read(buf, start + 8);
    }

    /** The buffer this message views, and the index of its header within it. */
    public ByteBuf buffer() {
        return buf;
    }

    public int start() {
        return start;
    }

    /** Total encoded length in bytes, header included. */
    public int encodedLength() {
        return HEADER_LENGTH + buf.getUnsignedShort(start + 2);
    }

    /** Number of indexed attributes (after the ignore rules above). */
    public int attributeCount() {
        return count;
    }

    public int attributeType(int i) {
        return types[i];
    }

    /** Index of the first attribute of {@code type}, or -1. */
    public int indexOf(int type) {
        for (int i = 0; i < count; i++) {
            if (types[i] == type) {
                return i;
            }
        }
        return -1;
    }

    public boolean has(int type) {
        return indexOf(type) >= 0;
    }

    public boolean hasFingerprint() {
        return fingerprint;
    }

    /** A slice of the value of attribute {@code i}; shares the buffer, not retained. */
    public ByteBuf value(int i) {
        return buf.slice(positions[i] + 4, lengths[i]);
    }

    public int valueLength(int i) {
        return lengths[i];
    }

    /** Index in {@link #buffer()} of the first value byte of attribute {@code i}. */
    public int valueIndex(int i) {
        return positions[i] + 4;
    }

    /** The first value of {@code type} as UTF-8 text, or null when absent. */
    public String string(int type) {
        int i = indexOf(type);
        return i < 0 ? null : buf.toString(positions[i] + 4, lengths[i], StandardCharsets.UTF_8);
    }

    /** The first value of {@code type} as bytes, or null when absent. */
    public byte[] bytes(int type) {
        int i = indexOf(type);
        if (i < 0) {
            return null;
        }
        byte[] b = new byte[lengths[i]];
        buf.getBytes(positions[i] + 4, b);
        return b;
    }

    /** The first 32-bit value of {@code type}, or {@code absent} when missing or not 4 bytes long. */
    public long uint32(int type, long absent) {
        int i = indexOf(type);
        return i < 0 || lengths[i] != 4 ? absent : buf.getUnsignedInt(positions[i] + 4);
    }

    /**
     * The first address of {@code type}; XOR-decoded for the XOR-* attributes.
     *
     * @return the address, or null when absent or malformed
     */
    public InetSocketAddress address(int type) {
        int i = indexOf(type);
        if (i < 0) {
            return null;
        }
        boolean xor = type == StunAttribute.XOR_MAPPED_ADDRESS || type == StunAttribute.XOR_PEER_ADDRESS
                || type == StunAttribute.XOR_RELAYED_ADDRESS;
        return StunAddress.read(value(i), xor, buf, start);
    }

    /**
     * Every address of {@code type}, in order; null entries for malformed values. XOR-PEER-ADDRESS may repeat in
     * CreatePermission (RFC 8656 section 9.1).
     */
    public List<InetSocketAddress> addresses(int type) {
        List<InetSocketAddress> all = new ArrayList<>(2);
        boolean xor = type == StunAttribute.XOR_MAPPED_ADDRESS || type == StunAttribute.XOR_PEER_ADDRESS
                || type == StunAttribute.XOR_RELAYED_ADDRESS;
        for (int i = 0; i < count; i++) {
            if (types[i] == type) {
                all.add(StunAddress.read(value(i), xor, buf, start));
            }
        }
        return all;
    }

    /** The ERROR-CODE number (class * 100 + number), or -1 (RFC 8489 section 14.8). */
    public int errorCode() {
        int i = indexOf(StunAttribute.ERROR_CODE);
        if (i < 0 || lengths[i] < 4) {
            return -1;
        }
        int v = positions[i] + 4;
        return (buf.getByte(v + 2) & 0x07) * 100 + (buf.getUnsignedByte(v + 3));
    }

    /** Whether a MESSAGE-INTEGRITY attribute is present. */
    public boolean hasIntegrity() {
        return integrityIndex >= 0;
    }

    /** Whether a MESSAGE-INTEGRITY-SHA256 attribute is present. */
    public boolean hasIntegritySha256() {
        return integritySha256Index >= 0;
    }

    /** Verifies MESSAGE-INTEGRITY (HMAC-SHA1) with a long-term or short-term key; false when absent. */
    public boolean verifyIntegrity(byte[] key) {
        return integrityIndex >= 0
                && MessageIntegrity.verify(buf, start, positions[integrityIndex], lengths[integrityIndex], key);
    }

    /** Verifies MESSAGE-INTEGRITY-SHA256; false when absent. */
    public boolean verifyIntegritySha256(byte[] key) {
        return integritySha256Index >= 0 && MessageIntegrity.verify(
                buf, start, positions[integritySha256Index], lengths[integritySha256Index], key);
    }

    /**
     * Comprehension-required attribute types this implementation does not understand (RFC 8489 section 6.3.1: a
     * request carrying any gets a 420 with UNKNOWN-ATTRIBUTES). Empty array when none.
     */
    public int[] unknownComprehensionRequired() {
        int[] unknown = null;
        int n = 0;
        for (int i = 0; i < count; i++) {
            int t = types[i];
            if (StunAttribute.isComprehensionRequired(t) && !StunAttribute.isKnownComprehensionRequired(t)) {
                if (unknown == null) {
                    unknown = new int[count];
                }
                unknown[n++] = t;
            }
        }
        return unknown == null ? new int[0] : Arrays.copyOf(unknown, n);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("StunMessage(")
                .append(StunMethod.name(method())).append(' ').append(messageClass())
                .append(", tid=").append(transactionId()).append(", attributes=[");
        for (int i = 0; i < count; i++) {
            sb.append(i == 0 ? "" : ", ").append(String.format("0x%04x/%d", types[i], lengths[i]));
        }
        return sb.append("])").toString();
    }
}
