package io.parkway.server.dashboards;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Runs Prometheus's {@code promtool} (Debian package {@code prometheus}; {@code .ci/run} installs it). Where it is
 * missing the test is skipped with a loud reason, except under {@code CI=true}, where it fails.
 */
final class Promtool {

    static final Path PATH = Path.of("/usr/bin/promtool");

    /**
     * @param exitCode the process exit status
     * @param output stdout and stderr, interleaved
     */
    record Result(int exitCode, String output) {
    }

    private Promtool() {
    }

    /** Skips (or under CI fails) the calling test when promtool is not installed. */
    static void assumeInstalled() {
        if (Files.isExecutable(PATH)) {
            return;
        }
        String reason = PATH + " is missing; install Debian's prometheus package (.ci/run does)";
        if ("true".equals(System.getenv("CI"))) {
            fail(reason + " (CI=true: a missing promtool fails the build instead of skipping)");
        }
        System.err.println("SKIPPED: " + reason);
        Assumptions.abort("SKIPPED: " + reason);
    }

    /** Runs {@code promtool args...} in {@code dir} and returns its exit status and output. */
    static Result run(Path dir, String... args) throws IOException, InterruptedException {
        assumeInstalled();
        List<String> command = new ArrayList<>();
        command.add(PATH.toString());
        command.addAll(List.of(args));
        Path log = Files.createTempFile("promtool", ".log");
        try {
            Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
            boolean exited = p.waitFor(2, TimeUnit.MINUTES);
            if (!exited) {
                p.destroyForcibly().waitFor();
            }
            String output = Files.readString(log, UTF_8);
            assertTrue(exited, "promtool " + String.join(" ", args) + " did not finish in 2 minutes: " + output);
            return new Result(p.exitValue(), output);
        } finally {
            Files.deleteIfExists(log);
        }
    }
}
