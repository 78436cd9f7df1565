package io.parkway.signaling;

import java.util.List;
import java.util.Locale;

/**
 * The {@code Origin} check (<a href="https://datatracker.ietf.org/doc/html/rfc6455#section-10.2">RFC 6455 section
 * 10.2</a>): with {@code allowed-origins} set, a WebSocket handshake or API call whose Origin is not listed is refused
 * with 403. Requests without an Origin (not from a browser) pass.
 */
final class Origins {

    private final List<String> allowed;

    Origins(List<String> allowed) {
        this.allowed = List.copyOf(allowed);
    }

    /** Lower case, without a trailing slash. */
    static String normalize(String origin) {
        String lower = origin.trim().toLowerCase(Locale.ROOT);
        return lower.endsWith("/") ? lower.substring(0, lower.length() - 1) : lower;
    }

    /** Whether a request with this Origin header (null when absent) may proceed. */
    boolean allows(String origin) {
        return allowed.isEmpty() || origin == null || allowed.contains(normalize(origin));
    }
}
