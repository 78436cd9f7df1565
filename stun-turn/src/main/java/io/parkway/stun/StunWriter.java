package io.parkway.stun;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.net.InetSocketAddress;

/**
 * Encodes one STUN message into a caller's buffer, attribute by attribute (RFC 8489 sections 5 and 14). The header
 * length is kept current after each attribute, so integrity and fingerprint attributes can be appended last, in the
 * order RFC 8489 section 14 requires: MESSAGE-INTEGRITY, then MESSAGE-INTEGRITY-SHA256, then FINGERPRINT.
 *
 * <p><b>Ownership:</b> the writer only writes into {@code out}; the caller owns and releases it.
 */
public final class StunWriter {
    private final ByteBuf out;
    private final int start;

    private StunWriter(ByteBuf out, int start) {
        this.out = out;
        this.start = start;
    }

    /** Writes the 20-byte header at the writer index and returns a writer for the attributes. */
    public static StunWriter begin(ByteBuf out, int method, StunClass cls, TransactionId transactionId) {
        int start = out.writerIndex();
        out.writeShort(StunMethod.messageType(method, cls));
        out.writeShort(0);
        out.writeInt(StunMessage.MAGIC_COOKIE);
        transactionId.write(out);
        return new StunWriter(out, start);
    }

    /** Writes an address attribute, XOR-encoded for XOR-MAPPED/PEER/RELAYED-ADDRESS. */
    public StunWriter address(int type, InetSocketAddress address) {
        header(type, StunAddress.valueLength(address.getAddress()));
        StunAddress.write(out, address, StunAddress.isXor(type), start);
        return end();
    }

    /** A UTF-8 text attribute (USERNAME, REALM, NONCE, SOFTWARE). */
    public StunWriter string(int type, String value) {
        int lengthIndex = out.writerIndex() + 2;
        header(type, 0);
        int n = ByteBufUtil.writeUtf8(out, value);
        out.setShort(lengthIndex, n);
        return end();
    }

    public StunWriter bytes(int type, byte[] value) {
        header(type, value.length);
        out.writeBytes(value);
        return end();
    }

    /** Copies the readable bytes of {@code value} (indexes not moved; not released). */
    public StunWriter bytes(int type, ByteBuf value) {
        header(type, value.readableBytes());
        out.writeBytes(value, value.readerIndex(), value.readableBytes());
        return end();
    }

    public StunWriter uint32(int type, long value) {
        header(type, 4);
        out.writeInt((int) value);
        return end();
    }

    /** An attribute with no value (DONT-FRAGMENT). */
    public StunWriter flag(int type) {
        header(type, 0);
        return end();
    }

    /** ERROR-CODE: class in the hundreds digit, number in the rest, then the reason (RFC 8489 section 14.8). */
    public StunWriter errorCode(int code, String reason) {
        int lengthIndex = out.writerIndex() + 2;
        header(StunAttribute.ERROR_CODE, 0);
        out.writeShort(0);
        out.writeByte(code / 100);
        out.writeByte(code % 100);
        int n = ByteBufUtil.writeUtf8(out, reason);
        out.setShort(lengthIndex, 4 + n);
        return end();
    }

    /** UNKNOWN-ATTRIBUTES: the list of 16-bit types (RFC 8489 section 14.13). */
    public StunWriter unknownAttributes(int[] attributeTypes) {
        header(StunAttribute.UNKNOWN_ATTRIBUTES, attributeTypes.length * 2);
        for (int t : attributeTypes) {
            out.writeShort(t);
        }
        return end();
    }

    /** PASSWORD-ALGORITHMS: each algorithm with empty parameters (RFC 8489 section 14.11). */
    public StunWriter passwordAlgorithms(int... algorithms) {
        header(StunAttribute.PASSWORD_ALGORITHMS, algorithms.length * 4);
        for (int a : algorithms) {
            out.writeShort(a);
            out.writeShort(0);
        }
        return end();
    }

    /** MESSAGE-INTEGRITY over everything written so far (RFC 8489 section 14.5). */
    public StunWriter messageIntegrity(byte[] key) {
        return integrity(StunAttribute.MESSAGE_INTEGRITY, MessageIntegrity.SHA1_LENGTH, key);
    }

    /** MESSAGE-INTEGRITY-SHA256, full 32 bytes (RFC 8489 section 14.6). */
    public StunWriter messageIntegritySha256(byte[] key) {
        return integrity(StunAttribute.MESSAGE_INTEGRITY_SHA256, MessageIntegrity.SHA256_LENGTH, key);
    }

    private StunWriter integrity(int type, int length, byte[] key) {
        MessageIntegrity.computeAndWrite(out, start, type, length, key);
        return end();
    }

    /** FINGERPRINT; must be the last attribute (RFC 8489 section 14.7). */
    public ByteBuf fingerprint() {
        int attributeIndex = out.writerIndex();
        out.setShort(start + 2, attributeIndex + 8 - start - StunMessage.HEADER_LENGTH);
        int crc = Fingerprint.compute(out, start, attributeIndex);
        header(StunAttribute.FINGERPRINT, 4);
        out.writeInt(crc);
        end();
        return out;
    }

    /** Ends the message without a fingerprint. */
    public ByteBuf finish() {
        return out;
    }

    private void header(int type, int length) {
        out.writeShort(type);
        out.writeShort(length);
    }

    /** Pads the value just written to a multiple of 4 with zero bytes and updates the header length. */
    private StunWriter end() {
        int padding = (4 - ((out.writerIndex() - start) & 3)) & 3;
        out.writeZero(padding);
        out.setShort(start + 2, out.writerIndex() - start - StunMessage.HEADER_LENGTH);
        return this;
    }
}
