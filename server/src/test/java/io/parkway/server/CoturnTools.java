package io.parkway.server;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/**
 * coturn's client tools from the Debian package {@code coturn}, which {@code .ci/run} installs. Missing tools skip the
 * tests loudly on a developer machine and fail them in CI ({@code CI=true}), where a skip would hide that nothing ran.
 */
record CoturnTools(Path uclient, Path stunclient, Path peer) {
    private static final Path BIN = Path.of("/usr/bin");

    /** The tools in {@code /usr/bin}, or an aborted (skipped) test, or a failed one when {@code CI=true}. */
    static CoturnTools require() {
        return require(BIN, System.getenv("CI"));
    }

    /** The tools in {@code bin}; {@code ci} is the value of the {@code CI} environment variable (null if unset). */
    static CoturnTools require(Path bin, String ci) {
        CoturnTools tools = new CoturnTools(bin.resolve("turnutils_uclient"), bin.resolve("turnutils_stunclient"),
                bin.resolve("turnutils_peer"));
        List<Path> missing = new ArrayList<>();
        for (Path p : List.of(tools.uclient, tools.stunclient, tools.peer)) {
            if (!Files.isExecutable(p)) {
                missing.add(p);
            }
        }
        if (!missing.isEmpty()) {
            String message = "coturn's client tools are missing: " + missing
                    + " (expected: the Debian package 'coturn', which .ci/run installs: apt-get install coturn)";
            if ("true".equalsIgnoreCase(ci)) {
                fail(message + "; CI=true, so this is a failure, not a skip");
            }
            System.err.println("\n*** SKIPPING coturn interop tests: " + message + " ***\n");
            Assumptions.abort("SKIPPED: " + message);
        }
        return tools;
    }
}
