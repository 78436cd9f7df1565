package io.parkway.server.check;

import io.netty.util.NetUtil;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/** Parsing the {@code --server} value, printing addresses, and telling private addresses from public ones. */
final class CheckAddresses {
    /** The STUN/TURN port over UDP and TCP (RFC 8489 section 18.9, RFC 8656 section 4). */
    static final int DEFAULT_PORT = 3478;

    private CheckAddresses() {
    }

    /** A {@code --server} value split into host and port; the host is an IP literal or a name, not resolved. */
    record HostPort(String host, int port) {
        boolean isLiteral() {
            return NetUtil.isValidIpV4Address(host) || NetUtil.isValidIpV6Address(host);
        }

        @Override
        public String toString() {
            return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
        }
    }

    /**
     * Parses {@code HOST}, {@code HOST:PORT}, {@code IPV6} or {@code [IPV6]:PORT}; the port defaults to 3478.
     *
     * @throws IllegalArgumentException naming the value and what was expected
     */
    static HostPort parseServer(String text) {
        String expected = " (expected: HOST:PORT, HOST, or [IPV6]:PORT)";
        String value = text == null ? "" : text.strip();
        String host;
        String port = null;
        if (value.startsWith("[")) {
            int close = value.indexOf(']');
            if (close < 0 || !NetUtil.isValidIpV6Address(value.substring(1, close))) {
                throw new IllegalArgumentException("--server: " + text + expected);
            }
            host = value.substring(1, close);
            String rest = value.substring(close + 1);
            if (!rest.isEmpty()) {
                if (!rest.startsWith(":")) {
                    throw new IllegalArgumentException("--server: " + text + expected);
                }
                port = rest.substring(1);
            }
        } else if (value.indexOf(':') != value.lastIndexOf(':')) {
            if (!NetUtil.isValidIpV6Address(value)) {
                throw new IllegalArgumentException("--server: " + text + expected);
            }
            host = value;
        } else {
            int colon = value.indexOf(':');
            host = colon < 0 ? value : value.substring(0, colon);
            port = colon < 0 ? null : value.substring(colon + 1);
        }
        if (host.isEmpty() || !host.matches("[A-Za-z0-9.:_%-]+")) {
            throw new IllegalArgumentException("--server: " + text + expected);
        }
        int portNumber = DEFAULT_PORT;
        if (port != null) {
            try {
                portNumber = Integer.parseInt(port);
            } catch (NumberFormatException e) {
                portNumber = -1;
            }
            if (portNumber < 1 || portNumber > 65535) {
                throw new IllegalArgumentException("--server: " + text + " (expected: a port in 1-65535)");
            }
        }
        return new HostPort(host, portNumber);
    }

    /** {@code 192.0.2.1:3478} or {@code [2001:db8::1]:3478}, without host names. */
    static String format(InetSocketAddress address) {
        return NetUtil.toSocketAddressString(new InetSocketAddress(address.getAddress(), address.getPort()));
    }

    static String format(InetAddress address) {
        return NetUtil.toAddressString(address);
    }

    /**
     * Whether {@code address} cannot be reached from the internet: loopback, link-local, unspecified, the private
     * ranges of RFC 1918, shared address space of RFC 6598 (carrier-grade NAT), and IPv6 unique local addresses of
     * RFC 4193.
     */
    static boolean isPrivate(InetAddress address) {
        if (address.isLoopbackAddress() || address.isLinkLocalAddress() || address.isAnyLocalAddress()
                || address.isSiteLocalAddress()) {
            return true;
        }
        byte[] b = address.getAddress();
        if (address instanceof Inet4Address) {
            return (b[0] & 0xff) == 100 && (b[1] & 0xc0) == 64; // 100.64.0.0/10
        }
        return address instanceof Inet6Address && (b[0] & 0xfe) == 0xfc; // fc00::/7
    }

    /** Replaces control characters in text a server chose (reason phrases, SOFTWARE) before printing it. */
    static String printable(String text) {
        StringBuilder sb = new StringBuilder(text.length());
        text.codePoints().forEach(c -> sb.appendCodePoint(Character.isISOControl(c) ? '?' : c));
        return sb.toString();
    }
}
