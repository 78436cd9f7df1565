package io.parkway.stun;

import io.netty.buffer.ByteBuf;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * The 96-bit transaction ID of a STUN message (RFC 8489 section 5,
 * https://datatracker.ietf.org/doc/html/rfc8489#section-5), held as three ints so that it compares and hashes
 * without arrays.
 */
public record TransactionId(int high, int middle, int low) {

    private static final SecureRandom RANDOM = new SecureRandom();

    /** Reads 12 bytes at {@code index} without moving indexes. */
    public static TransactionId read(ByteBuf buf, int index) {
        return new TransactionId(buf.getInt(index), buf.getInt(index + 4), buf.getInt(index + 8));
    }

    /** A new cryptographically random ID (RFC 8489 section 5: "uniformly and randomly chosen"). */
    public static TransactionId random() {
        byte[] b = new byte[12];
        RANDOM.nextBytes(b);
        return of(b);
    }

    public static TransactionId of(byte[] twelveBytes) {
        if (twelveBytes.length != 12) {
            throw new IllegalArgumentException("transaction ID length: " + twelveBytes.length + " (expected: 12)");
        }
        return new TransactionId(toInt(twelveBytes, 0), toInt(twelveBytes, 4), toInt(twelveBytes, 8));
    }

    public void write(ByteBuf out) {
        out.writeInt(high).writeInt(middle).writeInt(low);
    }

    public byte[] toBytes() {
        byte[] b = new byte[12];
        for (int i = 0; i < 4; i++) {
            b[i] = (byte) (high >>> (24 - 8 * i));
            b[4 + i] = (byte) (middle >>> (24 - 8 * i));
            b[8 + i] = (byte) (low >>> (24 - 8 * i));
        }
        return b;
    }

    private static int toInt(byte[] b, int i) {
        return (b[i] & 0xff) << 24 | (b[i + 1] & 0xff) << 16 | (b[i + 2] & 0xff) << 8 | (b[i + 3] & 0xff);
    }

    @Override
    public String toString() {
        return HexFormat.of().formatHex(toBytes());
    }
}
