package io.parkway.server;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * What a reload changed, key by key, for the log: {@code "turn.allocations-per-user 16 -> 32"}. Passwords, secrets,
 * tokens and keys are described ({@code "turn.rest-secrets: 1 added, 1 removed"}) but never shown.
 *
 * <p>A configuration is flattened through its record components, whose names are the keys in camel case, recursing
 * into the sections of {@link ConfigLoader#SECTIONS}; so a new section is covered without code here.
 */
final class ConfigChanges {

    /**
     * Keys a running server applies on SIGHUP ({@code TurnServer#reload} for the TURN ones, {@link Logging} for the
     * level; drain-timeout is read when a drain starts). A change to any other key waits for the next start.
     */
    static final Set<String> RELOADABLE = Set.of("turn.users", "turn.rest-secrets", "turn.rest-secret-grace",
            "turn.peers.allow", "turn.peers.deny", "turn.allocation-lifetime", "turn.max-allocation-lifetime",
            "turn.allocations-per-user", "turn.allocations-per-rest-credential", "turn.max-allocations", "log.level", "drain-timeout");

    /** Words that mark a key whose value is never shown. */
    private static final List<String> SECRET_WORDS = List.of("secret", "password", "token", "credential", "key");

    private ConfigChanges() {
    }

    /** Each key accepted by {@code which} whose value differs between {@code before} and {@code after}, described. */
    static List<String> changes(ParkwayConfig before, ParkwayConfig after, Predicate<String> which) {
        Map<String, Object> a = flatten(before);
        Map<String, Object> b = flatten(after);
        Set<String> paths = new LinkedHashSet<>(b.keySet());
        paths.addAll(a.keySet());
        List<String> changes = new ArrayList<>();
        for (String path : paths) {
            Object x = a.get(path);
            Object y = b.get(path);
            if (which.test(path) && !Objects.equals(x, y)) {
                changes.add(describe(path, x, y));
            }
        }
        return changes;
    }

    /** Key path to value, in declaration order, for every value key of {@code config}. */
    static Map<String, Object> flatten(ParkwayConfig config) {
        Map<String, Object> values = new LinkedHashMap<>();
        flatten("", config, values);
        return values;
    }

    private static void flatten(String section, Record record, Map<String, Object> out) {
        for (RecordComponent c : record.getClass().getRecordComponents()) {
            String path = ConfigReader.child(section, key(c.getName()));
            Object value;
            try {
                value = c.getAccessor().invoke(record);
            } catch (IllegalAccessException | InvocationTargetException e) {
                throw new IllegalStateException("reading " + path + " of " + record.getClass().getName(), e);
            }
            if (value instanceof Record r && ConfigLoader.SECTIONS.containsKey(path)) {
                flatten(path, r, out);
            } else {
                out.put(path, value);
            }
        }
    }

    /** {@code maxAllocationLifetime} → {@code max-allocation-lifetime}. */
    static String key(String component) {
        StringBuilder b = new StringBuilder();
        for (char ch : component.toCharArray()) {
            if (Character.isUpperCase(ch)) {
                b.append('-').append(Character.toLowerCase(ch));
            } else {
                b.append(ch);
            }
        }
        return b.toString();
    }

    /** Whether the value at {@code path} may hold secrets: text or collections under a key that suggests so. */
    private static boolean secret(String path, Object value) {
        String key = path.substring(path.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT);
        boolean mayHoldText = value == null || value instanceof CharSequence || value instanceof Collection<?>
                || value instanceof Map<?, ?> || value instanceof byte[] || value instanceof char[];
        return mayHoldText
                && (ConfigLoader.MAPPING_KEYS.contains(path) || SECRET_WORDS.stream().anyMatch(key::contains));
    }

    private static String describe(String path, Object before, Object after) {
        if (!secret(path, before) && !secret(path, after)) {
            return path + " " + show(before) + " -> " + show(after);
        }
        if (before instanceof Map<?, ?> x && after instanceof Map<?, ?> y) {
            Set<Object> added = new TreeSet<>(y.keySet());
            added.removeAll(x.keySet());
            Set<Object> removed = new TreeSet<>(x.keySet());
            removed.removeAll(y.keySet());
            Set<Object> changed = new TreeSet<>();
            x.keySet().stream().filter(y::containsKey).filter(k -> !Objects.equals(x.get(k), y.get(k)))
                    .forEach(changed::add);
            List<String> parts = new ArrayList<>();
            if (!added.isEmpty()) {
                parts.add("added " + join(added));
            }
            if (!removed.isEmpty()) {
                parts.add("removed " + join(removed));
            }
            if (!changed.isEmpty()) {
                parts.add("changed the value of " + join(changed));
            }
            return path + " (" + String.join(", ", parts) + "; values not shown)";
        }
        if (before instanceof Collection<?> x && after instanceof Collection<?> y) {
            long added = y.stream().filter(s -> !x.contains(s)).count();
            long removed = x.stream().filter(s -> !y.contains(s)).count();
            return path + " (" + added + " added, " + removed + " removed" + (added == 0 && removed == 0
                    ? ", order changed" : "") + "; values not shown)";
        }
        return path + " (changed; value not shown)";
    }

    private static String join(Collection<?> items) {
        return items.stream().map(String::valueOf).collect(Collectors.joining(" "));
    }

    private static String show(Object value) {
        if (value == null) {
            return "null";
        }
        if (value instanceof Duration d) {
            return d.toSeconds() + "s";
        }
        if (value instanceof InetAddress ip) {
            return ip.getHostAddress();
        }
        if (value instanceof Collection<?> items) {
            return items.stream().map(ConfigChanges::show).collect(Collectors.joining(", ", "[", "]"));
        }
        return String.valueOf(value);
    }
}
