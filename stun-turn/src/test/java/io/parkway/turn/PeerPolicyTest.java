package io.parkway.turn;

import static io.parkway.turn.IpRangeTest.ip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.util.NetUtil;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PeerPolicyTest {

    /** The 16-byte form of an IPv4-mapped address, which {@link InetAddress#getByAddress(byte[])} would not keep. */
    private static InetAddress mapped(String ipv4) throws Exception {
        byte[] bytes = NetUtil.createByteArrayFromIpAddressString("::ffff:" + ipv4);
        return Inet6Address.getByAddress(null, bytes, -1);
    }

    private static IpRange range(String cidr) {
        return IpRange.parse(cidr);
    }

    @ParameterizedTest(name = "{0} permitted: {1}")
    @CsvSource(delimiter = '|', value = {
        // IPv4 special-purpose blocks, at their edges
        "0.0.0.0                   | false",
        "0.255.255.255             | false",
        "10.0.0.1                  | false",
        "10.255.255.255            | false",
        "100.64.0.1                | false",
        "100.127.255.255           | false",
        "127.0.0.1                 | false",
        "127.255.255.254           | false",
        "169.254.169.254           | false",
        "169.254.0.1               | false",
        "172.16.0.1                | false",
        "172.31.255.255            | false",
        "192.0.0.1                 | false",
        "192.0.0.10                | false",
        "192.0.2.1                 | false",
        "192.88.99.1               | false",
        "192.168.1.1               | false",
        "198.18.0.1                | false",
        "198.19.255.255            | false",
        "198.51.100.7              | false",
        "203.0.113.9               | false",
        "224.0.0.1                 | false",
        "239.255.255.250           | false",
        "240.0.0.1                 | false",
        "255.255.255.255           | false",
        // globally reachable IPv4, including the neighbours of denied blocks
        "8.8.8.8                   | true",
        "1.1.1.1                   | true",
        "9.255.255.255             | true",
        "11.0.0.0                  | true",
        "100.63.255.255            | true",
        "100.128.0.0               | true",
        "126.255.255.255           | true",
        "128.0.0.0                 | true",
        "169.253.255.255           | true",
        "172.15.255.255            | true",
        "172.32.0.0                | true",
        "192.0.1.1                 | true",
        "192.88.98.255             | true",
        "192.169.0.0               | true",
        "198.17.255.255            | true",
        "198.20.0.0                | true",
        "223.255.255.255           | true",
        // IPv6 special-purpose blocks
        "::                        | false",
        "::1                       | false",
        "64:ff9b:1::1              | false",
        "100::1                    | false",
        "100:0:0:1::1              | false",
        "2001:2::1                 | false",
        "2001:1ff:ffff::1          | false",
        "2001:db8::1               | false",
        "3fff:fff::1               | false",
        "5f00::1                   | false",
        "fc00::1                   | false",
        "fd12:3456::1              | false",
        "fe80::1                   | false",
        "febf::1                   | false",
        "fec0::1                   | false",
        "ff02::1                   | false",
        "ff0e::1                   | false",
        // IPv6 embedding a denied IPv4 address
        "::ffff:127.0.0.1          | false",
        "::ffff:10.1.2.3           | false",
        "::ffff:169.254.169.254    | false",
        "::7f00:1                  | false",
        "::a00:1                   | false",
        "::2                       | false",
        "64:ff9b::a00:1            | false",
        "64:ff9b::7f00:1           | false",
        "64:ff9b::a9fe:a9fe        | false",
        "2002:0a00:0001::1         | false",
        "2002:7f00:1::1            | false",
        "2002:c0a8:101::1          | false",
        "2001:0:a00:1::f7f7:f7f7   | false",
        "2001:0:808:808::f5ff:fffe | false",
        "2001:0:808:808::f7f7:f7f7 | false",
        // globally reachable IPv6, alone or embedding a public IPv4 address
        "2606:4700:4700::1111      | true",
        "2a00:1450::1              | true",
        "2001:4860:4860::8888      | true",
        "2001:200::1               | true",
        "2400:cb00::1              | true",
        "64:ff9b::808:808          | true",
        "2002:808:808::1           | true",
        "::ffff:8.8.8.8            | true",
        "::808:808                 | true",
    })
    void defaultPolicy(String address, boolean permitted) {
        InetAddress peer = ip(address);
        assertEquals(permitted, PeerPolicy.defaults().permits(peer), address);
        assertEquals(permitted, PeerPolicy.defaults().permits(peer.getAddress()), address);
    }

    @Test
    void everyDefaultRangeIsRefusedAtBothEnds() {
        for (IpRange range : PeerPolicy.defaultDenied()) {
            byte[] first = range.network().getAddress();
            byte[] last = first.clone();
            for (int bit = range.prefixLength(); bit < last.length * 8; bit++) {
                last[bit / 8] |= (byte) (0x80 >>> (bit % 8));
            }
            assertFalse(PeerPolicy.defaults().permits(first), range + " first");
            assertFalse(PeerPolicy.defaults().permits(last), range + " last");
        }
    }

    @Test
    void sixteenByteMappedFormIsJudgedAsIpv4() throws Exception {
        assertFalse(PeerPolicy.defaults().permits(mapped("127.0.0.1")));
        assertFalse(PeerPolicy.defaults().permits(mapped("10.1.2.3")));
        assertTrue(PeerPolicy.defaults().permits(mapped("8.8.8.8")));
    }

    @Test
    void allowWinsOverDeny() throws Exception {
        PeerPolicy policy = PeerPolicy.builder().allow(range("127.0.0.0/8")).build();
        assertTrue(policy.permits(ip("127.0.0.1")));
        assertTrue(policy.permits(ip("::ffff:127.0.0.1")));
        assertTrue(policy.permits(mapped("127.0.0.1")));
        assertTrue(policy.permits(ip("64:ff9b::7f00:1")));
        assertTrue(policy.permits(ip("2002:7f00:1::1")));
        assertTrue(policy.permits(ip("::7f00:1")));
        assertFalse(policy.permits(ip("10.0.0.1")));
        assertFalse(policy.permits(ip("::ffff:10.0.0.1")));
        assertFalse(policy.permits(ip("::1")));
    }

    @Test
    void allowingIpv6LoopbackDoesNotTreatItAsEmbeddedIpv4() {
        PeerPolicy policy = PeerPolicy.builder().allow(List.of(range("::1"))).build();
        assertTrue(policy.permits(ip("::1")));
        assertFalse(policy.permits(ip("::2")));
        assertFalse(policy.permits(ip("127.0.0.1")));
    }

    @Test
    void allowingAnEmbeddingPrefixDoesNotReopenItsIpv4Addresses() {
        PeerPolicy policy = PeerPolicy.builder().allow(range("64:ff9b::/96"), range("2002::/16")).build();
        assertFalse(policy.permits(ip("64:ff9b::7f00:1")));
        assertFalse(policy.permits(ip("2002:a00:1::1")));
        assertTrue(policy.permits(ip("64:ff9b::808:808")));
    }

    @Test
    void allowedTeredoIsJudgedByServerAndClient() {
        PeerPolicy policy = PeerPolicy.builder().allow(range("2001::/32")).build();
        assertTrue(policy.permits(ip("2001:0:808:808::f7f7:f7f7")));    // server 8.8.8.8, client 8.8.8.8
        assertFalse(policy.permits(ip("2001:0:a00:1::f7f7:f7f7")));     // server 10.0.0.1
        assertFalse(policy.permits(ip("2001:0:808:808::f5ff:fffe")));   // client 10.0.0.1
        assertFalse(policy.permits(ip("2001:0:808:808::80ff:fffe")));   // client 127.0.0.1
        assertFalse(policy.permits(ip("2001:2::1")));                    // benchmarking, still denied
    }

    @Test
    void extraDeny() {
        PeerPolicy policy = PeerPolicy.builder()
                .deny(range("8.8.8.0/24"))
                .deny(List.of(range("2606:4700::/32")))
                .build();
        assertFalse(policy.permits(ip("8.8.8.8")));
        assertFalse(policy.permits(ip("::ffff:8.8.8.8")));
        assertFalse(policy.permits(ip("64:ff9b::808:808")));
        assertFalse(policy.permits(ip("2002:808:808::1")));
        assertFalse(policy.permits(ip("2606:4700:4700::1111")));
        assertFalse(policy.permits(ip("10.0.0.1")));
        assertTrue(policy.permits(ip("8.8.4.4")));
        assertTrue(policy.permits(ip("1.1.1.1")));
        assertTrue(policy.permits(ip("2a00:1450::1")));
    }

    @Test
    void relayOwnAddressesAreRefused() {
        PeerPolicy policy = PeerPolicy.builder().denyRelayAddress(ip("1.2.3.4"), ip("2a01:4f8::1234")).build();
        assertFalse(policy.permits(ip("1.2.3.4")));
        assertFalse(policy.permits(ip("::ffff:1.2.3.4")));
        assertFalse(policy.permits(ip("64:ff9b::102:304")));
        assertFalse(policy.permits(ip("2002:102:304::1")));
        assertFalse(policy.permits(ip("2a01:4f8::1234")));
        assertTrue(policy.permits(ip("1.2.3.5")));
        assertTrue(policy.permits(ip("2a01:4f8::1235")));
        assertTrue(PeerPolicy.defaults().permits(ip("1.2.3.4")));
    }

    @Test
    void allowWinsOverRelayAddress() {
        PeerPolicy policy = PeerPolicy.builder()
                .denyRelayAddress(ip("127.0.0.1"), ip("1.2.3.4"))
                .allow(range("127.0.0.0/8"), range("1.2.3.0/24"))
                .build();
        assertTrue(policy.permits(ip("127.0.0.1")));
        assertTrue(policy.permits(ip("1.2.3.4")));
    }

    @Test
    void listsAndToString() {
        PeerPolicy policy = PeerPolicy.builder()
                .allow(range("127.0.0.0/8"))
                .deny(range("8.8.8.0/24"))
                .denyRelayAddress(ip("1.2.3.4"), ip("2a01:4f8::1234"))
                .build();
        assertEquals(List.of(range("127.0.0.0/8")), policy.allowed());
        List<IpRange> denied = policy.denied();
        assertEquals(PeerPolicy.defaultDenied(), denied.subList(0, PeerPolicy.defaultDenied().size()));
        assertEquals(List.of(range("8.8.8.0/24"), range("1.2.3.4/32"), range("2a01:4f8::1234/128")),
                denied.subList(PeerPolicy.defaultDenied().size(), denied.size()));
        assertEquals(PeerPolicy.defaultDenied(), PeerPolicy.defaults().denied());
        assertEquals(List.of(), PeerPolicy.defaults().allowed());
        assertSame(PeerPolicy.defaults(), PeerPolicy.defaults());
        assertEquals("PeerPolicy{allowed=[127.0.0.0/8], denied=" + PeerPolicy.defaultDenied().size()
                + " default ranges + [8.8.8.0/24], relayAddresses=[1.2.3.4, 2a01:4f8::1234]}",
                policy.toString());
        assertThrows(UnsupportedOperationException.class, () -> policy.denied().clear());
    }

    @Test
    void rejectsNullsAndOddLengths() {
        assertThrows(NullPointerException.class, () -> PeerPolicy.builder().allow((IpRange) null));
        assertThrows(NullPointerException.class, () -> PeerPolicy.builder().deny((IpRange) null));
        assertThrows(NullPointerException.class, () -> PeerPolicy.builder().denyRelayAddress((InetAddress) null));
        assertFalse(PeerPolicy.defaults().permits(new byte[5]));
        assertFalse(PeerPolicy.defaults().permits(new byte[0]));
    }
}
