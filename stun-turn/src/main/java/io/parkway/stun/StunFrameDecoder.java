package io.parkway.stun;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.CorruptedFrameException;
import java.util.List;

/**
 * Splits a TCP or TLS byte stream into STUN messages and ChannelData messages (RFC 8656 section 12.5,
 * https://datatracker.ietf.org/doc/html/rfc8656#section-12.5, and RFC 8489 section 6.2.2). A STUN frame is the
 * 20-byte header plus its length; a ChannelData frame is the 4-byte header plus the data padded to a multiple of 4.
 *
 * <p>Emits each frame as a retained slice of the cumulation holding exactly one message; for ChannelData the slice
 * excludes the padding. <b>Ownership:</b> the next handler owns each emitted frame and must release it.
 *
 * <p>A stream whose next bytes are neither (first two bits 0b10 or 0b11) cannot be resynchronised: the decoder
 * raises a {@link CorruptedFrameException}, after which the connection should be closed.
 */
public final class StunFrameDecoder extends ByteToMessageDecoder {

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        while (in.readableBytes() >= ChannelData.HEADER_LENGTH) {
            int firstByte = in.getUnsignedByte(in.readerIndex());
            int first = firstByte >>> 6;
            int length = in.getUnsignedShort(in.readerIndex() + 2);
            int frame;
            int wire;
            if (first == 0b00) {
                frame = StunMessage.HEADER_LENGTH + length;
                wire = frame;
            } else if (first == 0b01) {
                frame = ChannelData.HEADER_LENGTH + length;
                wire = ChannelData.HEADER_LENGTH + ChannelData.paddedLength(length);
            } else {
                in.skipBytes(in.readableBytes());
                throw new CorruptedFrameException(String.format(
                        "first byte: 0x%02x (expected: STUN 0b00xxxxxx or ChannelData 0b01xxxxxx)",
                        firstByte));
            }
            if (in.readableBytes() < wire) {
                return;
            }
            out.add(in.retainedSlice(in.readerIndex(), frame));
            in.skipBytes(wire);
        }
    }
}
