package io.parkway.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.core.ConditionTimeoutException;
import org.awaitility.core.TerminalFailureException;

/**
 * {@code parkway serve} (or another command) as a separate JVM, the way systemd or a shell runs it: {@code java -cp
 * <test classpath> io.parkway.server.Main ...}, stdout and stderr merged and collected line by line, signals sent
 * with {@code kill}. The environment is the test's minus every {@code PARKWAY_} variable, plus
 * {@code PARKWAY_METRICS_LISTEN=http://127.0.0.1:0} (an ephemeral port, not the default 9641) and what the test gives.
 * Paranoid leak detection is on in the child too; {@link #assertNoLeaks()} checks its output.
 */
final class ParkwayProcess implements AutoCloseable {

    static final Duration START = Duration.ofMinutes(1);
    private static final Pattern ADDRESS = Pattern.compile("(udp|tcp)://127\\.0\\.0\\.1:(\\d+)");

    private final Process process;
    private final List<String> output = new CopyOnWriteArrayList<>();
    private final Thread reader;

    private ParkwayProcess(Process process) {
        this.process = process;
        this.reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    output.add(line);
                }
            } catch (IOException ignored) {
                // the process ended
            }
        }, "parkway-output-" + process.pid());
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts {@code Main} with {@code args} in {@code directory} (null: the test's) with {@code environment} added. */
    static ParkwayProcess start(Path directory, Map<String, String> environment, String... args) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java,
                "-Dio.netty.leakDetection.level=paranoid", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        if (directory != null) {
            builder.directory(directory.toFile());
        }
        builder.environment().keySet().removeIf(name -> name.startsWith("PARKWAY_"));
        builder.environment().put("PARKWAY_METRICS_LISTEN", "http://127.0.0.1:0"); // not the fixed default port
        builder.environment().put("PARKWAY_SIGNALING_LISTEN", "http://127.0.0.1:0"); // nor 8080
        builder.environment().putAll(environment);
        return new ParkwayProcess(builder.start());
    }

    /** {@code serve --config config} in the test's directory. */
    static ParkwayProcess serve(Path config, Map<String, String> environment) throws IOException {
        return start(null, environment, "serve", "--config", config.toString());
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** Every line so far. */
    List<String> lines() {
        return List.copyOf(output);
    }

    String output() {
        return String.join("\n", output);
    }

    /** Waits until a line contains {@code text}; fails early if the process exits first. */
    String awaitLine(String text) {
        return awaitLine(l -> l.contains(text), "a line containing \"" + text + "\"", START);
    }

    String awaitLine(Predicate<String> line, String description, Duration atMost) {
        try {
            await(description).atMost(atMost)
                    .failFast("parkway exited", () -> !process.isAlive() && output.stream().noneMatch(line))
                    .until(() -> output.stream().anyMatch(line));
        } catch (ConditionTimeoutException | TerminalFailureException e) {
            throw new AssertionError("parkway did not log " + description + ":\n" + output(), e);
        }
        return output.stream().filter(line).findFirst().orElseThrow();
    }

    /** Waits for the "ready on" line and returns the port of the first listener of {@code scheme}. */
    int port(String scheme) {
        String ready = awaitLine("ready on ");
        for (Matcher m = ADDRESS.matcher(ready); m.find(); ) {
            if (m.group(1).equals(scheme)) {
                return Integer.parseInt(m.group(2));
            }
        }
        throw new AssertionError("no " + scheme + " address in: " + ready);
    }

    /** Sends {@code SIG<name>} with {@code kill}. */
    void signal(String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
        assertTrue(kill.waitFor(30, TimeUnit.SECONDS), "kill -" + name + " did not finish");
        assertEquals(0, kill.exitValue(), "kill -" + name + " " + process.pid());
    }

    /** Waits for the process to exit and its output to be read; returns the exit code. */
    int awaitExit(Duration atMost) throws InterruptedException {
        boolean exited = process.waitFor(atMost.toMillis(), TimeUnit.MILLISECONDS);
        assertTrue(exited, () -> "parkway did not exit within " + atMost + ":\n" + output());
        reader.join(10_000);
        return process.exitValue();
    }

    /** No "LEAK:" report from Netty's detector in the output. */
    void assertNoLeaks() {
        assertTrue(output.stream().noneMatch(l -> l.contains("LEAK:")), () -> "Netty reported a leak:\n" + output());
    }

    /** Fails if any of {@code secrets} appears anywhere in the output. */
    void assertNeverPrinted(List<String> secrets) {
        for (String secret : secrets) {
            for (String line : output) {
                assertTrue(!line.contains(secret), () -> "the output shows a secret (" + secret.length()
                        + " characters) in: " + line);
            }
        }
    }

    /** Kills the process if it still runs. */
    @Override
    public void close() {
        try {
            if (process.isAlive()) {
                process.destroyForcibly();
                process.waitFor(30, TimeUnit.SECONDS);
            }
            reader.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
