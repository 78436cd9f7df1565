package io.parkway.turn;

import io.netty.channel.Channel;
import java.security.SecureRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Relay ports held back by an Allocate with EVEN-PORT R=1 for a later Allocate carrying the RESERVATION-TOKEN
 * (RFC 8656 sections 7.2 and 18.10, https://datatracker.ietf.org/doc/html/rfc8656#section-7.2). The socket stays
 * bound while reserved; a reservation not claimed within 30 seconds is closed. Touched only by Allocate requests.
 */
final class Reservations {
    /** RFC 8656 section 7.2: "the server SHOULD keep the reservation for approximately 30 seconds". */
    static final long TIMEOUT_SECONDS = 30;

    private final SecureRandom random = new SecureRandom();
    private final ConcurrentHashMap<Long, Channel> reserved = new ConcurrentHashMap<>();

    /** Holds {@code socket} and returns the 8-byte token that claims it. */
    long reserve(Channel socket) {
        long token;
        do {
            token = random.nextLong();
        } while (reserved.putIfAbsent(token, socket) != null);
        long t = token;
        socket.eventLoop().schedule(() -> {
            Channel c = reserved.remove(t);
            if (c != null) {
                c.close();
            }
        }, TIMEOUT_SECONDS, TimeUnit.SECONDS);
        return token;
    }

    /** Removes and returns the reserved socket, or null if the token is unknown or expired. */
    Channel claim(long token) {
        return reserved.remove(token);
    }

    void closeAll() {
        reserved.values().forEach(Channel::close);
        reserved.clear();
    }
}
