package io.parkway.turn;

import static java.util.Objects.requireNonNull;

import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Decides whether the relay may send to a peer IP address: the check behind CreatePermission, ChannelBind and Send,
 * so that a TURN client cannot use the relay to reach the server's own host, its private networks or cloud metadata
 * services (<a href="https://datatracker.ietf.org/doc/html/rfc8656#section-21.3">RFC 8656 section 21.3</a>).
 *
 * <p>Safe by default: a peer is refused when it is in the {@linkplain #defaultDenied() default deny list}, in an
 * extra {@linkplain Builder#deny(IpRange...) deny range}, or is one of the {@linkplain
 * Builder#denyRelayAddress(InetAddress...) relay's own addresses} — unless it is in an {@linkplain
 * Builder#allow(IpRange...) allow range}, which wins over every deny.
 *
 * <p>IPv6 addresses that embed an IPv4 address are judged by that IPv4 address too, so that
 * {@code 64:ff9b::7f00:1} cannot reach what {@code 127.0.0.1} may not:
 * <ul>
 *   <li>IPv4-mapped {@code ::ffff:a.b.c.d} is judged as {@code a.b.c.d} alone, exactly as the
 *       {@link java.net.Inet4Address} that {@link InetAddress#getByAddress(byte[])} makes of it
 *       (<a href="https://datatracker.ietf.org/doc/html/rfc4291#section-2.5.5.2">RFC 4291 section 2.5.5.2</a>);</li>
 *   <li>IPv4-compatible {@code ::a.b.c.d}, other than {@code ::} and {@code ::1}
 *       (<a href="https://datatracker.ietf.org/doc/html/rfc4291#section-2.5.5.1">RFC 4291 section 2.5.5.1</a>);</li>
 *   <li>the NAT64 well-known prefix {@code 64:ff9b::/96}
 *       (<a href="https://datatracker.ietf.org/doc/html/rfc6052#section-2.1">RFC 6052 section 2.1</a>);</li>
 *   <li>6to4 {@code 2002:AABB:CCDD::/48}, IPv4 in bits 16-47
 *       (<a href="https://datatracker.ietf.org/doc/html/rfc3056#section-2">RFC 3056 section 2</a>);</li>
 *   <li>Teredo {@code 2001:0::/32}, the server's IPv4 in bits 32-63 and the client's, inverted, in bits 96-127
 *       (<a href="https://datatracker.ietf.org/doc/html/rfc4380#section-4">RFC 4380 section 4</a>); both must be
 *       permitted. Teredo lies inside the denied {@code 2001::/23}, so this matters only when it is allowed.</li>
 * </ul>
 * For the other forms the IPv6 address must be permitted (allowed, or not denied) and so must its IPv4 address
 * (allowed, or not denied): allowing {@code 127.0.0.0/8} permits {@code 64:ff9b::7f00:1}, while allowing
 * {@code 64:ff9b::/96} does not reopen it.
 *
 * <p>Immutable and thread-safe. {@link #permits(InetAddress)} allocates nothing beyond
 * {@link InetAddress#getAddress()} and scans small primitive arrays.
 */
public final class PeerPolicy {

    /**
     * Every block of the <a href="https://www.iana.org/assignments/iana-ipv4-special-registry/">IANA IPv4
     * Special-Purpose Address Registry</a> and the <a href="https://www.iana.org/assignments/iana-ipv6-special-registry/">IANA
     * IPv6 Special-Purpose Address Registry</a> that is not globally reachable, plus multicast and the deprecated
     * site-local block. The few globally reachable anycast addresses inside {@code 192.0.0.0/24} and
     * {@code 2001::/23} are denied with their block. {@code ::ffff:0:0/96} is handled by mapping (see above).
     */
    private static final List<IpRange> DEFAULT_DENIED = Stream.of(
            "0.0.0.0/8",          // "this network", RFC 791
            "10.0.0.0/8",         // private use, RFC 1918
            "100.64.0.0/10",      // shared address space (carrier-grade NAT), RFC 6598
            "127.0.0.0/8",        // loopback, RFC 1122
            "169.254.0.0/16",     // link local, incl. cloud metadata 169.254.169.254, RFC 3927
            "172.16.0.0/12",      // private use, RFC 1918
            "192.0.0.0/24",       // IETF protocol assignments, RFC 6890
            "192.0.2.0/24",       // documentation TEST-NET-1, RFC 5737
            "192.88.99.0/24",     // deprecated 6to4 relay anycast, RFC 7526
            "192.168.0.0/16",     // private use, RFC 1918
            "198.18.0.0/15",      // benchmarking, RFC 2544
            "198.51.100.0/24",    // documentation TEST-NET-2, RFC 5737
            "203.0.113.0/24",     // documentation TEST-NET-3, RFC 5737
            "224.0.0.0/4",        // multicast, RFC 5771
            "240.0.0.0/4",        // reserved, RFC 1112
            "255.255.255.255/32", // limited broadcast, RFC 919
            "::/128",             // unspecified, RFC 4291
            "::1/128",            // loopback, RFC 4291
            "64:ff9b:1::/48",     // local-use IPv4/IPv6 translation, RFC 8215
            "100::/64",           // discard-only, RFC 6666
            "100:0:0:1::/64",     // dummy IPv6 prefix
            "2001::/23",          // IETF protocol assignments, RFC 2928 (incl. Teredo, benchmarking, ORCHID)
            "2001:db8::/32",      // documentation, RFC 3849
            "3fff::/20",          // documentation, RFC 9637
            "5f00::/16",          // segment routing (SRv6) SIDs, RFC 9602
            "fc00::/7",           // unique local, RFC 4193
            "fe80::/10",          // link-local unicast, RFC 4291
            "fec0::/10",          // deprecated site-local, RFC 3879
            "ff00::/8")           // multicast, RFC 4291
            .map(IpRange::parse)
            .collect(Collectors.toUnmodifiableList());

    private static final long NAT64_HIGH = 0x0064_ff9b_0000_0000L;
    private static final PeerPolicy DEFAULTS = builder().build();

    private final List<IpRange> allowed;
    private final List<IpRange> extraDenied;
    private final List<InetAddress> relayAddresses;
    private final List<IpRange> denied;
    private final RangeTable allowTable;
    private final RangeTable denyTable;

    private PeerPolicy(Builder builder) {
        allowed = List.copyOf(builder.allowed);
        extraDenied = List.copyOf(builder.denied);
        relayAddresses = List.copyOf(builder.relayAddresses);
        List<IpRange> all = new ArrayList<>(DEFAULT_DENIED);
        all.addAll(extraDenied);
        for (InetAddress relay : relayAddresses) {
            all.add(new IpRange(relay, relay.getAddress().length * 8));
        }
        denied = List.copyOf(all);
        allowTable = new RangeTable(allowed);
        denyTable = new RangeTable(denied);
    }

    /**
     * This policy with {@code addresses} also refused as the relay's own (listening, relay and external addresses);
     * the allow list still wins. The server calls this with its own addresses when it starts.
     */
    public PeerPolicy withRelayAddresses(Collection<InetAddress> addresses) {
        Builder b = builder().allow(allowed).deny(extraDenied);
        relayAddresses.forEach(b::denyRelayAddress);
        addresses.forEach(b::denyRelayAddress);
        return b.build();
    }

    /** A builder that starts from the default deny list, with nothing allowed. */
    public static Builder builder() {
        return new Builder();
    }

    /** The default deny list alone. */
    public static PeerPolicy defaults() {
        return DEFAULTS;
    }

    /** The ranges denied by default, most of the IANA special-purpose registries; see the class description. */
    public static List<IpRange> defaultDenied() {
        return DEFAULT_DENIED;
    }

    /**
     * Whether the relay may send to {@code peer}; see the class description. Call before installing a permission
     * or channel, and answer 403 (Forbidden) when refused.
     */
    public boolean permits(InetAddress peer) {
        return permits(peer.getAddress());
    }

    /** {@link #permits(InetAddress)} for the 4 or 16 bytes of an address; any other length is refused. */
    boolean permits(byte[] address) {
        if (address.length == 4) {
            return permits4(int32(address, 0));
        }
        return address.length == 16 && permits6(int64(address, 0), int64(address, 8));
    }

    private boolean permits4(int address) {
        return allowTable.contains4(address) || !denyTable.contains4(address);
    }

    private boolean permits6(long high, long low) {
        if (high == 0 && low >>> 32 == 0xffffL) { // IPv4-mapped: the IPv4 address alone, as Inet4Address
            return permits4((int) low);
        }
        if (!allowTable.contains6(high, low) && denyTable.contains6(high, low)) {
            return false;
        }
        if (high == 0 && low >>> 32 == 0 && (low & ~1L) != 0) { // IPv4-compatible, not :: or ::1
            return permits4((int) low);
        }
        if (high == NAT64_HIGH && low >>> 32 == 0) {
            return permits4((int) low);
        }
        if (high >>> 48 == 0x2002) { // 6to4
            return permits4((int) (high >>> 16));
        }
        if (high >>> 32 == 0x2001_0000L) { // Teredo: server, then the client's inverted address
            return permits4((int) high) && permits4(~(int) low);
        }
        return true;
    }

    /** The allow ranges, which win over every deny. */
    public List<IpRange> allowed() {
        return allowed;
    }

    /**
     * Every denied range: the {@linkplain #defaultDenied() defaults}, then the extra deny ranges, then the relay's
     * own addresses as {@code /32} or {@code /128} ranges.
     */
    public List<IpRange> denied() {
        return denied;
    }

    @Override
    public String toString() {
        return "PeerPolicy{allowed=" + allowed + ", denied=" + DEFAULT_DENIED.size() + " default ranges + "
                + extraDenied + ", relayAddresses="
                + relayAddresses.stream().map(NetUtil::toAddressString).collect(Collectors.toList()) + '}';
    }

    private static int int32(byte[] bytes, int offset) {
        return (bytes[offset] & 0xff) << 24 | (bytes[offset + 1] & 0xff) << 16 | (bytes[offset + 2] & 0xff) << 8
                | bytes[offset + 3] & 0xff;
    }

    private static long int64(byte[] bytes, int offset) {
        return (long) int32(bytes, offset) << 32 | int32(bytes, offset + 4) & 0xffff_ffffL;
    }

    /** Builds a {@link PeerPolicy}; the default deny list is always included. */
    public static final class Builder {

        private final List<IpRange> allowed = new ArrayList<>();
        private final List<IpRange> denied = new ArrayList<>();
        private final List<InetAddress> relayAddresses = new ArrayList<>();

        private Builder() {
        }

        /** Permits peers in these ranges even when a deny range or a relay address covers them. */
        public Builder allow(IpRange... ranges) {
            return allow(Arrays.asList(ranges));
        }

        /** Permits peers in these ranges even when a deny range or a relay address covers them. */
        public Builder allow(Collection<IpRange> ranges) {
            ranges.forEach(range -> allowed.add(requireNonNull(range, "range")));
            return this;
        }

        /** Refuses peers in these ranges, in addition to the default deny list. */
        public Builder deny(IpRange... ranges) {
            return deny(Arrays.asList(ranges));
        }

        /** Refuses peers in these ranges, in addition to the default deny list. */
        public Builder deny(Collection<IpRange> ranges) {
            ranges.forEach(range -> denied.add(requireNonNull(range, "range")));
            return this;
        }

        /**
         * Refuses the relay's own addresses (its listening and relay addresses, public and private), so that a client
         * cannot loop traffic through the server or reach services bound to it.
         */
        public Builder denyRelayAddress(InetAddress... addresses) {
            for (InetAddress address : addresses) {
                relayAddresses.add(requireNonNull(address, "address"));
            }
            return this;
        }

        /** The policy; later changes to this builder do not affect it. */
        public PeerPolicy build() {
            return new PeerPolicy(this);
        }
    }

    /**
     * Ranges compiled for scanning without allocation: IPv4 as (network, mask) int pairs, IPv6 as (network high,
     * network low, mask high, mask low) long quadruples.
     */
    private static final class RangeTable {

        private final int[] ipv4;
        private final long[] ipv6;

        RangeTable(List<IpRange> ranges) {
            int[] v4 = new int[ranges.size() * 2];
            long[] v6 = new long[ranges.size() * 4];
            int n4 = 0;
            int n6 = 0;
            for (IpRange range : ranges) {
                byte[] network = range.network().getAddress();
                int prefix = range.prefixLength();
                if (network.length == 4) {
                    v4[n4++] = int32(network, 0);
                    v4[n4++] = prefix == 0 ? 0 : -1 << (32 - prefix);
                } else {
                    v6[n6++] = int64(network, 0);
                    v6[n6++] = int64(network, 8);
                    v6[n6++] = prefix == 0 ? 0 : prefix >= 64 ? -1L : -1L << (64 - prefix);
                    v6[n6++] = prefix <= 64 ? 0 : -1L << (128 - prefix);
                }
            }
            ipv4 = Arrays.copyOf(v4, n4);
            ipv6 = Arrays.copyOf(v6, n6);
        }

        boolean contains4(int address) {
            for (int i = 0; i < ipv4.length; i += 2) {
                if ((address & ipv4[i + 1]) == ipv4[i]) {
                    return true;
                }
            }
            return false;
        }

        boolean contains6(long high, long low) {
            for (int i = 0; i < ipv6.length; i += 4) {
                if ((high & ipv6[i + 2]) == ipv6[i] && (low & ipv6[i + 3]) == ipv6[i + 1]) {
                    return true;
                }
            }
            return false;
        }
    }
}
