package io.parkway.server;

import java.util.List;

/**
 * A configuration that cannot be used, with every problem found, one line each in the form
 * {@code "turn.relay.ports: 70000-80000 (expected: MIN-MAX within 1-65535)"}. Thrown before anything is bound.
 */
public final class ConfigException extends Exception {

    private final String source;
    private final List<String> problems;

    public ConfigException(String source, List<String> problems) {
        super(message(source, problems));
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("problems: [] (expected: at least one)");
        }
        this.source = source;
        this.problems = List.copyOf(problems);
    }

    /** Where the configuration came from: a file name, or a description such as "embedded defaults". */
    public String source() {
        return source;
    }

    /** Each problem as one line that names the key path, the value and what was expected. */
    public List<String> problems() {
        return problems;
    }

    private static String message(String source, List<String> problems) {
        StringBuilder b = new StringBuilder("invalid configuration ").append(source).append(" (")
                .append(problems.size()).append(problems.size() == 1 ? " problem):" : " problems):");
        for (String p : problems) {
            b.append("\n  ").append(p);
        }
        return b.toString();
    }
}
