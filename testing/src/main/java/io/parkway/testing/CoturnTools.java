package io.parkway.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/**
 * coturn's programs from the Debian package {@code coturn}, which {@code .ci/run} installs: the client tools
 * ({@code turnutils_uclient}, {@code turnutils_stunclient}, {@code turnutils_peer}) and the server
 * ({@code turnserver}). Missing programs skip the tests loudly on a developer machine and fail them in CI
 * ({@code CI=true}), where a skip would hide that nothing ran.
 */
public record CoturnTools(Path uclient, Path stunclient, Path peer) {
    private static final Path BIN = Path.of("/usr/bin");

    /** The client tools in {@code /usr/bin}, or an aborted (skipped) test, or a failed one when {@code CI=true}. */
    public static CoturnTools require() {
        return require(BIN, System.getenv("CI"));
    }

    /**
     * The client tools in {@code bin}; {@code ci} is the value of the {@code CI} environment variable (null if
     * unset).
     */
    public static CoturnTools require(Path bin, String ci) {
        CoturnTools tools = new CoturnTools(bin.resolve("turnutils_uclient"), bin.resolve("turnutils_stunclient"),
                bin.resolve("turnutils_peer"));
        requireExecutables(List.of(tools.uclient, tools.stunclient, tools.peer), "coturn's client tools are missing",
                "coturn interop tests", ci);
        return tools;
    }

    /** {@code /usr/bin/turnutils_uclient} alone, skipped or failed like {@link #require()}. */
    public static Path requireUclient() {
        return requireProgram(BIN, "turnutils_uclient", "coturn's turnutils_uclient tests", System.getenv("CI"));
    }

    /** {@code /usr/bin/turnserver} (coturn's server itself), skipped or failed like {@link #require()}. */
    public static Path requireTurnserver() {
        return requireProgram(BIN, "turnserver", "tests against coturn's turnserver", System.getenv("CI"));
    }

    /**
     * The program {@code name} in {@code bin}; a missing one skips the test (naming {@code skipping} in the loud
     * message), or fails it when {@code ci} is {@code "true"}.
     */
    public static Path requireProgram(Path bin, String name, String skipping, String ci) {
        Path program = bin.resolve(name);
        requireExecutables(List.of(program), "coturn's " + name + " is missing", skipping, ci);
        return program;
    }

    private static void requireExecutables(List<Path> programs, String what, String skipping, String ci) {
        List<Path> missing = new ArrayList<>();
        for (Path p : programs) {
            if (!Files.isExecutable(p)) {
                missing.add(p);
            }
        }
        if (!missing.isEmpty()) {
            String message = what + ": " + missing
                    + " (expected: the Debian package 'coturn', which .ci/run installs: apt-get install coturn)";
            if ("true".equalsIgnoreCase(ci)) {
                fail(message + "; CI=true, so this is a failure, not a skip");
            }
            System.err.println("\n*** SKIPPING " + skipping + ": " + message + " ***\n");
            Assumptions.abort("SKIPPED: " + message);
        }
    }
}
