package io.parkway.server;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Where {@code parkway serve} takes its configuration from, decided once at start and used again by every reload:
 * the {@code --config} file; without it, the first of {@link #DEFAULT_FILES} that exists; without any, the embedded
 * development defaults. Environment overrides ({@link EnvironmentOverrides}) apply over each.
 *
 * @param file the configuration file, absolute for a default one; null for the embedded development defaults
 * @param reason how it was chosen, for the start-up log
 */
record ConfigSource(Path file, String reason) {

    /**
     * The files {@code serve} looks for without {@code --config}, in order: {@code conf/parkway.yaml} in the working
     * directory (a source checkout or an unpacked release, run as {@code ./parkway serve}), then the system-wide one.
     */
    static final List<Path> DEFAULT_FILES =
            List.of(Path.of("conf", "parkway.yaml"), Path.of("/etc/parkway/parkway.yaml"));

    /** The source for {@code --config explicit} (null when not given), looking in {@link #DEFAULT_FILES}. */
    static ConfigSource resolve(Path explicit) {
        return resolve(explicit, DEFAULT_FILES);
    }

    static ConfigSource resolve(Path explicit, List<Path> defaults) {
        if (explicit != null) {
            return new ConfigSource(explicit, "--config");
        }
        for (Path candidate : defaults) {
            if (Files.isRegularFile(candidate)) {
                return new ConfigSource(candidate.toAbsolutePath(), candidate.isAbsolute()
                        ? "the system-wide default; --config FILE chooses another"
                        : "found as " + candidate + " in the working directory; --config FILE chooses another");
            }
        }
        return new ConfigSource(null, "no --config and none of " + defaults + " exists");
    }

    /** Whether this is the embedded development defaults rather than a file. */
    boolean embedded() {
        return file == null;
    }

    /** How a {@link ConfigException} names the source: the file, or "embedded development defaults". */
    String name() {
        return embedded() ? "embedded development defaults" : file.toString();
    }

    /** For the start-up log: what is loaded and why, and which environment variables apply (names only). */
    String describe(Map<String, String> environment) {
        List<String> variables = EnvironmentOverrides.from(environment).names();
        return name() + " (" + reason + ")" + (variables.isEmpty() ? "" : " with " + String.join(", ", variables));
    }

    /**
     * Loads and validates the configuration with the environment's overrides; {@code developmentSecret} is the TURN
     * REST secret of the embedded development defaults (ignored for a file).
     */
    ParkwayConfig load(Map<String, String> environment, String developmentSecret) throws ConfigException {
        if (embedded()) {
            return ConfigLoader.overlay(ParkwayConfig.development(developmentSecret), name(), environment);
        }
        return ConfigLoader.load(file, environment);
    }
}
