package io.parkway.turn.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.parkway.stun.StunAttribute;
import io.parkway.stun.StunClass;
import io.parkway.stun.StunMessage;
import io.parkway.stun.StunMethod;
import io.parkway.stun.StunParseException;
import io.parkway.stun.TransactionId;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * A STUN message received by a test client or peer, held as a copy of its bytes. Each accessor decodes the bytes
 * with {@link StunMessage#decode} into a heap buffer that it releases before returning, so a test never holds a
 * buffer.
 */
final class StunPacket {
    private final byte[] bytes;

    private StunPacket(byte[] bytes) {
        this.bytes = bytes;
    }

    /** Validates {@code bytes} as one STUN message (fingerprint included when present) and keeps them. */
    static StunPacket parse(byte[] bytes) throws StunParseException {
        ByteBuf buf = Unpooled.wrappedBuffer(bytes);
        try {
            StunMessage.decode(buf);
        } finally {
            buf.release();
        }
        return new StunPacket(bytes);
    }

    private <T> T read(Function<StunMessage, T> reader) {
        ByteBuf buf = Unpooled.wrappedBuffer(bytes);
        try {
            return reader.apply(StunMessage.decode(buf));
        } catch (StunParseException e) {
            throw new AssertionError("validated when received", e);
        } finally {
            buf.release();
        }
    }

    byte[] raw() {
        return bytes.clone();
    }

    int method() {
        return read(StunMessage::method);
    }

    StunClass messageClass() {
        return read(StunMessage::messageClass);
    }

    TransactionId transactionId() {
        return read(StunMessage::transactionId);
    }

    boolean isResponse() {
        StunClass c = messageClass();
        return c == StunClass.SUCCESS_RESPONSE || c == StunClass.ERROR_RESPONSE;
    }

    boolean isSuccess() {
        return messageClass() == StunClass.SUCCESS_RESPONSE;
    }

    boolean isError() {
        return messageClass() == StunClass.ERROR_RESPONSE;
    }

    boolean isDataIndication() {
        return messageClass() == StunClass.INDICATION && method() == StunMethod.DATA;
    }

    /** The ERROR-CODE number, or -1. */
    int errorCode() {
        return read(StunMessage::errorCode);
    }

    boolean has(int type) {
        return read(m -> m.has(type));
    }

    InetSocketAddress address(int type) {
        return read(m -> m.address(type));
    }

    List<InetSocketAddress> addresses(int type) {
        return read(m -> m.addresses(type));
    }

    /** The first 32-bit value of {@code type}, or -1. */
    long uint32(int type) {
        return read(m -> m.uint32(type, -1));
    }

    String string(int type) {
        return read(m -> m.string(type));
    }

    byte[] bytes(int type) {
        return read(m -> m.bytes(type));
    }

    boolean hasFingerprint() {
        return read(StunMessage::hasFingerprint);
    }

    boolean hasIntegrity() {
        return read(StunMessage::hasIntegrity);
    }

    boolean hasIntegritySha256() {
        return read(StunMessage::hasIntegritySha256);
    }

    boolean verifiesIntegrity(byte[] key) {
        return read(m -> m.verifyIntegrity(key));
    }

    boolean verifiesIntegritySha256(byte[] key) {
        return read(m -> m.verifyIntegritySha256(key));
    }

    /** The types listed in UNKNOWN-ATTRIBUTES (RFC 8489 section 14.13); empty when absent. */
    int[] unknownAttributes() {
        byte[] v = bytes(StunAttribute.UNKNOWN_ATTRIBUTES);
        if (v == null) {
            return new int[0];
        }
        int[] types = new int[v.length / 2];
        for (int i = 0; i < types.length; i++) {
            types[i] = (v[2 * i] & 0xff) << 8 | (v[2 * i + 1] & 0xff);
        }
        return types;
    }

    /** The algorithm codes listed in PASSWORD-ALGORITHMS (RFC 8489 section 14.11), in order; empty when absent. */
    int[] passwordAlgorithms() {
        byte[] v = bytes(StunAttribute.PASSWORD_ALGORITHMS);
        if (v == null) {
            return new int[0];
        }
        int[] codes = new int[v.length / 4];
        int n = 0;
        for (int i = 0; i + 4 <= v.length; ) {
            codes[n++] = (v[i] & 0xff) << 8 | (v[i + 1] & 0xff);
            int paramLength = (v[i + 2] & 0xff) << 8 | (v[i + 3] & 0xff);
            i += 4 + ((paramLength + 3) & ~3);
        }
        return Arrays.copyOf(codes, n);
    }

    @Override
    public String toString() {
        int code = errorCode();
        return read(StunMessage::toString) + (code < 0 ? "" : " error " + code);
    }
}
