package io.parkway.server.park;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A JVM the test runs inside a namespace, {@code ip netns exec NS java -cp <test classpath> MAIN ARGS} ({@code ip
 * netns exec} execs the command, so the process is the JVM itself): Parkway, a {@link BrowserAgent} or a
 * {@link StunProbe}. Output (stdout and stderr merged) is kept line by line; {@link #call} speaks the agent's
 * protocol.
 */
final class NamespacedProcess implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    final String name;
    private final Process process;
    private final OutputStream stdin;
    private final List<String> output = new CopyOnWriteArrayList<>();
    private final Map<Long, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    private final CompletableFuture<JsonNode> ready = new CompletableFuture<>();
    private final AtomicLong ids = new AtomicLong();
    private final Thread reader;

    private NamespacedProcess(String name, Process process) {
        this.name = name;
        this.process = process;
        this.stdin = process.getOutputStream();
        reader = new Thread(this::read, "park-" + name);
        reader.setDaemon(true);
        reader.start();
    }

    static NamespacedProcess java(String name, String namespace, Class<?> main, Map<String, String> environment,
            String... args) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", namespace, java,
                "-Dio.netty.leakDetection.level=paranoid", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-cp", System.getProperty("java.class.path"), main.getName()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().keySet().removeIf(key -> key.startsWith("PARKWAY_"));
        builder.environment().putAll(environment);
        return new NamespacedProcess(name, builder.start());
    }

    private void read() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                JsonNode reply = line.startsWith(BrowserAgent.PREFIX) ? reply(line) : null;
                if (reply != null) {
                    if (reply.has("ready")) {
                        ready.complete(reply);
                    } else if (reply.has("id")) {
                        CompletableFuture<JsonNode> f = pending.remove(reply.get("id").asLong());
                        if (f != null) {
                            f.complete(reply);
                        }
                    }
                    if (reply.has("id")) {
                        continue; // replies can be large (getStats), and are reported by the caller if needed
                    }
                }
                output.add(line);
            }
        } catch (IOException ignored) {
            // the process ended
        } finally {
            IllegalStateException ended = new IllegalStateException(name + " exited: " + tail());
            ready.completeExceptionally(ended);
            pending.values().forEach(f -> f.completeExceptionally(ended));
        }
    }

    private static JsonNode reply(String line) {
        try {
            return JSON.readTree(line.substring(BrowserAgent.PREFIX.length()));
        } catch (IOException e) {
            return null; // not a reply after all: kept as output
        }
    }

    /** The agent's {@code ready} line, once Chromium runs. */
    JsonNode awaitReady(Duration timeout) throws InterruptedException {
        return get(ready, timeout, "ready");
    }

    /** Sends one command to the agent and returns its {@code value}; a failed command throws. */
    JsonNode call(Duration timeout, String op, String... keyValues) throws InterruptedException {
        long id = ids.incrementAndGet();
        ObjectNode command = JSON.createObjectNode().put("id", id).put("op", op);
        for (int i = 0; i + 1 < keyValues.length; i += 2) {
            command.put(keyValues[i], keyValues[i + 1]);
        }
        CompletableFuture<JsonNode> reply = new CompletableFuture<>();
        pending.put(id, reply);
        try {
            synchronized (stdin) {
                stdin.write((JSON.writeValueAsString(command) + "\n").getBytes(UTF_8));
                stdin.flush();
            }
        } catch (IOException e) {
            pending.remove(id);
            throw new IllegalStateException(name + ": sending " + op + ": " + e + "; output: " + tail(), e);
        }
        JsonNode r = get(reply, timeout, op);
        if (!r.path("ok").asBoolean()) {
            throw new IllegalStateException(name + ": " + op + " failed: " + r.path("error").asText());
        }
        return r.path("value");
    }

    JsonNode js(String script) throws InterruptedException {
        return call(Duration.ofSeconds(30), "js", "script", script);
    }

    JsonNode async(String script) throws InterruptedException {
        return call(Duration.ofSeconds(30), "async", "script", script);
    }

    private JsonNode get(CompletableFuture<JsonNode> f, Duration timeout, String what) throws InterruptedException {
        try {
            return f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException(name + ": " + what + ": " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException(name + ": no answer to " + what + " within " + timeout + "; output: "
                    + tail(), e);
        }
    }

    /** Waits for an output line containing {@code text} and returns it. */
    String awaitLine(String text, Duration timeout) {
        java.util.concurrent.atomic.AtomicReference<String> found = new java.util.concurrent.atomic.AtomicReference<>();
        try {
            org.awaitility.Awaitility.await().atMost(timeout).pollInterval(Duration.ofMillis(50)).until(() -> {
                for (String line : output) {
                    if (line.contains(text)) {
                        found.set(line);
                        return true;
                    }
                }
                if (!process.isAlive() && !reader.isAlive()) { // exited, and every line has been read
                    throw new IllegalStateException(name + " exited with " + process.exitValue()
                            + " before printing \"" + text + "\": " + tail());
                }
                return false;
            });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new IllegalStateException(name + " did not print \"" + text + "\" within " + timeout + ": "
                    + tail(), e);
        }
        return found.get();
    }

    List<String> output() {
        return List.copyOf(output);
    }

    String tail() {
        List<String> lines = output();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
    }

    boolean isAlive() {
        return process.isAlive();
    }

    int waitFor(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException(name + " still running after " + timeout + ": " + tail());
        }
        return process.exitValue();
    }

    /**
     * An agent: end of input, so it quits Chromium and exits. Anything else (or an agent that does not exit): SIGTERM,
     * then SIGKILL after 20 s.
     */
    @Override
    public void close() {
        try {
            stdin.close(); // an agent quits its browser on end of input
        } catch (IOException ignored) {
            // already closed
        }
        try {
            boolean agent = ready.isDone() && !ready.isCompletedExceptionally();
            if (!agent || !process.waitFor(10, TimeUnit.SECONDS)) {
                process.toHandle().destroy();
                if (!process.waitFor(20, TimeUnit.SECONDS)) {
                    process.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
                    process.destroyForcibly();
                    process.waitFor(10, TimeUnit.SECONDS);
                }
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
