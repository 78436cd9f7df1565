package io.parkway.server;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.awaitility.core.ConditionTimeoutException;

/**
 * coturn's {@code turnutils_peer}, the UDP echo peer that {@code turnutils_uclient} relays to (a copy of stun-turn's
 * interop test helper). It listens on two ports,
 * {@code P} (RTP) and {@code P + 1} (RTCP: uclient sends its RTCP stream to the peer port plus one), on 127.0.0.1.
 *
 * <p>The ports are found by binding two UDP sockets to 127.0.0.1 and closing them, which can race with another
 * process; so the peer counts as started only once both ports echo a probe, and a start that does not is retried on
 * new ports.
 */
final class EchoPeer implements AutoCloseable {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private static final int ATTEMPTS = 5;

    private final Process process;
    private final int port;
    private final Path log;

    private EchoPeer(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /** Starts {@code peerBinary} on free ports of 127.0.0.1 and returns once both echo. */
    static EchoPeer start(Path peerBinary) throws IOException, InterruptedException {
        StringBuilder failures = new StringBuilder();
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            int port = freePortPair();
            Path log = Files.createTempFile("turnutils_peer", ".log");
            Process p = new ProcessBuilder(peerBinary.toString(), "-p", Integer.toString(port), "-L",
                    LOOPBACK.getHostAddress()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            try {
                await("turnutils_peer echoing on 127.0.0.1:" + port + " and " + (port + 1))
                        .atMost(Duration.ofSeconds(5))
                        .pollInterval(Duration.ofMillis(50))
                        .until(() -> !p.isAlive() || (echoes(port) && echoes(port + 1)));
                if (p.isAlive()) {
                    return new EchoPeer(p, port, log);
                }
                failures.append("\n  attempt ").append(attempt).append(", port ").append(port)
                        .append(": exited early; output: ").append(Files.readString(log));
            } catch (ConditionTimeoutException e) {
                failures.append("\n  attempt ").append(attempt).append(", port ").append(port)
                        .append(": no echo within 5 s; output: ").append(Files.readString(log));
            }
            p.destroyForcibly().waitFor();
            Files.deleteIfExists(log);
        }
        throw new IllegalStateException("turnutils_peer did not start in " + ATTEMPTS + " attempts:" + failures);
    }

    /** The RTP port; the peer also echoes on {@code port() + 1}. */
    int port() {
        return port;
    }

    InetSocketAddress address() {
        return new InetSocketAddress(LOOPBACK, port);
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** Stops the peer process. */
    @Override
    public void close() throws IOException {
        process.destroyForcibly();
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Files.deleteIfExists(log);
    }

    @Override
    public String toString() {
        return "turnutils_peer on 127.0.0.1:" + port + "/" + (port + 1) + " (" + process + ")";
    }

    /** A port P such that P and P + 1 were both free on 127.0.0.1 a moment ago. */
    private static int freePortPair() throws SocketException {
        for (int i = 0; i < 100; i++) {
            try (DatagramSocket first = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0))) {
                int port = first.getLocalPort();
                if (port >= 65535) {
                    continue;
                }
                try (DatagramSocket second = new DatagramSocket(new InetSocketAddress(LOOPBACK, port + 1))) {
                    return second.getLocalPort() - 1;
                } catch (SocketException taken) {
                    // try another pair
                }
            }
        }
        throw new SocketException("no two consecutive free UDP ports on 127.0.0.1 in 100 tries");
    }

    /** Whether a datagram sent to 127.0.0.1:{@code port} comes back unchanged. */
    private static boolean echoes(int port) throws IOException {
        byte[] probe = ("parkway-probe-" + ThreadLocalRandom.current().nextLong()).getBytes(StandardCharsets.US_ASCII);
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0))) {
            socket.setSoTimeout(200);
            socket.send(new DatagramPacket(probe, probe.length, LOOPBACK, port));
            byte[] buffer = new byte[probe.length + 16];
            DatagramPacket reply = new DatagramPacket(buffer, buffer.length);
            socket.receive(reply);
            return reply.getPort() == port
                    && Arrays.equals(probe, Arrays.copyOf(buffer, reply.getLength()));
        } catch (SocketTimeoutException | java.net.PortUnreachableException e) {
            return false;
        }
    }
}
