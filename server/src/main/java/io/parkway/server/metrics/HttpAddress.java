package io.parkway.server.metrics;

import static java.util.Objects.requireNonNull;

import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;

/**
 * Where an HTTP endpoint listens, written {@code http://IP:PORT} ({@code http://[::1]:9641} for IPv6). The host must
 * be an IP literal (host names are not resolved); port 0 means any free port.
 *
 * @param address the IP and port to bind
 */
public record HttpAddress(InetSocketAddress address) {

    /** What {@link #parse} accepts, for error messages. */
    public static final String EXPECTED = "http://IP:PORT such as http://127.0.0.1:9641, IPv6 as http://[::1]:9641;"
            + " host names are not resolved";

    public HttpAddress {
        requireNonNull(address, "address");
        if (address.isUnresolved()) {
            throw new IllegalArgumentException("http address: " + address + " (expected: an IP address)");
        }
    }

    /**
     * Parses {@code http://IP:PORT}; a trailing {@code /} is accepted, any other path, a query or user info is not.
     *
     * @throws IllegalArgumentException {@code "http address: VALUE (expected: ...)"}
     */
    public static HttpAddress parse(String value) {
        requireNonNull(value, "value");
        URI uri;
        try {
            uri = new URI(value.strip());
        } catch (URISyntaxException e) {
            throw invalid(value);
        }
        String path = uri.getRawPath();
        if (!"http".equalsIgnoreCase(uri.getScheme()) || uri.getRawUserInfo() != null || uri.getHost() == null
                || uri.getPort() < 0 || uri.getPort() > 65535 || uri.getRawQuery() != null
                || uri.getRawFragment() != null || !(path == null || path.isEmpty() || path.equals("/"))) {
            throw invalid(value);
        }
        String host = uri.getHost();
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        byte[] ip = NetUtil.createByteArrayFromIpAddressString(host);
        if (ip == null) {
            throw invalid(value);
        }
        try {
            return new HttpAddress(new InetSocketAddress(InetAddress.getByAddress(ip), uri.getPort()));
        } catch (UnknownHostException e) {
            throw new AssertionError("4 or 16 bytes", e); // only thrown for other lengths
        }
    }

    private static IllegalArgumentException invalid(String value) {
        return new IllegalArgumentException("http address: " + value + " (expected: " + EXPECTED + ")");
    }

    /** {@code http://IP:PORT} followed by {@code path}, such as {@code /metrics}. */
    public URI uri(String path) {
        return URI.create(this + path);
    }

    /** {@code http://IP:PORT}, parseable by {@link #parse(String)}. */
    @Override
    public String toString() {
        return "http://" + NetUtil.toSocketAddressString(address);
    }
}
