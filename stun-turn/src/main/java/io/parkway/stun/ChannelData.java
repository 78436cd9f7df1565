package io.parkway.stun;

import io.netty.buffer.ByteBuf;

/**
 * The ChannelData message (RFC 8656 section 12.4, https://datatracker.ietf.org/doc/html/rfc8656#section-12.4): a
 * 2-byte channel number (0x4000-0x4FFF), a 2-byte length and the application data. Over UDP the datagram may
 * carry padding after the data; over TCP and TLS each message is padded to a multiple of 4 bytes (section 12.5).
 * The first two bits, 0b01, tell it apart from STUN (0b00) on the same socket (RFC 7983 section 7).
 */
public final class ChannelData {
    public static final int HEADER_LENGTH = 4;
    public static final int MIN_CHANNEL = 0x4000;
    /** The top of RFC 8656's range (section 12); 0x5000-0x7FFF were valid under RFC 5766. */
    public static final int MAX_CHANNEL_RFC8656 = 0x4fff;
    /** The top of RFC 5766's range (section 11), still used by deployed clients such as coturn's. */
    public static final int MAX_CHANNEL = 0x7fff;

    private ChannelData() {
    }

    /** Whether the packet starts like a ChannelData message: first two bits 0b01. */
    public static boolean isChannelData(ByteBuf packet) {
        return packet.readableBytes() >= HEADER_LENGTH && (packet.getByte(packet.readerIndex()) & 0xc0) == 0x40;
    }

    /**
     * Whether a ChannelBind may use this number. RFC 8656 section 12 allows 0x4000 through 0x4FFF; RFC 5766
     * section 11 allowed 0x4000 through 0x7FFF, and clients built on it (coturn's own, among others) still pick
     * numbers up to 0x7FFF. The server accepts the RFC 5766 range so those clients work: every such number still
     * starts with the bits 0b01, so demultiplexing from STUN and DTLS (RFC 7983) is unaffected.
     */
    public static boolean isValidChannel(int channel) {
        return channel >= MIN_CHANNEL && channel <= MAX_CHANNEL;
    }

    /** The channel number at the reader index. */
    public static int channel(ByteBuf packet) {
        return packet.getUnsignedShort(packet.readerIndex());
    }

    /** The data length at the reader index. */
    public static int length(ByteBuf packet) {
        return packet.getUnsignedShort(packet.readerIndex() + 2);
    }

    /** The data length padded to a multiple of 4, as it travels over TCP and TLS (RFC 8656 section 12.5). */
    public static int paddedLength(int length) {
        return (length + 3) & ~3;
    }

    /** Writes the 4-byte header. */
    public static void writeHeader(ByteBuf out, int channel, int length) {
        out.writeShort(channel);
        out.writeShort(length);
    }
}
