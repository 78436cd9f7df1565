package io.parkway.stun;

import io.netty.buffer.ByteBuf;
import java.util.zip.CRC32;

/**
 * The FINGERPRINT attribute: CRC-32 of the message up to (excluding) the attribute, XORed with 0x5354554e, with the
 * header length covering the attribute (RFC 8489 section 14.7, https://datatracker.ietf.org/doc/html/rfc8489#section-14.7).
 */
public final class Fingerprint {
    public static final int XOR = 0x5354554e;

    private Fingerprint() {
    }

    /**
     * The fingerprint value for a FINGERPRINT attribute whose type field is at {@code attributeIndex}. Allocates
     * nothing: heap buffers are read through their array, direct buffers through their internal NIO view (so call it
     * on the thread that owns {@code message}, synchronously, as the decoder and {@link StunWriter} do).
     */
    public static int compute(ByteBuf message, int messageStart, int attributeIndex) {
        CodecThreadState state = CodecThreadState.get();
        CRC32 crc = state.crc;
        crc.reset();
        ByteRanges.update(crc, message, messageStart, attributeIndex - messageStart, state.scratch);
        return (int) crc.getValue() ^ XOR;
    }
}
