package io.parkway.turn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.util.NetUtil;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class IpRangeTest {

    /** Parses a literal with Netty, never a name service. */
    static InetAddress ip(String literal) {
        InetAddress address = NetUtil.createInetAddressFromIpAddressString(literal);
        assertNotNull(address, literal);
        return address;
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "10.0.0.0/8            | 10.0.0.0/8",
        "fe80::/10             | fe80::/10",
        "fc00::/7              | fc00::/7",
        "0.0.0.0/0             | 0.0.0.0/0",
        "::/0                  | ::/0",
        "192.0.2.1             | 192.0.2.1/32",
        "2001:DB8::1           | 2001:db8::1/128",
        "2001:0db8:0000::/32   | 2001:db8::/32",
        "'  10.0.0.0/8 '       | 10.0.0.0/8",
        "64:ff9b::8.8.8.0/120  | 64:ff9b::808:800/120",
        "::10.0.0.0/104        | ::a00:0/104",
        "::ffff:10.0.0.0/104   | 10.0.0.0/8",
        "::ffff:127.0.0.1      | 127.0.0.1/32",
        "[::1]/128             | ::1/128",
    })
    void parsesCidrText(String text, String expected) {
        assertEquals(expected, IpRange.parse(text).toString());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "10.0.0.0/33         | CIDR: 10.0.0.0/33 (expected: an IPv4 prefix length 0-32)",
        "10.0.0.0/           | CIDR: 10.0.0.0/ (expected: an IPv4 prefix length 0-32)",
        "10.0.0.0/-1         | CIDR: 10.0.0.0/-1 (expected: an IPv4 prefix length 0-32)",
        "10.0.0.0/+8         | CIDR: 10.0.0.0/+8 (expected: an IPv4 prefix length 0-32)",
        "10.0.0.0/0008       | CIDR: 10.0.0.0/0008 (expected: an IPv4 prefix length 0-32)",
        "10.0.0.0/8/8        | CIDR: 10.0.0.0/8/8 (expected: an IPv4 prefix length 0-32)",
        "fe80::/129          | CIDR: fe80::/129 (expected: an IPv6 prefix length 0-128)",
        "::ffff:0:0/x        | CIDR: ::ffff:0:0/x (expected: an IPv6 prefix length 0-128)",
        "foo                 | CIDR: foo (expected: ADDRESS/PREFIX such as 10.0.0.0/8 or fc00::/7)",
        "localhost           | CIDR: localhost (expected: ADDRESS/PREFIX such as 10.0.0.0/8 or fc00::/7)",
        "localhost/8         | CIDR: localhost/8 (expected: ADDRESS/PREFIX such as 10.0.0.0/8 or fc00::/7)",
        "''                  | CIDR:  (expected: ADDRESS/PREFIX such as 10.0.0.0/8 or fc00::/7)",
        "/8                  | CIDR: /8 (expected: ADDRESS/PREFIX such as 10.0.0.0/8 or fc00::/7)",
        "10.0.0/8            | CIDR: 10.0.0/8 (expected: ADDRESS/PREFIX such as 10.0.0.0/8 or fc00::/7)",
        "10.0.0.256/8        | CIDR: 10.0.0.256/8 (expected: ADDRESS/PREFIX such as 10.0.0.0/8 or fc00::/7)",
        "1::2::3/64          | CIDR: 1::2::3/64 (expected: ADDRESS/PREFIX such as 10.0.0.0/8 or fc00::/7)",
        "64:ff9b::8.8.8/120  | CIDR: 64:ff9b::8.8.8/120 (expected: ADDRESS/PREFIX such as 10.0.0.0/8 or fc00::/7)",
        "10.1.2.3/8          | CIDR: 10.1.2.3/8 (expected: no bits set after the prefix, such as 10.0.0.0/8)",
        "fe80::1/10          | CIDR: fe80::1/10 (expected: no bits set after the prefix, such as fe80::/10)",
    })
    void rejectsInvalidText(String text, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> IpRange.parse(text));
        assertEquals(message, e.getMessage());
    }

    @Test
    void constructorValidates() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> new IpRange(ip("10.0.0.0"), 33));
        assertEquals("prefixLength: 33 (expected: 0-32 for IPv4 network 10.0.0.0)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new IpRange(ip("::"), -1));
        assertEquals("prefixLength: -1 (expected: 0-128 for IPv6 network ::)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new IpRange(ip("172.16.0.1"), 12));
        assertEquals("CIDR: 172.16.0.1/12 (expected: no bits set after the prefix, such as 172.16.0.0/12)",
                e.getMessage());
        assertThrows(NullPointerException.class, () -> new IpRange(null, 8));
        assertThrows(NullPointerException.class, () -> IpRange.parse(null));
    }

    @Test
    void valueSemantics() {
        IpRange range = IpRange.parse("10.0.0.0/8");
        assertEquals(ip("10.0.0.0"), range.network());
        assertEquals(8, range.prefixLength());
        assertEquals(range, new IpRange(ip("10.0.0.0"), 8));
        assertEquals(range.hashCode(), new IpRange(ip("10.0.0.0"), 8).hashCode());
        assertEquals(range, IpRange.parse("::ffff:10.0.0.0/104"));
        assertNotEquals(range, IpRange.parse("10.0.0.0/9"));
        assertNotEquals(IpRange.parse("::/0"), IpRange.parse("0.0.0.0/0"));
        assertInstanceOf(Inet4Address.class, IpRange.parse("::ffff:10.0.0.0/104").network());
        assertInstanceOf(Inet6Address.class, IpRange.parse("::10.0.0.0/104").network());
    }

    @Test
    void mappedInet6NetworkBecomesIpv4Range() throws Exception {
        byte[] mapped = NetUtil.createByteArrayFromIpAddressString("::ffff:192.168.0.0");
        InetAddress inet6 = Inet6Address.getByAddress(null, mapped, -1);
        assertEquals("192.168.0.0/16", new IpRange(inet6, 112).toString());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "10.0.0.0/8       | 10.0.0.0         | true",
        "10.0.0.0/8       | 10.255.255.255   | true",
        "10.0.0.0/8       | 9.255.255.255    | false",
        "10.0.0.0/8       | 11.0.0.0         | false",
        "100.64.0.0/10    | 100.64.0.0       | true",
        "100.64.0.0/10    | 100.127.255.255  | true",
        "100.64.0.0/10    | 100.63.255.255   | false",
        "100.64.0.0/10    | 100.128.0.0      | false",
        "255.255.255.255  | 255.255.255.255  | true",
        "255.255.255.255  | 255.255.255.254  | false",
        "0.0.0.0/0        | 8.8.8.8          | true",
        "0.0.0.0/0        | ::1              | false",
        "::/0             | 2606:4700::1     | true",
        "::/0             | 8.8.8.8          | false",
        "10.0.0.0/8       | ::a00:1          | false",
        "10.0.0.0/8       | ::ffff:10.0.0.1  | true",
        "fe80::/10        | fe80::1          | true",
        "fe80::/10        | febf:ffff::1     | true",
        "fe80::/10        | fec0::1          | false",
        "fe80::/10        | fe7f::1          | false",
        "2001::/23        | 2001:1ff::1      | true",
        "2001::/23        | 2001:200::1      | false",
        "fc00::/7         | fdff::1          | true",
        "fc00::/7         | fe00::           | false",
        "::1/128          | ::1              | true",
        "::1/128          | ::2              | false",
        "2001:db8::/127   | 2001:db8::1      | true",
        "2001:db8::/127   | 2001:db8::2      | false",
    })
    void containsComparesMaskedBits(String range, String address, boolean expected) {
        IpRange r = IpRange.parse(range);
        InetAddress a = ip(address);
        assertEquals(expected, r.contains(a), range + " contains " + address);
        assertEquals(expected, r.contains(a.getAddress()), range + " contains bytes of " + address);
    }

    @Test
    void containsBytesOfMappedAddressAndRejectsOtherLengths() {
        IpRange range = IpRange.parse("127.0.0.0/8");
        assertTrue(range.contains(NetUtil.createByteArrayFromIpAddressString("::ffff:127.0.0.1")));
        assertFalse(range.contains(NetUtil.createByteArrayFromIpAddressString("::7f00:1")));
        assertFalse(range.contains(new byte[] {127, 0, 0}));
        assertFalse(range.contains(new byte[0]));
        assertFalse(IpRange.parse("::/0").contains(new byte[5]));
    }
}
