package io.parkway.turn;

import static java.util.Objects.requireNonNull;

import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * A block of IPv4 or IPv6 addresses in CIDR notation (<a href="https://datatracker.ietf.org/doc/html/rfc4632#section-3.1">RFC
 * 4632 section 3.1</a>, <a href="https://datatracker.ietf.org/doc/html/rfc4291#section-2.3">RFC 4291 section 2.3</a>),
 * such as {@code 10.0.0.0/8} or {@code fc00::/7}.
 *
 * <p>A value: equal ranges have equal {@link #network()} and {@link #prefixLength()}. The network has no bits set
 * after the prefix, and a range inside the IPv4-mapped block {@code ::ffff:0:0/96} is stored as the IPv4 range it
 * maps (as {@link InetAddress#getByAddress(byte[])} does for single addresses), so {@code ::ffff:10.0.0.0/104} is
 * {@code 10.0.0.0/8}.
 *
 * <p>This is a final class rather than a record because {@link #contains(byte[])} compares against the network's
 * bytes held in a private field, which a record cannot declare; {@code InetAddress.getAddress()} would copy them on
 * every call.
 */
public final class IpRange {

    private final InetAddress network;
    private final int prefixLength;
    /** The network's bytes, 4 or 16 of them; never exposed, never written after construction. */
    private final byte[] bytes;

    /**
     * Creates the range of {@code prefixLength} leading bits of {@code network}.
     *
     * @throws IllegalArgumentException if the prefix length is outside 0-32 (IPv4) or 0-128 (IPv6), or the network has
     *     bits set after the prefix
     */
    public IpRange(InetAddress network, int prefixLength) {
        this(requireNonNull(network, "network").getAddress(), prefixLength, null);
    }

    private IpRange(byte[] address, int prefixLength, String cidr) {
        int bits = address.length * 8;
        if (prefixLength < 0 || prefixLength > bits) {
            throw cidr == null
                    ? new IllegalArgumentException("prefixLength: " + prefixLength + " (expected: 0-" + bits
                            + " for " + family(address) + " network " + NetUtil.bytesToIpAddress(address) + ')')
                    : invalid(cidr, "an " + family(address) + " prefix length 0-" + bits);
        }
        for (int i = 0; i < address.length; i++) {
            if ((address[i] & 0xff & ~mask(prefixLength, i)) != 0) {
                byte[] masked = address.clone();
                for (int j = i; j < masked.length; j++) {
                    masked[j] &= mask(prefixLength, j);
                }
                String fixed = NetUtil.bytesToIpAddress(masked) + '/' + prefixLength;
                throw invalid(cidr != null ? cidr : NetUtil.bytesToIpAddress(address) + '/' + prefixLength,
                        "no bits set after the prefix, such as " + fixed);
            }
        }
        if (address.length == 16 && prefixLength >= 96 && isIpv4Mapped(address)) {
            address = Arrays.copyOfRange(address, 12, 16);
            prefixLength -= 96;
        }
        this.bytes = address;
        this.prefixLength = prefixLength;
        try {
            this.network = InetAddress.getByAddress(address.clone()); // a literal: no name service involved
        } catch (UnknownHostException e) {
            throw new AssertionError("4 or 16 bytes", e); // getByAddress throws only for other lengths
        }
    }

    /**
     * Parses CIDR text: {@code ADDRESS/PREFIX} such as {@code 10.0.0.0/8} or {@code fe80::/10}, or a bare address,
     * which is a range of one ({@code /32} or {@code /128}). IPv6 text may end with a dotted IPv4 address
     * ({@code 64:ff9b::192.0.2.0/120}, <a href="https://datatracker.ietf.org/doc/html/rfc4291#section-2.2">RFC 4291
     * section 2.2</a>). Only literals are accepted; no name is ever looked up. Surrounding whitespace is ignored.
     *
     * @throws IllegalArgumentException naming the text and what was expected, such as
     *     {@code "CIDR: 10.0.0.0/33 (expected: an IPv4 prefix length 0-32)"}
     */
    public static IpRange parse(String cidr) {
        String text = requireNonNull(cidr, "cidr").strip();
        int slash = text.indexOf('/');
        byte[] address = parseLiteral(slash < 0 ? text : text.substring(0, slash));
        if (address == null) {
            throw invalid(cidr, "ADDRESS/PREFIX such as 10.0.0.0/8 or fc00::/7");
        }
        if (slash < 0) {
            return new IpRange(address, address.length * 8, cidr);
        }
        String prefix = text.substring(slash + 1);
        int prefixLength = -1;
        if (!prefix.isEmpty() && prefix.length() <= 3 && prefix.chars().allMatch(c -> c >= '0' && c <= '9')) {
            prefixLength = Integer.parseInt(prefix);
        }
        return new IpRange(address, prefixLength, cidr);
    }

    /**
     * The bytes of an IPv4 or IPv6 literal, or {@code null} when {@code text} is not one. Netty's parser rejects
     * IPv6 text ending in dotted IPv4 unless it starts {@code ::} or {@code ::ffff:}, and turns {@code ::a.b.c.d}
     * into {@code ::ffff:a.b.c.d}; so a trailing dotted IPv4 address is rewritten into two hex groups first.
     */
    static byte[] parseLiteral(String text) {
        int colon = text.lastIndexOf(':');
        if (colon >= 0 && text.indexOf('.', colon) >= 0) {
            byte[] ipv4 = NetUtil.createByteArrayFromIpAddressString(text.substring(colon + 1));
            if (ipv4 == null || ipv4.length != 4) {
                return null;
            }
            text = text.substring(0, colon + 1) + Integer.toHexString((ipv4[0] & 0xff) << 8 | ipv4[1] & 0xff)
                    + ':' + Integer.toHexString((ipv4[2] & 0xff) << 8 | ipv4[3] & 0xff);
        }
        return NetUtil.createByteArrayFromIpAddressString(text);
    }

    /** The first address of the range; an {@link java.net.Inet4Address} or an {@link java.net.Inet6Address}. */
    public InetAddress network() {
        return network;
    }

    /** The number of leading bits that addresses in the range share with {@link #network()}. */
    public int prefixLength() {
        return prefixLength;
    }

    /** Whether {@code address} is in this range; an address of the other family never is. */
    public boolean contains(InetAddress address) {
        return contains(address.getAddress());
    }

    /**
     * Whether the 4- or 16-byte {@code address} is in this range, without allocating. A 16-byte IPv4-mapped address
     * is taken as the IPv4 address it maps, as {@link InetAddress#getByAddress(byte[])} does; otherwise an address
     * of the other family never matches.
     */
    public boolean contains(byte[] address) {
        int offset = 0;
        if (address.length == 16 && bytes.length == 4 && isIpv4Mapped(address)) {
            offset = 12;
        } else if (address.length != bytes.length) {
            return false;
        }
        int whole = prefixLength >>> 3;
        for (int i = 0; i < whole; i++) {
            if (address[offset + i] != bytes[i]) {
                return false;
            }
        }
        int rest = prefixLength & 7;
        return rest == 0 || ((address[offset + whole] ^ bytes[whole]) & mask(prefixLength, whole)) == 0;
    }

    /** Whether the 16 bytes are {@code ::ffff:a.b.c.d} (<a href="https://datatracker.ietf.org/doc/html/rfc4291#section-2.5.5.2">RFC 4291 section 2.5.5.2</a>). */
    static boolean isIpv4Mapped(byte[] address) {
        for (int i = 0; i < 10; i++) {
            if (address[i] != 0) {
                return false;
            }
        }
        return address[10] == (byte) 0xff && address[11] == (byte) 0xff;
    }

    /** The bits of byte {@code index} of the address that lie inside a prefix of {@code prefixLength} bits. */
    private static int mask(int prefixLength, int index) {
        int inside = Math.min(8, Math.max(0, prefixLength - index * 8));
        return (0xff00 >>> inside) & 0xff;
    }

    private static String family(byte[] address) {
        return address.length == 4 ? "IPv4" : "IPv6";
    }

    private static IllegalArgumentException invalid(String cidr, String expected) {
        return new IllegalArgumentException("CIDR: " + cidr + " (expected: " + expected + ')');
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IpRange && prefixLength == ((IpRange) o).prefixLength
                && Arrays.equals(bytes, ((IpRange) o).bytes);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(bytes) + prefixLength;
    }

    /** CIDR text such as {@code 10.0.0.0/8} or {@code fc00::/7} (<a href="https://datatracker.ietf.org/doc/html/rfc5952">RFC 5952</a> form). */
    @Override
    public String toString() {
        return NetUtil.bytesToIpAddress(bytes) + '/' + prefixLength;
    }
}
