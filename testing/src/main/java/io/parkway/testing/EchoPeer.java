package io.parkway.testing;

import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.awaitility.core.ConditionTimeoutException;

/**
 * coturn's {@code turnutils_peer} (see {@link CoturnTools#peer()}), the UDP echo peer that {@code turnutils_uclient}
 * relays to. It listens on two ports, {@code P} (RTP) and {@code P + 1} (RTCP: uclient sends its RTCP stream to the
 * peer port plus one), on 127.0.0.1. Its output goes to a temporary file (no reader thread, no pipe that can fill up)
 * that {@link #close()} deletes.
 *
 * <p>The ports are found by binding two UDP sockets to 127.0.0.1 and closing them, which can race with another
 * process; so the peer counts as started only once both ports echo a probe, and a start that does not is retried on
 * new ports.
 */
public final class EchoPeer implements AutoCloseable {
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

    /** Starts {@code peerBinary} on free ports of 127.0.0.1 and returns once both echo; the caller closes it. */
    public static EchoPeer start(Path peerBinary) throws IOException, InterruptedException {
        StringBuilder failures = new StringBuilder();
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            int port = freePortPair();
            Path log = Files.createTempFile("parkway-turnutils_peer-", ".log");
            Process p;
            try {
                p = new ProcessBuilder(List.of(peerBinary.toString(), "-p", Integer.toString(port), "-L",
                        LOOPBACK.getHostAddress()))
                        .redirectErrorStream(true)
                        .redirectOutput(log.toFile())
                        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                        .start();
            } catch (IOException | RuntimeException e) {
                Files.deleteIfExists(log);
                throw e;
            }
            EchoPeer peer = new EchoPeer(p, port, log);
            try {
                await("turnutils_peer echoing on 127.0.0.1:" + port + " and " + (port + 1))
                        .atMost(Duration.ofSeconds(5))
                        .pollInterval(Duration.ofMillis(50))
                        .until(() -> !p.isAlive() || (echoes(port) && echoes(port + 1)));
                if (p.isAlive()) {
                    return peer;
                }
                failures.append("\n  attempt ").append(attempt).append(", port ").append(port)
                        .append(": exited early; output: ").append(peer.output());
            } catch (ConditionTimeoutException e) {
                failures.append("\n  attempt ").append(attempt).append(", port ").append(port)
                        .append(": no echo within 5 s; output: ").append(peer.output());
            } catch (RuntimeException | Error e) {
                peer.close();
                throw e;
            }
            peer.close();
        }
        throw new IllegalStateException("turnutils_peer did not start in " + ATTEMPTS + " attempts:" + failures);
    }

    /** The RTP port; the peer also echoes on {@code port() + 1}. */
    public int port() {
        return port;
    }

    /** 127.0.0.1:{@link #port()}. */
    public InetSocketAddress address() {
        return new InetSocketAddress(LOOPBACK, port);
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** What the peer has printed so far. */
    public String output() {
        try {
            return Files.readString(log, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new UncheckedIOException("reading the output of turnutils_peer on port " + port, e);
        }
    }

    /** Kills the peer process (and any descendants), waits for it to go and deletes its output file. Idempotent. */
    @Override
    public void close() {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("pid " + process.pid() + " survived SIGKILL for 10 s: " + this);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            try {
                Files.deleteIfExists(log);
            } catch (IOException ignored) {
                // a temp file; the OS cleans /tmp
            }
        }
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
        } catch (SocketTimeoutException | PortUnreachableException e) {
            return false;
        }
    }
}
