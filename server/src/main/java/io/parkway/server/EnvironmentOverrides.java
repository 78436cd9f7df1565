package io.parkway.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Configuration keys set by environment variables, applied over the file (or the embedded defaults) before
 * validation, so that an override is checked exactly like the key it replaces and a problem names the variable.
 *
 * <p>The variable of a key is {@code PARKWAY_} and the key path upper-cased with {@code .} and {@code -} turned into
 * {@code _}: {@code turn.relay.external-address} is {@code PARKWAY_TURN_RELAY_EXTERNAL_ADDRESS}. Values:
 * <ul>
 *   <li>a sequence key ({@link ConfigLoader#SEQUENCE_KEYS}) takes comma-separated items,
 *       {@code PARKWAY_TURN_REST_SECRETS=new,old}; an empty value is the empty list;</li>
 *   <li>a mapping key ({@link ConfigLoader#MAPPING_KEYS}) takes comma-separated {@code NAME:VALUE} items,
 *       {@code PARKWAY_TURN_USERS=alice:pw,bob:pw2} (a name cannot hold {@code :}, no item can hold {@code ,});</li>
 *   <li>any other key takes one value, read like a plain YAML scalar: a whole number is a number,
 *       {@code true}/{@code false} a boolean, {@code null} the default, anything else a string.</li>
 * </ul>
 * Spaces around items, names and values are ignored. A {@code PARKWAY_} variable that names no key is an error
 * (a typo would otherwise be silently ignored), except the launcher's {@code PARKWAY_JAVA_OPTS}. Values are never
 * shown in problems or logs: they may be secrets.
 */
final class EnvironmentOverrides {

    static final String PREFIX = "PARKWAY_";
    /** {@code PARKWAY_} variables that are not configuration keys: the launcher's JVM options. */
    static final Set<String> NOT_KEYS = Set.of("PARKWAY_JAVA_OPTS");

    private static final Pattern WHOLE_NUMBER = Pattern.compile("[-+]?\\d+");
    private static final Pattern DECIMAL = Pattern.compile("[-+]?\\d*\\.\\d+([eE][-+]?\\d+)?");
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** Variable name to key path, for every value key of {@link ConfigLoader#SECTIONS}, sorted by name. */
    private static final SortedMap<String, String> KEYS = keys();

    /** The {@code PARKWAY_} variables, sorted by name so that problems come in a stable order. */
    private final SortedMap<String, String> variables;

    private EnvironmentOverrides(SortedMap<String, String> variables) {
        this.variables = variables;
    }

    /** The {@code PARKWAY_} variables of {@code environment} (such as {@link System#getenv()}). */
    static EnvironmentOverrides from(Map<String, String> environment) {
        SortedMap<String, String> variables = new TreeMap<>();
        environment.forEach((name, value) -> {
            if (name.startsWith(PREFIX) && !NOT_KEYS.contains(name)) {
                variables.put(name, value);
            }
        });
        return new EnvironmentOverrides(variables);
    }

    /** The names of the variables that set keys (never their values, which may be secrets), sorted. */
    List<String> names() {
        return List.copyOf(variables.keySet());
    }

    /** The variable that sets the key at {@code path}, such as {@code PARKWAY_TURN_REST_SECRETS}. */
    static String variable(String path) {
        return PREFIX + path.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /** Every variable name that sets a key, sorted. */
    static Set<String> variables() {
        return Collections.unmodifiableSet(KEYS.keySet());
    }

    /**
     * Sets each variable's key in {@code root} (null or a missing node: an empty document), recording in {@code r}
     * which variable set which key and a problem for each variable that names no key or cannot be read.
     *
     * @return the document with the overrides applied ({@code root} itself when it is a mapping)
     */
    JsonNode apply(JsonNode root, ConfigReader r) {
        if (variables.isEmpty()) {
            return root;
        }
        ObjectNode document = null;
        if (root == null || root.isMissingNode() || root.isNull()) {
            document = NODES.objectNode();
        } else if (root.isObject()) {
            document = (ObjectNode) root;
        } // else: not a mapping, which validation reports; the variables are still checked below
        for (Map.Entry<String, String> v : variables.entrySet()) {
            String name = v.getKey();
            String path = KEYS.get(name);
            if (path == null) {
                r.problem(name + ": unknown variable (expected one of: " + String.join(", ", KEYS.keySet())
                        + "; or PARKWAY_JAVA_OPTS, read by the launcher)");
                continue;
            }
            r.origin(path, name);
            JsonNode value = value(path, v.getValue(), r);
            if (value != null && document != null) {
                set(document, path, value);
            }
        }
        return document != null ? document : root;
    }

    private static JsonNode value(String path, String text, ConfigReader r) {
        if (ConfigLoader.SEQUENCE_KEYS.contains(path)) {
            ArrayNode items = NODES.arrayNode();
            if (!text.isBlank()) {
                for (String item : text.split(",", -1)) {
                    items.add(item.strip());
                }
            }
            return items;
        }
        if (ConfigLoader.MAPPING_KEYS.contains(path)) {
            ObjectNode entries = NODES.objectNode();
            if (text.isBlank()) {
                return entries;
            }
            String[] items = text.split(",", -1);
            int before = r.problemCount();
            for (int i = 0; i < items.length; i++) {
                int colon = items[i].indexOf(':');
                String name = colon < 0 ? "" : items[i].substring(0, colon).strip();
                if (name.isEmpty()) {
                    r.problem(path, "item " + (i + 1) + " (not shown)",
                            "NAME:VALUE items separated by commas, such as alice:pw1,bob:pw2");
                } else if (entries.has(name)) {
                    r.problem(path, "item " + (i + 1) + " repeats the name " + name, "each name once");
                } else {
                    entries.put(name, items[i].substring(colon + 1).strip());
                }
            }
            return r.problemCount() == before ? entries : null;
        }
        return scalar(text.strip());
    }

    /** A plain YAML scalar's type, without YAML's other syntax: {@code #}, {@code :} or {@code [} stay text. */
    private static JsonNode scalar(String text) {
        if (WHOLE_NUMBER.matcher(text).matches()) {
            return NODES.numberNode(new BigInteger(text));
        }
        if (DECIMAL.matcher(text).matches()) {
            return NODES.numberNode(new BigDecimal(text));
        }
        switch (text) {
            case "true":
                return NODES.booleanNode(true);
            case "false":
                return NODES.booleanNode(false);
            case "null":
            case "~":
                return NODES.nullNode();
            default:
                return NODES.textNode(text);
        }
    }

    /** Sets {@code path} in {@code document}, creating sections that are missing or null. */
    private static void set(ObjectNode document, String path, JsonNode value) {
        String[] keys = path.split("\\.");
        ObjectNode section = document;
        for (int i = 0; i < keys.length - 1; i++) {
            JsonNode child = section.get(keys[i]);
            if (child == null || child.isNull()) {
                section = section.putObject(keys[i]);
            } else if (child.isObject()) {
                section = (ObjectNode) child;
            } else {
                return; // the file has something else here, which validation reports
            }
        }
        section.set(keys[keys.length - 1], value);
    }

    private static SortedMap<String, String> keys() {
        SortedMap<String, String> keys = new TreeMap<>();
        List<String> paths = new ArrayList<>();
        collect("", paths);
        for (String path : paths) {
            String previous = keys.put(variable(path), path);
            if (previous != null) {
                throw new IllegalStateException("keys " + previous + " and " + path + " have the same variable "
                        + variable(path) + " (expected: distinct names)");
            }
        }
        return keys;
    }

    private static void collect(String section, List<String> paths) {
        for (String key : ConfigLoader.SECTIONS.get(section)) {
            String path = ConfigReader.child(section, key);
            if (ConfigLoader.SECTIONS.containsKey(path)) {
                collect(path, paths);
            } else {
                paths.add(path);
            }
        }
    }
}
