package io.parkway.stun;

import io.netty.buffer.ByteBuf;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A decoded STUN message (RFC 8489 section 5, https://datatracker.ietf.org/doc/html/rfc8489#section-5): the header
 * fields plus an index of attribute positions; attribute values are read lazily from the buffer, never copied.
 *
 * <p><b>Ownership:</b> a {@code StunMessage} is a view over the caller's buffer. {@link #decode} and {@link #reset}
 * neither retain nor release it; the message is valid only while the caller holds the buffer and does not change its
 * bytes. After the buffer is released, only what was already copied out stays valid: {@link #messageType()},
 * {@link #method()}, {@link #messageClass()}, {@link #attributeCount()}, {@link #attributeType}, {@link #valueIndex},
 * {@link #valueLength}, the presence checks, and every value an accessor has returned (strings, arrays, addresses,
 * the {@code int}s of {@link #addressIpv4} and {@link #addressPort}, bytes written by {@link #addressIpv6}, a
 * {@link TransactionId}). Everything that reads attribute bytes ({@link #value}, {@link #string}, {@link #address},
 * the {@code address*} readers, integrity) must not be called then.
 *
 * <p><b>Reuse:</b> {@link #decode} builds a new message per packet (the object and three small index arrays). A
 * caller that decodes many packets on one thread, such as a TURN listener on its event loop, can instead keep one
 * {@link #reusable()} message and {@link #reset} it with each packet: the same checks, the same exceptions, and no
 * allocation. A reusable message is not thread-safe; confine it to one thread and do not let a reference to it
 * outlive the packet (reset it, or {@link #clear()} it when the packet is released).
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
    /** A reusable message gives back index arrays grown beyond this by an unusual message when it is reset. */
    private static final int MAX_RETAINED_ATTRIBUTES = 64;
    /**
     * Up to this many indexed attributes the first-wins rule scans the index; beyond it, a bit set of the 65536
     * types answers in constant time, so a 64 KiB message of 16,000 distinct attributes costs linear, not quadratic,
     * time (measured: ~50 ms per such message with the scan alone).
     */
    private static final int LINEAR_SCAN_LIMIT = 32;
    private static final int[] NO_TYPES = new int[0];

    private ByteBuf buf;
    private int start;
    private int messageType;
    private int count;
    private int[] types = new int[INITIAL_ATTRIBUTES];
    /** Index in {@link #buf} of each attribute's type field. */
    private int[] positions = new int[INITIAL_ATTRIBUTES];
    private int[] lengths = new int[INITIAL_ATTRIBUTES];
    /** Types indexed so far, one bit each; only for messages with more than {@link #LINEAR_SCAN_LIMIT} attributes. */
    private long[] indexedTypes;
    private int integrityIndex = -1;
    private int integritySha256Index = -1;
    private boolean fingerprint;

    private StunMessage() {
    }

    /**
     * An empty message to {@link #reset} with one packet after another, on one thread. Until the first successful
     * reset (and after {@link #clear()} or a failed reset) it holds no buffer: {@link #buffer()} is null, it has no
     * attributes, and {@link #transactionId()} and {@link #encodedLength()} throw {@link IllegalStateException}.
     */
    public static StunMessage reusable() {
        return new StunMessage();
    }

    /** Whether the first bytes of a packet could be a STUN message: the two most significant bits are zero. */
    public static boolean isStun(ByteBuf packet) {
        return packet.readableBytes() >= HEADER_LENGTH && (packet.getByte(packet.readerIndex()) & 0xc0) == 0;
    }

    /**
     * Decodes the readable bytes of {@code packet}, which must hold exactly one message, into a new message. Indexes
     * are not moved.
     *
     * @throws StunParseException if the packet is not a well-formed STUN message
     */
    public static StunMessage decode(ByteBuf packet) throws StunParseException {
        StunMessage message = new StunMessage();
        message.parse(packet);
        return message;
    }

    /**
     * Decodes the readable bytes of {@code packet} into this message, replacing everything it held: the same checks
     * and the same exceptions as {@link #decode}, without allocating. (The index starts with room for 12 attributes,
     * grows when a message needs more and keeps up to 64; a message of more than 32 indexed attributes, which no
     * TURN client sends, also takes a transient bit set.) Indexes are not moved; the buffer is neither retained nor
     * released.
     *
     * @return this message
     * @throws StunParseException if the packet is not a well-formed STUN message; this message is then empty, as
     *     after {@link #clear()}, so nothing of the previous packet or of the rejected one can be read from it
     */
    public StunMessage reset(ByteBuf packet) throws StunParseException {
        clear();
        try {
            parse(packet);
        } catch (StunParseException e) {
            clear();
            throw e;
        }
        return this;
    }

    /** Checks the header and indexes the attributes into this message, which must be empty. */
    private void parse(ByteBuf packet) throws StunParseException {
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
        this.buf = packet;
        this.start = start;
        this.messageType = type;
        index(start + HEADER_LENGTH, start + HEADER_LENGTH + length);
    }

    /**
     * Empties this message: drops the reference to the buffer and every index entry. Call it when the packet is
     * released if the message outlives it. Allocates nothing, except that index arrays grown past 64 attributes
     * are replaced by small ones.
     *
     * @return this message
     */
    public StunMessage clear() {
        buf = null;
        start = 0;
        messageType = 0;
        count = 0;
        indexedTypes = null;
        integrityIndex = -1;
        integritySha256Index = -1;
        fingerprint = false;
        if (types.length > MAX_RETAINED_ATTRIBUTES) {
            types = new int[INITIAL_ATTRIBUTES];
            positions = new int[INITIAL_ATTRIBUTES];
            lengths = new int[INITIAL_ATTRIBUTES];
        }
        return this;
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
            } else if (attrType == StunAttribute.XOR_PEER_ADDRESS || !isIndexed(attrType)) {
                add(attrType, pos, attrLength);
            }
            pos += 4 + padded;
        }
    }

    /** Whether an attribute of {@code type} is already in the index (the first-wins rule). */
    private boolean isIndexed(int type) {
        long[] bits = indexedTypes;
        if (bits == null) {
            if (count < LINEAR_SCAN_LIMIT) {
                return indexOf(type) >= 0;
            }
            bits = new long[65536 / 64];
            for (int i = 0; i < count; i++) {
                bits[types[i] >>> 6] |= 1L << types[i];
            }
            indexedTypes = bits;
        }
        return (bits[type >>> 6] & (1L << type)) != 0;
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
        if (indexedTypes != null) {
            indexedTypes[type >>> 6] |= 1L << type;
        }
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

    /** A new {@link TransactionId} read from the header. */
    public TransactionId transactionId() {
        return TransactionId.read(requireBuffer(), start + 8);
    }

    /** The buffer this message views (null when the message is empty), and the index of its header within it. */
    public ByteBuf buffer() {
        return buf;
    }

    public int start() {
        return start;
    }

    /** Total encoded length in bytes, header included. */
    public int encodedLength() {
        return HEADER_LENGTH + requireBuffer().getUnsignedShort(start + 2);
    }

    private ByteBuf requireBuffer() {
        ByteBuf b = buf;
        if (b == null) {
            throw new IllegalStateException("empty message (expected: a successful reset or decode first)");
        }
        return b;
    }

    /** Number of indexed attributes (after the ignore rules above). */
    public int attributeCount() {
        return count;
    }

    /** @throws IndexOutOfBoundsException unless {@code 0 <= i < attributeCount()}, as every accessor by index */
    public int attributeType(int i) {
        return types[Objects.checkIndex(i, count)];
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
        return buf.slice(valueIndex(i), lengths[i]);
    }

    public int valueLength(int i) {
        return lengths[Objects.checkIndex(i, count)];
    }

    /** Index in {@link #buffer()} of the first value byte of attribute {@code i}. */
    public int valueIndex(int i) {
        return positions[Objects.checkIndex(i, count)] + 4;
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
        return i < 0 ? null
                : StunAddress.read(buf, positions[i] + 4, lengths[i], StunAddress.isXor(type), buf, start);
    }

    /**
     * Every address of {@code type}, in order; null entries for malformed values. XOR-PEER-ADDRESS may repeat in
     * CreatePermission (RFC 8656 section 9.1).
     */
    public List<InetSocketAddress> addresses(int type) {
        List<InetSocketAddress> all = new ArrayList<>(2);
        boolean xor = StunAddress.isXor(type);
        for (int i = 0; i < count; i++) {
            if (types[i] == type) {
                all.add(StunAddress.read(buf, positions[i] + 4, lengths[i], xor, buf, start));
            }
        }
        return all;
    }

    // --- addresses without objects: for the relay path (RFC 8656 section 10.2), where a Send indication's
    // XOR-PEER-ADDRESS is read per packet. Each takes the attribute's index (from indexOf, or any i below
    // attributeCount() for repeated XOR-PEER-ADDRESS); the XOR decoding follows from the attribute's type.

    /**
     * The family of address attribute {@code i} (MAPPED-ADDRESS, ALTERNATE-SERVER, XOR-MAPPED-ADDRESS,
     * XOR-PEER-ADDRESS, XOR-RELAYED-ADDRESS; RFC 8489 sections 14.1 and 14.2).
     *
     * @return {@link StunAddress#FAMILY_IPV4}, {@link StunAddress#FAMILY_IPV6}, or 0 when the value is malformed
     *     (an unknown family, or a length other than 8 or 20): exactly when {@link #address} reads it as null
     */
    public int addressFamily(int i) {
        return StunAddress.family(buf, positions[Objects.checkIndex(i, count)] + 4, lengths[i]);
    }

    /**
     * The port of address attribute {@code i}, XOR-decoded for the XOR-* types.
     *
     * @throws IllegalStateException if {@link #addressFamily addressFamily(i)} is 0
     */
    public int addressPort(int i) {
        int v = addressValue(i, 0);
        int port = buf.getUnsignedShort(v + 2);
        return StunAddress.isXor(types[i]) ? port ^ (MAGIC_COOKIE >>> 16) : port;
    }

    /**
     * The IPv4 address of attribute {@code i} as an {@code int}, first octet in the most significant byte
     * (192.0.2.1 is {@code 0xc0000201}), XOR-decoded for the XOR-* types.
     *
     * @throws IllegalStateException unless {@link #addressFamily addressFamily(i)} is {@link StunAddress#FAMILY_IPV4}
     */
    public int addressIpv4(int i) {
        int address = buf.getInt(addressValue(i, StunAddress.FAMILY_IPV4) + 4);
        return StunAddress.isXor(types[i]) ? address ^ MAGIC_COOKIE : address;
    }

    /**
     * Writes the 16 bytes of the IPv6 address of attribute {@code i} into {@code dst} at {@code dstOffset},
     * XOR-decoded (with the magic cookie and transaction ID) for the XOR-* types.
     *
     * @throws IllegalStateException unless {@link #addressFamily addressFamily(i)} is {@link StunAddress#FAMILY_IPV6}
     * @throws IndexOutOfBoundsException if {@code dst} has less than 16 bytes from {@code dstOffset}
     */
    public void addressIpv6(int i, byte[] dst, int dstOffset) {
        int v = addressValue(i, StunAddress.FAMILY_IPV6) + 4;
        Objects.checkFromIndexSize(dstOffset, 16, dst.length);
        buf.getBytes(v, dst, dstOffset, 16);
        if (StunAddress.isXor(types[i])) {
            for (int k = 0; k < 16; k++) {
                dst[dstOffset + k] ^= buf.getByte(start + 4 + k);
            }
        }
    }

    /** The value index of address attribute {@code i}, checked to be well-formed and of {@code family} (0: any). */
    private int addressValue(int i, int family) {
        int v = positions[Objects.checkIndex(i, count)] + 4;
        int actual = StunAddress.family(buf, v, lengths[i]);
        if (actual == 0 || (family != 0 && actual != family)) {
            throw new IllegalStateException(String.format("attribute %d (0x%04x): address family %d (expected: %s)",
                    i, types[i], actual, family == 0 ? "1 or 2" : String.valueOf(family)));
        }
        return v;
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
     * request carrying any gets a 420 with UNKNOWN-ATTRIBUTES). A shared empty array when none, so the common case
     * allocates nothing; {@link #hasUnknownComprehensionRequired()} only asks.
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
        return unknown == null ? NO_TYPES : Arrays.copyOf(unknown, n);
    }

    /**
     * Whether {@link #unknownComprehensionRequired()} would be non-empty; allocates nothing (RFC 8489 section 6.3.2:
     * an indication carrying such attributes is discarded).
     */
    public boolean hasUnknownComprehensionRequired() {
        for (int i = 0; i < count; i++) {
            int t = types[i];
            if (StunAttribute.isComprehensionRequired(t) && !StunAttribute.isKnownComprehensionRequired(t)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        if (buf == null) {
            return "StunMessage(empty)";
        }
        StringBuilder sb = new StringBuilder("StunMessage(")
                .append(StunMethod.name(method())).append(' ').append(messageClass())
                .append(", tid=").append(transactionId()).append(", attributes=[");
        for (int i = 0; i < count; i++) {
            sb.append(i == 0 ? "" : ", ").append(String.format("0x%04x/%d", types[i], lengths[i]));
        }
        return sb.append("])").toString();
    }
}
