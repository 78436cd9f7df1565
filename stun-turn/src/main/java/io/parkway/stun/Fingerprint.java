package io.parkway.stun;

import io.netty.buffer.ByteBuf;
import java.util.zip.CRC32;

/**
 * The FINGERPRINT attribute: CRC-32 of the message up to (excluding) the attribute, XORed with 0x5354554e, with the
 * header length covering the attribute (RFC 8489 section 14.7, https://datatracker.ietf.org/doc/html/rfc8489#section-14.7).
 */
public final class Fingerprint {
    public static final int XOR = 0x5354554e;

    private static final ThreadLocal<CRC32> CRC = ThreadLocal.withInitial(CRC32::new);

    private Fingerprint() {
    }

    /** The fingerprint value for a FINGERPRINT attribute whose type field is at {@code attributeIndex}. */
    public static int compute(ByteBuf message, int messageStart, int attributeIndex) {
        CRC32 crc = CRC.get();
        crc.reset();
        int len = attributeIndex - messageStart;
        if (message.hasArray()) {
            crc.update(message.array(), message.arrayOffset() + messageStart, len);
        } else {
            crc.update(message.nioBuffer(messageStart, len));
        }
        return (int) crc.getValue() ^ XOR;
    }
}
