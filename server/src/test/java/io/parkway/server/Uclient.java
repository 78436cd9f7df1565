package io.parkway.server;

import static org.awaitility.Awaitility.await;

import io.parkway.testing.EchoPeer;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * coturn's {@code turnutils_uclient} running in the background against a Parkway process, relaying to an
 * {@link EchoPeer}; its output (which it flushes as it goes, a progress line per second) goes to a file read on
 * demand. One RTP/RTCP pair of sessions ({@code -m 1}), 170-byte messages every 10 ms.
 */
final class Uclient implements AutoCloseable {

    private static final Pattern RECEIVED = Pattern.compile("tot_recv_msgs=(\\d+)");
    private static final Pattern LOST = Pattern.compile("Total lost packets (\\d+) ");

    private final List<String> command;
    private final Process process;
    private final Path log;

    private Uclient(List<String> command, Process process, Path log) {
        this.command = command;
        this.process = process;
        this.log = log;
    }

    /** Starts {@code messages} messages per session through {@code port} with long-term credentials. */
    static Uclient start(Path binary, int port, EchoPeer peer, int messages, String username, String password)
            throws IOException {
        List<String> command = List.of(binary.toString(), "-p", Integer.toString(port), "-e", "127.0.0.1",
                "-r", Integer.toString(peer.port()), "-l", "170", "-z", "10", "-n", Integer.toString(messages),
                "-m", "1", "-u", username, "-w", password, "127.0.0.1");
        Path log = Files.createTempFile("uclient", ".log");
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .start();
        return new Uclient(command, process, log);
    }

    boolean isAlive() {
        return process.isAlive();
    }

    String output() {
        try {
            return Files.readString(log, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The largest "tot_recv_msgs" uclient has printed so far: messages that came back through the relay. */
    long received() {
        long max = 0;
        for (Matcher m = RECEIVED.matcher(output()); m.find(); ) {
            max = Math.max(max, Long.parseLong(m.group(1)));
        }
        return max;
    }

    /** Waits until at least {@code count} messages came back, i.e. the relay is flowing. */
    void awaitReceived(long count) {
        await("uclient received " + count + " messages").atMost(Duration.ofMinutes(1))
                .failFast("uclient exited:\n" + describe(), () -> !process.isAlive())
                .until(() -> received() >= count);
    }

    /** Waits for uclient to finish; returns its exit code. */
    int awaitExit(Duration atMost) throws InterruptedException {
        if (!process.waitFor(atMost.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("uclient did not finish within " + atMost + ":\n" + describe());
        }
        return process.exitValue();
    }

    /** "Total lost packets N" from the summary, or -1 when uclient printed none. */
    long lost() {
        Matcher m = LOST.matcher(output());
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    String describe() {
        List<String> shown = new ArrayList<>(command);
        shown.set(shown.indexOf("-w") + 1, "***");
        return String.join(" ", shown) + "\n----- uclient output -----\n" + output() + "\n------";
    }

    @Override
    public void close() throws IOException {
        if (process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        Files.deleteIfExists(log);
    }
}
