package io.parkway.server.metrics;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Prometheus's own {@code promtool check metrics} (Debian package {@code prometheus}) on a scrape. */
final class Promtool {

    static final Path PATH = Path.of("/usr/bin/promtool");
    /** promtool's exit status when the metrics parsed but lint found problems (1 is a parse failure). */
    private static final int LINT_PROBLEMS = 3;

    private Promtool() {
    }

    /**
     * Fails unless promtool parses {@code scrape} and finds nothing to lint in Parkway's own metrics. Lint findings
     * on third-party binders' metrics (Netty's allocator metrics have no help text) are tolerated.
     */
    static void checkMetrics(String scrape) throws Exception {
        if (!Files.isExecutable(PATH)) {
            String message = PATH + " is missing (expected: the Debian package 'prometheus')";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail(message + "; CI=true, so this is a failure, not a skip");
            }
            System.err.println("\n*** SKIPPING promtool check metrics: " + message + " ***\n");
            return;
        }
        Process p = new ProcessBuilder(PATH.toString(), "check", "metrics").redirectErrorStream(true).start();
        try (OutputStream in = p.getOutputStream()) {
            in.write(scrape.getBytes(UTF_8));
        }
        String out = new String(p.getInputStream().readAllBytes(), UTF_8);
        assertTrue(p.waitFor(1, TimeUnit.MINUTES), "promtool did not finish");
        assertTrue(p.exitValue() == 0 || p.exitValue() == LINT_PROBLEMS, "promtool exit " + p.exitValue() + ": " + out);
        for (String line : out.split("\n")) {
            assertTrue(!line.startsWith("parkway_"), "promtool check metrics: " + line);
        }
    }
}
