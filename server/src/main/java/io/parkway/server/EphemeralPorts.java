package io.parkway.server;

import io.parkway.server.ParkwayConfig.PortRange;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The OS's ephemeral port range (Linux: {@code net.ipv4.ip_local_port_range}), which the kernel hands out to
 * outgoing connections and to sockets bound to port 0. Relay ports inside it can be taken by any process on the host,
 * and an Allocate then finds its port busy; so Parkway warns at start when {@code turn.relay.ports} overlaps it.
 */
final class EphemeralPorts {

    /** Where Linux publishes the range: two numbers, {@code "32768\t60999"} by default. */
    static final Path LINUX = Path.of("/proc/sys/net/ipv4/ip_local_port_range");

    private static final Logger logger = LoggerFactory.getLogger(EphemeralPorts.class);

    private EphemeralPorts() {
    }

    /** Logs a warning when {@code relay} overlaps the range in {@link #LINUX}; silent when that cannot be read. */
    static void warnIfOverlapping(PortRange relay) {
        read(LINUX).flatMap(ephemeral -> warning(relay, ephemeral)).ifPresent(logger::warn);
    }

    /** The range in {@code file}, or empty when it is missing (not Linux) or not two port numbers. */
    static Optional<PortRange> read(Path file) {
        // One line read through a reader: Files.readString trusts the size procfs reports (0) and reads one byte.
        try (BufferedReader reader = Files.newBufferedReader(file)) {
            String line = reader.readLine();
            String[] fields = line == null ? new String[0] : line.strip().split("\\s+");
            if (fields.length == 2) {
                return Optional.of(new PortRange(Integer.parseInt(fields[0]), Integer.parseInt(fields[1])));
            }
        } catch (IOException | IllegalArgumentException e) { // NumberFormatException is one
            logger.debug("cannot read the ephemeral port range from {}: {}", file, e.toString());
        }
        return Optional.empty();
    }

    /** The warning for {@code relay} against {@code ephemeral}, or empty when they do not overlap. */
    static Optional<String> warning(PortRange relay, PortRange ephemeral) {
        int from = Math.max(relay.min(), ephemeral.min());
        int to = Math.min(relay.max(), ephemeral.max());
        if (from > to) {
            return Optional.empty();
        }
        String fix;
        if (relay.min() > ephemeral.min()) {
            fix = "shrink the OS range below the relay ports: sysctl -w net.ipv4.ip_local_port_range=\""
                    + ephemeral.min() + " " + (relay.min() - 1) + "\" (and persist it in /etc/sysctl.d/)";
        } else if (ephemeral.max() < 65535) {
            fix = "move turn.relay.ports above the OS range, such as " + (ephemeral.max() + 1) + "-65535";
        } else {
            fix = "move turn.relay.ports out of the OS range or shrink the OS range (net.ipv4.ip_local_port_range)";
        }
        return Optional.of("turn.relay.ports " + relay + " overlaps the OS ephemeral port range " + ephemeral
                + " (net.ipv4.ip_local_port_range) on " + from + "-" + to + ": the kernel gives those ports to"
                + " outgoing connections, and an Allocate that finds its port taken tries another; " + fix);
    }
}
