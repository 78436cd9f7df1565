package io.parkway.turn.interop;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A program the tests run, such as coturn's {@code turnutils_uclient}: stdout and stderr go together to a temporary
 * file (no reader thread, no pipe that can fill up), every wait is bounded, and {@link #close()} kills the process and
 * all its descendants. A test owns each instance and closes it in a {@code finally} or try-with-resources.
 */
final class ExternalProcess implements AutoCloseable {

    /** How one run ended: its exit code ({@code -1} when it was killed at the timeout) and everything it printed. */
    record Result(List<String> command, int exitCode, boolean timedOut, String output) {

        /** The command, how it ended and its output: the message of every assertion about a run. */
        String describe() {
            return String.join(" ", command) + "\n  -> " + (timedOut ? "killed after the timeout" : "exit code " + exitCode)
                    + "\n----- output -----\n" + output + (output.endsWith("\n") ? "" : "\n") + "------------------";
        }
    }

    private final List<String> command;
    private final Process process;
    private final Path outputFile;

    private ExternalProcess(List<String> command, Process process, Path outputFile) {
        this.command = command;
        this.process = process;
        this.outputFile = outputFile;
    }

    /** Starts {@code command} with stdin from {@code /dev/null}; the caller must {@link #close()} it. */
    static ExternalProcess start(List<String> command) throws IOException {
        List<String> copy = List.copyOf(command);
        Path output = Files.createTempFile("parkway-interop-", ".log");
        try {
            Process process = new ProcessBuilder(copy)
                    .redirectErrorStream(true)
                    .redirectOutput(output.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .directory(output.getParent().toFile())
                    .start();
            return new ExternalProcess(copy, process, output);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(output);
            throw e;
        }
    }

    /** Runs {@code command} to completion, or kills it (and its descendants) after {@code timeout}. */
    static Result run(Duration timeout, List<String> command) throws IOException, InterruptedException {
        try (ExternalProcess p = start(command)) {
            return p.await(timeout);
        }
    }

    List<String> command() {
        return command;
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** What the process has printed so far. */
    String output() {
        try {
            return Files.readString(outputFile, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new UncheckedIOException("reading the output of " + command, e);
        }
    }

    /**
     * Waits at most {@code timeout} for the process to exit; if it has not, kills it and its descendants. Either way
     * returns how it ended and its whole output.
     */
    Result await(Duration timeout) throws InterruptedException {
        boolean exited = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (!exited) {
            kill();
        }
        return new Result(command, exited ? process.exitValue() : -1, !exited, output());
    }

    /** Kills the process tree (descendants first, so none is re-parented and forgotten) and waits for it to go. */
    private void kill() throws InterruptedException {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException("pid " + process.pid() + " survived SIGKILL for 10 s: " + command);
        }
    }

    /** Kills the process tree if it is still running and deletes the output file. Idempotent. */
    @Override
    public void close() {
        try {
            if (process.isAlive() || process.descendants().findAny().isPresent()) {
                kill();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        } finally {
            try {
                Files.deleteIfExists(outputFile);
            } catch (IOException ignored) {
                // a temp file; the OS cleans /tmp
            }
        }
    }

    @Override
    public String toString() {
        return "pid " + process.pid() + " " + String.join(" ", command);
    }
}
