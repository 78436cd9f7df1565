package io.parkway.server.metrics;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strict reader of the Prometheus text exposition format 0.0.4
 * (https://prometheus.io/docs/instrumenting/exposition_formats/#text-based-format): every line is a {@code # HELP},
 * a {@code # TYPE}, another comment, or a sample {@code name{label="value",...} value [timestamp]}; anything else
 * fails with the line. Each sample must follow the {@code # TYPE} of its family.
 */
final class PrometheusText {

    /** One sample line. */
    record Sample(String name, Map<String, String> labels, double value) {
    }

    private static final String NAME = "[a-zA-Z_:][a-zA-Z0-9_:]*";
    private static final String LABEL_NAME = "[a-zA-Z_][a-zA-Z0-9_]*";
    private static final String LABEL_VALUE = "\"(?:[^\"\\\\\\n]|\\\\[\\\\\"n])*\"";
    private static final String VALUE = "[-+]?(?:[0-9]*\\.?[0-9]+(?:[eE][-+]?[0-9]+)?|Inf|NaN)";
    private static final Pattern SAMPLE = Pattern.compile("(" + NAME + ")(?:\\{((?:" + LABEL_NAME + "=" + LABEL_VALUE
            + ")(?:," + LABEL_NAME + "=" + LABEL_VALUE + ")*,?)?\\})? (" + VALUE + ")(?: -?[0-9]+)?");
    private static final Pattern LABEL = Pattern.compile("(" + LABEL_NAME + ")=(" + LABEL_VALUE + ")");
    private static final Pattern HELP = Pattern.compile("# HELP (" + NAME + ")(?: .*)?");
    private static final Pattern TYPE = Pattern.compile("# TYPE (" + NAME + ") (counter|gauge|histogram|summary|untyped)");
    private static final Set<String> SUFFIXES = Set.of("_total", "_bucket", "_sum", "_count", "_created");

    private PrometheusText() {
    }

    static List<Sample> parse(String text) {
        List<Sample> samples = new ArrayList<>();
        Map<String, String> types = new HashMap<>();
        String[] lines = text.split("\n", -1);
        if (!lines[lines.length - 1].isEmpty()) {
            throw new AssertionError("last line: " + lines[lines.length - 1] + " (expected: a line ending in \\n)");
        }
        for (int i = 0; i < lines.length - 1; i++) {
            String line = lines[i];
            String where = "line " + (i + 1) + ": " + line;
            if (line.isBlank()) {
                continue;
            }
            if (line.startsWith("#")) {
                Matcher type = TYPE.matcher(line);
                if (type.matches()) {
                    if (types.put(type.group(1), type.group(2)) != null) {
                        throw new AssertionError(where + " (expected: one TYPE line per metric family)");
                    }
                } else if (line.startsWith("# HELP") && !HELP.matcher(line).matches()) {
                    throw new AssertionError(where + " (expected: # HELP name text)");
                } else if (line.startsWith("# TYPE")) {
                    throw new AssertionError(where + " (expected: # TYPE name counter|gauge|histogram|summary|untyped)");
                }
                continue;
            }
            Matcher m = SAMPLE.matcher(line);
            if (!m.matches()) {
                throw new AssertionError(where + " (expected: name{label=\"value\",...} value)");
            }
            String name = m.group(1);
            if (family(name, types) == null) {
                throw new AssertionError(where + " (expected: after a # TYPE line of its family)");
            }
            Map<String, String> labels = new LinkedHashMap<>();
            if (m.group(2) != null) {
                for (Matcher l = LABEL.matcher(m.group(2)); l.find(); ) {
                    String v = l.group(2);
                    if (labels.put(l.group(1), v.substring(1, v.length() - 1)) != null) {
                        throw new AssertionError(where + " (expected: each label once)");
                    }
                }
            }
            samples.add(new Sample(name, labels, Double.parseDouble(m.group(3).replace("Inf", "Infinity"))));
        }
        return samples;
    }

    private static String family(String name, Map<String, String> types) {
        if (types.containsKey(name)) {
            return name;
        }
        for (String suffix : SUFFIXES) {
            if (name.endsWith(suffix) && types.containsKey(name.substring(0, name.length() - suffix.length()))) {
                return name.substring(0, name.length() - suffix.length());
            }
        }
        return null;
    }

    /** The value of the one sample named {@code name} whose labels include {@code labels} (name, value pairs). */
    static double value(List<Sample> samples, String name, String... labels) {
        List<Sample> found = new ArrayList<>();
        for (Sample s : samples) {
            if (s.name().equals(name) && hasLabels(s, labels)) {
                found.add(s);
            }
        }
        if (found.size() != 1) {
            throw new AssertionError(name + " " + List.of(labels) + ": " + found.size() + " samples " + found
                    + " (expected: exactly one)");
        }
        return found.get(0).value();
    }

    private static boolean hasLabels(Sample s, String... labels) {
        for (int i = 0; i < labels.length; i += 2) {
            if (!labels[i + 1].equals(s.labels().get(labels[i]))) {
                return false;
            }
        }
        return true;
    }
}
