package io.parkway.server;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Typed reads from a YAML tree that collect problems instead of throwing, so that one run reports every mistake.
 * Each problem names the key path, the value found and what was expected:
 * {@code "turn.allocation-lifetime: -5 (expected: whole seconds, 1-2147483647)"}.
 *
 * <p>Readers return {@code null} for a missing or null key (the caller substitutes the default) and also after
 * recording a problem; {@link #problemCount()} before and after a read tells the two apart.
 *
 * <p>A key set by an environment variable ({@link #origin}) is named with it:
 * {@code "turn.relay.ports (PARKWAY_TURN_RELAY_PORTS): 70000-80000 (expected: ...)"}.
 */
final class ConfigReader {

    private final List<String> problems = new ArrayList<>();
    /** Key path to the environment variable that set it. */
    private final Map<String, String> origins = new HashMap<>();

    /** Records that the key at {@code path} (and everything below it) came from the variable {@code variable}. */
    void origin(String path, String variable) {
        origins.put(path, variable);
    }

    /** {@code path}, followed by the environment variable that set it or one of its parents, if any. */
    private String label(String path) {
        for (String p = path; !p.isEmpty(); p = parent(p)) {
            String variable = origins.get(p);
            if (variable != null) {
                return path + " (" + variable + ")";
            }
        }
        return path;
    }

    private static String parent(String path) {
        int cut = Math.max(path.lastIndexOf('.'), path.lastIndexOf('['));
        return cut < 0 ? "" : path.substring(0, cut);
    }

    /** A problem that is not about one key, such as an unknown environment variable; recorded as it is. */
    void problem(String line) {
        problems.add(line);
    }

    List<String> problems() {
        return problems;
    }

    int problemCount() {
        return problems.size();
    }

    void problem(String path, JsonNode value, String expected) {
        problems.add(label(path) + ": " + show(value) + " (expected: " + expected + ")");
    }

    void problem(String path, String value, String expected) {
        problems.add(label(path) + ": " + value + " (expected: " + expected + ")");
    }

    /**
     * Records a problem from an {@link IllegalArgumentException} whose message has the house form
     * {@code "what: VALUE (expected: ...)"}, with {@code what} replaced by {@code path}; any other message is replaced
     * by {@code path: VALUE (expected: fallbackExpected)}.
     */
    void problem(String path, String value, IllegalArgumentException e, String fallbackExpected) {
        String m = e.getMessage();
        int colon = m == null ? -1 : m.indexOf(": ");
        if (colon > 0 && m.startsWith(value, colon + 2)) {
            problems.add(label(path) + m.substring(colon));
        } else {
            problem(path, value, fallbackExpected);
        }
    }

    /** The path of {@code key} inside the mapping at {@code path} ("" is the document root). */
    static String child(String path, String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    /** The path of item {@code index} of the sequence at {@code path}. */
    static String item(String path, int index) {
        return path + "[" + index + "]";
    }

    /** The value of {@code key}, or null when the key is missing or explicitly null (both mean: the default). */
    static JsonNode get(JsonNode mapping, String key) {
        JsonNode n = mapping.get(key);
        return n == null || n.isNull() ? null : n;
    }

    /**
     * Checks that {@code node} is a mapping whose keys are all among {@code keys}, reporting each unknown key.
     *
     * @return whether {@code node} is a mapping (unknown keys notwithstanding), i.e. whether to read its keys
     */
    boolean mapping(JsonNode node, String path, List<String> keys) {
        if (!node.isObject()) {
            problem(path.isEmpty() ? "configuration" : path, node, "a mapping with keys " + String.join(", ", keys));
            return false;
        }
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!keys.contains(name)) {
                problems.add(label(child(path, name)) + ": unknown key (expected one of: " + String.join(", ", keys)
                        + ")");
            }
        }
        return true;
    }

    /** A non-empty string of at most {@code maxLength} characters; numbers and booleans are refused, not converted. */
    String string(JsonNode node, String path, int maxLength) {
        if (node == null) {
            return null;
        }
        if (!node.isTextual() || node.textValue().isEmpty() || node.textValue().length() > maxLength) {
            boolean quotable = node.isNumber() || node.isBoolean();
            problem(path, node, "a string of 1-" + maxLength + " characters" + (quotable ? "; quote it" : ""));
            return null;
        }
        return node.textValue();
    }

    /**
     * Like {@link #string}, for a password or secret: a problem describes the value (its type, or its length) but
     * never shows it, because problems are printed and logged.
     */
    String secret(JsonNode node, String path, int maxLength) {
        if (node == null) {
            return null;
        }
        if (!node.isTextual() || node.textValue().isEmpty() || node.textValue().length() > maxLength) {
            boolean quotable = node.isNumber() || node.isBoolean();
            problem(path, redacted(node),
                    "a string of 1-" + maxLength + " characters" + (quotable ? "; quote it" : ""));
            return null;
        }
        return node.textValue();
    }

    /** A whole number within {@code min}-{@code max}. */
    Long integer(JsonNode node, String path, long min, long max, String unit) {
        if (node == null) {
            return null;
        }
        if (!node.isIntegralNumber() || !node.canConvertToLong() || node.longValue() < min || node.longValue() > max) {
            problem(path, node, unit + ", " + min + "-" + max);
            return null;
        }
        return node.longValue();
    }

    /** The items of a sequence, or null (with a problem) when {@code node} is not one. */
    List<JsonNode> sequence(JsonNode node, String path, String expected) {
        if (node == null) {
            return null;
        }
        if (!node.isArray()) {
            problem(path, node, expected);
            return null;
        }
        List<JsonNode> items = new ArrayList<>();
        node.elements().forEachRemaining(items::add);
        return items;
    }

    /** The entries of a mapping with arbitrary keys (such as user names), or null when {@code node} is not one. */
    List<Map.Entry<String, JsonNode>> entries(JsonNode node, String path, String expected) {
        if (node == null) {
            return null;
        }
        if (!node.isObject()) {
            problem(path, node, expected);
            return null;
        }
        List<Map.Entry<String, JsonNode>> entries = new ArrayList<>();
        entries.addAll(node.properties());
        return entries;
    }

    /** What a value that may hold a secret is, without showing it: {@code "a string of 6 characters (not shown)"}. */
    static String redacted(JsonNode value) {
        if (value.isNull()) {
            return "null";
        }
        if (value.isTextual()) {
            return value.textValue().isEmpty() ? "\"\"" : "a string of " + value.textValue().length()
                    + " characters (not shown)";
        }
        return "a " + value.getNodeType().name().toLowerCase(Locale.ROOT) + " (not shown)";
    }

    /** A value as written: strings bare ({@code ""} when empty), anything else as compact JSON ({@code [1,2]}). */
    static String show(JsonNode value) {
        if (value == null || value.isNull()) {
            return "null";
        }
        if (value.isTextual()) {
            return value.textValue().isEmpty() ? "\"\"" : value.textValue();
        }
        return value.toString();
    }
}
