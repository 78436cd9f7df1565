package io.parkway.server.packaging;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;

/** Paths of the shipped files, and what the packaging tests share. */
final class RepoFiles {

    /** The checkout's root; Maven runs the server module's tests in {@code server/}. */
    static final Path ROOT = Path.of("").toAbsolutePath().getParent();
    static final Path UNIT = ROOT.resolve("systemd/parkway.service");
    static final Path LAUNCHER = ROOT.resolve("parkway");
    static final Path TARGET = Path.of("target").toAbsolutePath();

    private static final Pattern DEFAULT_JAVA_OPTS = Pattern.compile("(?m)^default_java_opts=\"([^\"]*)\"$");

    private RepoFiles() {
    }

    /** The launcher's {@code default_java_opts}, used when PARKWAY_JAVA_OPTS is unset. */
    static List<String> launcherDefaultJavaOpts() throws IOException {
        Matcher m = DEFAULT_JAVA_OPTS.matcher(Files.readString(LAUNCHER));
        assertTrue(m.find(), LAUNCHER + " has no default_java_opts=\"...\" line");
        return List.of(m.group(1).trim().split("\\s+"));
    }

    /**
     * Skips the test with a loud reason when {@code tool} is missing on a developer machine; fails it in CI (env
     * CI=true), where .ci/run installs {@code debianPackage}.
     */
    static Path requireTool(String tool, String debianPackage) {
        Path path = Path.of("/usr/bin", tool);
        if (Files.isExecutable(path)) {
            return path;
        }
        String reason = path + " is missing; install Debian's " + debianPackage + " package (.ci/run does)";
        if ("true".equals(System.getenv("CI"))) {
            throw new AssertionError(reason);
        }
        System.err.println("SKIPPED: " + reason);
        Assumptions.abort("SKIPPED: " + reason);
        return path;
    }

    /** The java binary running this test, for child processes. */
    static Path java() {
        return Path.of(System.getProperty("java.home"), "bin", "java");
    }
}
