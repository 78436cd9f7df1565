package io.parkway.server.metrics;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/** coturn's {@code turnutils_uclient} (Debian package {@code coturn}, which {@code .ci/run} installs). */
final class Uclient {

    static final Path PATH = Path.of("/usr/bin/turnutils_uclient");

    private Uclient() {
    }

    /** The tool; a missing one skips the test loudly, or fails it when {@code CI=true}, where a skip hides a gap. */
    static Path require() {
        if (!Files.isExecutable(PATH)) {
            String message = PATH + " is missing (expected: the Debian package 'coturn': apt-get install coturn)";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail(message + "; CI=true, so this is a failure, not a skip");
            }
            System.err.println("\n*** SKIPPING: " + message + " ***\n");
            Assumptions.abort("SKIPPED: " + message);
        }
        return PATH;
    }
}
