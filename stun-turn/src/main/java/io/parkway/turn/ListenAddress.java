package io.parkway.turn;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Objects;

/**
 * One address the server listens on for STUN/TURN clients, written {@code udp://127.0.0.1:3478},
 * {@code tcp://[::1]:3478}; port 0 asks the OS for an ephemeral port.
 */
public record ListenAddress(TurnTransport transport, InetSocketAddress address) {

    public ListenAddress {
        Objects.requireNonNull(transport, "transport");
        Objects.requireNonNull(address, "address");
        if (address.isUnresolved()) {
            throw new IllegalArgumentException("listen address: " + address + " (expected: an IP literal)");
        }
    }

    /**
     * Parses {@code SCHEME://IP:PORT}; IPv6 literals go in brackets. Never resolves names.
     *
     * @throws IllegalArgumentException naming the value and what was expected
     */
    public static ListenAddress parse(String text) {
        String expected = " (expected: udp://IP:PORT or tcp://IP:PORT, IPv6 in brackets)";
        if (text == null) {
            throw new IllegalArgumentException("listen address: null" + expected);
        }
        URI uri;
        try {
            uri = new URI(text.trim());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("listen address: " + text + expected, e);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        TurnTransport transport = null;
        for (TurnTransport t : TurnTransport.values()) {
            if (t.scheme().equals(scheme)) {
                transport = t;
            }
        }
        String host = uri.getHost();
        int port = uri.getPort();
        if (transport == null || host == null || port < 0 || port > 65535
                || (uri.getPath() != null && !uri.getPath().isEmpty())) {
            throw new IllegalArgumentException("listen address: " + text + expected);
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        byte[] ip = io.netty.util.NetUtil.createByteArrayFromIpAddressString(host);
        if (ip == null) {
            throw new IllegalArgumentException("listen address: " + text + " (expected: an IP literal, not a host name)");
        }
        try {
            return new ListenAddress(transport, new InetSocketAddress(InetAddress.getByAddress(ip), port));
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException("listen address: " + text + expected, e);
        }
    }

    @Override
    public String toString() {
        InetAddress ip = address.getAddress();
        String host = ip instanceof java.net.Inet6Address ? "[" + ip.getHostAddress() + "]" : ip.getHostAddress();
        return transport.scheme() + "://" + host + ":" + address.getPort();
    }
}
