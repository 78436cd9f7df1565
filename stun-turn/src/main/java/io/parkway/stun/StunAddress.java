package io.parkway.stun;

import io.netty.buffer.ByteBuf;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/**
 * Encoding of the address attributes: MAPPED-ADDRESS and ALTERNATE-SERVER (RFC 8489 section 14.1,
 * https://datatracker.ietf.org/doc/html/rfc8489#section-14.1) and the XOR forms XOR-MAPPED-ADDRESS,
 * XOR-PEER-ADDRESS, XOR-RELAYED-ADDRESS (RFC 8489 section 14.2, RFC 8656 sections 18.3 and 18.5). The X-Port is the
 * port XORed with the magic cookie's high 16 bits; the X-Address is the address XORed with the cookie (IPv4) or the
 * cookie followed by the transaction ID (IPv6).
 */
public final class StunAddress {
    public static final int FAMILY_IPV4 = 0x01;
    public static final int FAMILY_IPV6 = 0x02;

    private StunAddress() {
    }

    /** Bytes of the attribute value for an address. */
    public static int valueLength(InetAddress address) {
        return address instanceof Inet4Address ? 8 : 20;
    }

    /**
     * Writes an address attribute value at the writer index.
     *
     * @param messageStart index of the message's first header byte in {@code out}: the XOR key is read from there
     */
    public static void write(ByteBuf out, InetSocketAddress address, boolean xor, int messageStart) {
        InetAddress ip = address.getAddress();
        byte[] bytes = ip.getAddress();
        int port = address.getPort();
        out.writeByte(0);
        out.writeByte(bytes.length == 4 ? FAMILY_IPV4 : FAMILY_IPV6);
        out.writeShort(xor ? port ^ (StunMessage.MAGIC_COOKIE >>> 16) : port);
        for (int i = 0; i < bytes.length; i++) {
            out.writeByte(xor ? bytes[i] ^ out.getByte(messageStart + 4 + i) : bytes[i]);
        }
    }

    /**
     * Reads an address attribute value.
     *
     * @param value the attribute value (index range is read, not consumed)
     * @param messageStart index of the message's first header byte in {@code message}: the XOR key
     * @return the address, or null when the family or length is invalid
     */
    public static InetSocketAddress read(ByteBuf value, boolean xor, ByteBuf message, int messageStart) {
        return read(value, value.readerIndex(), value.readableBytes(), xor, message, messageStart);
    }

    /** As {@link #read(ByteBuf, boolean, ByteBuf, int)} for the value at {@code value[v, v + len)}, without a slice. */
    static InetSocketAddress read(ByteBuf value, int v, int len, boolean xor, ByteBuf message, int messageStart) {
        int family = family(value, v, len);
        if (family == 0) {
            return null;
        }
        int addrLen = family == FAMILY_IPV4 ? 4 : 16;
        int port = value.getUnsignedShort(v + 2);
        if (xor) {
            port ^= StunMessage.MAGIC_COOKIE >>> 16;
        }
        byte[] bytes = new byte[addrLen];
        for (int i = 0; i < addrLen; i++) {
            byte b = value.getByte(v + 4 + i);
            bytes[i] = xor ? (byte) (b ^ message.getByte(messageStart + 4 + i)) : b;
        }
        try {
            InetAddress ip = addrLen == 4 ? InetAddress.getByAddress(bytes) : Inet6Address.getByAddress(null, bytes, -1);
            return new InetSocketAddress(ip, port);
        } catch (UnknownHostException e) {
            return null;
        }
    }

    /**
     * The family of the address value at {@code value[v, v + len)}: {@link #FAMILY_IPV4} (8 bytes),
     * {@link #FAMILY_IPV6} (20 bytes), or 0 when shorter than 4 bytes, of an unknown family, or of the wrong length.
     */
    static int family(ByteBuf value, int v, int len) {
        if (len < 4) {
            return 0;
        }
        int family = value.getUnsignedByte(v + 1);
        if (family == FAMILY_IPV4) {
            return len == 8 ? FAMILY_IPV4 : 0;
        }
        if (family == FAMILY_IPV6) {
            return len == 20 ? FAMILY_IPV6 : 0;
        }
        return 0;
    }

    /** Whether attributes of {@code type} carry the XOR form (XOR-MAPPED/PEER/RELAYED-ADDRESS). */
    static boolean isXor(int type) {
        return type == StunAttribute.XOR_MAPPED_ADDRESS || type == StunAttribute.XOR_PEER_ADDRESS
                || type == StunAttribute.XOR_RELAYED_ADDRESS;
    }

    /** The address family code of an address (RFC 8489 section 14.1). */
    public static int familyOf(InetAddress address) {
        return address instanceof Inet4Address ? FAMILY_IPV4 : FAMILY_IPV6;
    }
}
