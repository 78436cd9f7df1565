package io.parkway.server.packaging;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A systemd unit file read the way systemd.syntax(7) describes it: {@code [Section]} headers, {@code Key=Value}
 * lines, {@code #} and {@code ;} comments; a key may repeat. Enough for asserting on our own unit, not a full
 * parser (no line continuations, no drop-ins).
 */
record UnitFile(Map<String, Map<String, List<String>>> sections) {

    static UnitFile read(Path file) throws IOException {
        Map<String, Map<String, List<String>>> sections = new LinkedHashMap<>();
        Map<String, List<String>> current = null;
        int n = 0;
        for (String raw : Files.readAllLines(file)) {
            n++;
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
                continue;
            }
            if (line.startsWith("[") && line.endsWith("]")) {
                current = sections.computeIfAbsent(line.substring(1, line.length() - 1), k -> new LinkedHashMap<>());
                continue;
            }
            int eq = line.indexOf('=');
            if (current == null || eq <= 0 || line.endsWith("\\")) {
                throw new IllegalArgumentException(file + ":" + n + ": " + raw
                        + " (expected: Key=Value inside a [Section], no continuation lines)");
            }
            current.computeIfAbsent(line.substring(0, eq).strip(), k -> new ArrayList<>())
                    .add(line.substring(eq + 1).strip());
        }
        return new UnitFile(sections);
    }

    /** Every value of {@code key} in {@code section}, in file order; empty when absent. */
    List<String> all(String section, String key) {
        return sections.getOrDefault(section, Map.of()).getOrDefault(key, List.of());
    }

    /** The value systemd uses for a single-valued key: the last one; null when absent. */
    String get(String section, String key) {
        List<String> values = all(section, key);
        return values.isEmpty() ? null : values.get(values.size() - 1);
    }

    /**
     * The value of {@code NAME} in the service's {@code Environment=} lines, with systemd's quoting removed and its
     * {@code %%} specifier escape resolved; null when absent.
     */
    String environment(String name) {
        String value = null;
        for (String assignment : all("Service", "Environment")) {
            String a = assignment.length() >= 2 && assignment.startsWith("\"") && assignment.endsWith("\"")
                    ? assignment.substring(1, assignment.length() - 1) : assignment;
            if (a.startsWith(name + "=")) {
                value = a.substring(name.length() + 1).replace("%%", "%");
            }
        }
        return value;
    }
}
