package io.parkway.stun;

import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.zip.Checksum;

/**
 * Feeds a range of a {@link ByteBuf} to a checksum or a digest without allocating (house rule 3): a heap buffer's
 * backing array; else, when the buffer has exactly one NIO buffer, its {@link ByteBuf#internalNioBuffer} view; else
 * (composite buffers) a copy through the caller's scratch array, chunk by chunk.
 *
 * <p><b>Thread confinement:</b> {@code internalNioBuffer} returns a view object that the buffer shares with everyone
 * calling it, its slices included, and this class changes that view's position and limit. Call these methods only
 * synchronously on the thread that owns the buffer (the event loop that read it, or the writer filling it), as the
 * codec does. Nothing is retained or released; indexes are not moved.
 */
final class ByteRanges {
    private ByteRanges() {
    }

    /** Updates {@code checksum} with {@code buf[index, index + length)}. */
    static void update(Checksum checksum, ByteBuf buf, int index, int length, byte[] scratch) {
        if (buf.hasArray()) {
            checksum.update(buf.array(), buf.arrayOffset() + index, length);
        } else if (buf.nioBufferCount() == 1) {
            checksum.update(view(buf, index, length));
        } else {
            for (int done = 0; done < length; ) {
                int n = Math.min(scratch.length, length - done);
                buf.getBytes(index + done, scratch, 0, n);
                checksum.update(scratch, 0, n);
                done += n;
            }
        }
    }

    /** Updates {@code digest} with {@code buf[index, index + length)}. */
    static void update(MessageDigest digest, ByteBuf buf, int index, int length, byte[] scratch) {
        if (buf.hasArray()) {
            digest.update(buf.array(), buf.arrayOffset() + index, length);
        } else if (buf.nioBufferCount() == 1) {
            digest.update(view(buf, index, length));
        } else {
            for (int done = 0; done < length; ) {
                int n = Math.min(scratch.length, length - done);
                buf.getBytes(index + done, scratch, 0, n);
                digest.update(scratch, 0, n);
                done += n;
            }
        }
    }

    private static ByteBuffer view(ByteBuf buf, int index, int length) {
        // internalNioBuffer checks the range like nioBuffer does; an empty range is a valid (empty) view.
        return buf.internalNioBuffer(index, length);
    }
}
