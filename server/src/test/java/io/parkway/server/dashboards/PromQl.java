package io.parkway.server.dashboards;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Just enough of a PromQL lexer to find the series selectors of an expression: the metric names it reads and the
 * label matchers on each. Function and aggregation names (an identifier followed by {@code (}), keywords, the label
 * lists of {@code by}/{@code without}/{@code on}/{@code ignoring}/{@code group_left}/{@code group_right}, string
 * literals, range and subquery brackets, numbers and durations, and Grafana variables ({@code $job},
 * {@code ${__rate_interval}}) are skipped. Not a parser: it does not check that the expression is valid PromQL
 * ({@code promtool} does that in {@link AlertRulesTest}).
 */
final class PromQl {

    /**
     * One label matcher inside braces.
     *
     * @param label the label name
     * @param op one of {@code =}, {@code !=}, {@code =~}, {@code !~}
     * @param value the unquoted value
     */
    record Matcher(String label, String op, String value) {
    }

    /** A series selector: {@code metric{matchers}}. */
    record Selector(String metric, List<Matcher> matchers) {
    }

    private static final Set<String> GROUPING = Set.of("by", "without", "on", "ignoring", "group_left", "group_right");
    /** Binary operators, modifiers, literals, and aggregation operators (which may be followed by {@code by}). */
    private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "bool", "offset", "atan2", "inf", "nan",
            "by", "without", "on", "ignoring", "group_left", "group_right", "start", "end",
            "sum", "min", "max", "avg", "group", "stddev", "stdvar", "count", "count_values", "bottomk", "topk",
            "quantile", "limitk", "limit_ratio");

    private PromQl() {
    }

    /** The metric names {@code expr} reads, in order of first appearance. */
    static List<String> metricNames(String expr) {
        return selectors(expr).stream().map(Selector::metric).distinct().toList();
    }

    /** Every series selector of {@code expr} with a metric name, in order. */
    static List<Selector> selectors(String expr) {
        List<Selector> out = new ArrayList<>();
        int n = expr.length();
        int i = 0;
        while (i < n) {
            char c = expr.charAt(i);
            if (c == '"' || c == '\'' || c == '`') {
                i = skipString(expr, i);
            } else if (c == '#') {
                while (i < n && expr.charAt(i) != '\n') {
                    i++;
                }
            } else if (c == '$') {
                i = skipVariable(expr, i);
            } else if (c == '[') {
                i = skipTo(expr, i, ']');
            } else if (c == '{') { // a selector without a leading name: {__name__="x", ...}
                int end = skipTo(expr, i, '}');
                List<Matcher> matchers = matchers(expr.substring(i + 1, end - 1));
                matchers.stream()
                        .filter(m -> m.label().equals("__name__") && m.op().equals("="))
                        .findFirst()
                        .ifPresent(m -> out.add(new Selector(m.value(), matchers)));
                i = end;
            } else if (Character.isDigit(c) || (c == '.' && i + 1 < n && Character.isDigit(expr.charAt(i + 1)))) {
                i = skipNumber(expr, i);
            } else if (isIdentStart(c)) {
                int start = i;
                while (i < n && isIdentPart(expr.charAt(i))) {
                    i++;
                }
                String ident = expr.substring(start, i);
                int next = skipSpace(expr, i);
                char after = next < n ? expr.charAt(next) : '\0';
                String lower = ident.toLowerCase(Locale.ROOT);
                if (GROUPING.contains(lower)) {
                    if (after == '(') {
                        i = skipTo(expr, next, ')');
                    }
                } else if (after == '(' || KEYWORDS.contains(lower)) {
                    // a function or aggregation, or a keyword
                } else if (after == '{') {
                    int end = skipTo(expr, next, '}');
                    out.add(new Selector(ident, matchers(expr.substring(next + 1, end - 1))));
                    i = end;
                } else {
                    out.add(new Selector(ident, List.of()));
                }
            } else {
                i++;
            }
        }
        return out;
    }

    /** Parses {@code a="x", b=~"y"} (no braces). */
    static List<Matcher> matchers(String body) {
        List<Matcher> out = new ArrayList<>();
        int n = body.length();
        int i = 0;
        while (i < n) {
            i = skipSpace(body, i);
            if (i >= n) {
                break;
            }
            if (body.charAt(i) == ',') {
                i++;
                continue;
            }
            int start = i;
            while (i < n && isIdentPart(body.charAt(i))) {
                i++;
            }
            String label = body.substring(start, i);
            i = skipSpace(body, i);
            int opStart = i;
            while (i < n && "=!~".indexOf(body.charAt(i)) >= 0) {
                i++;
            }
            String op = body.substring(opStart, i);
            i = skipSpace(body, i);
            if (label.isEmpty() || op.isEmpty() || i >= n || "\"'`".indexOf(body.charAt(i)) < 0) {
                throw new IllegalArgumentException("label matchers: {" + body + "} (expected: name op \"value\", ...)");
            }
            int end = skipString(body, i);
            out.add(new Matcher(label, op, unquote(body.substring(i, end))));
            i = end;
        }
        return out;
    }

    /**
     * The metric names mentioned by a Grafana template variable query: {@code label_values(metric{...}, label)},
     * {@code query_result(expr)}, {@code metrics(regex)} (none) or plain PromQL.
     */
    static List<String> variableQueryMetrics(String query) {
        String q = query.strip();
        if (q.startsWith("label_values(")) {
            String args = q.substring("label_values(".length(), q.lastIndexOf(')'));
            int comma = lastTopLevelComma(args);
            return comma < 0 ? List.of() : metricNames(args.substring(0, comma));
        }
        if (q.startsWith("label_names(") || q.startsWith("metrics(")) {
            return List.of();
        }
        if (q.startsWith("query_result(")) {
            return metricNames(q.substring("query_result(".length(), q.lastIndexOf(')')));
        }
        return metricNames(q);
    }

    /**
     * Label names grouped by {@code sum by (a, b)}-style clauses, with the clause keyword: useful to check that
     * a dashboard does not group by a label the metric lacks. Keys are clause keywords, values the labels.
     */
    static Map<String, List<String>> groupingLabels(String expr) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        int n = expr.length();
        int i = 0;
        while (i < n) {
            char c = expr.charAt(i);
            if (c == '"' || c == '\'' || c == '`') {
                i = skipString(expr, i);
            } else if (c == '{') {
                i = skipTo(expr, i, '}');
            } else if (isIdentStart(c)) {
                int start = i;
                while (i < n && isIdentPart(expr.charAt(i))) {
                    i++;
                }
                String ident = expr.substring(start, i).toLowerCase(Locale.ROOT);
                int next = skipSpace(expr, i);
                if (GROUPING.contains(ident) && next < n && expr.charAt(next) == '(') {
                    int end = skipTo(expr, next, ')');
                    for (String l : expr.substring(next + 1, end - 1).split(",")) {
                        if (!l.isBlank()) {
                            out.computeIfAbsent(ident, k -> new ArrayList<>()).add(l.strip());
                        }
                    }
                    i = end;
                }
            } else {
                i++;
            }
        }
        return out;
    }

    private static int lastTopLevelComma(String s) {
        int depth = 0;
        int last = -1;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\'' || c == '`') {
                i = skipString(s, i) - 1;
            } else if (c == '(' || c == '{' || c == '[') {
                depth++;
            } else if (c == ')' || c == '}' || c == ']') {
                depth--;
            } else if (c == ',' && depth == 0) {
                last = i;
            }
        }
        return last;
    }

    private static boolean isIdentStart(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
    }

    private static boolean isIdentPart(char c) {
        return isIdentStart(c) || (c >= '0' && c <= '9');
    }

    private static int skipSpace(String s, int i) {
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
            i++;
        }
        return i;
    }

    /** From an opening quote to just past the closing one; backslash escapes except in backquoted strings. */
    private static int skipString(String s, int i) {
        char quote = s.charAt(i);
        i++;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c == '\\' && quote != '`') {
                i += 2;
            } else if (c == quote) {
                return i + 1;
            } else {
                i++;
            }
        }
        throw new IllegalArgumentException("unterminated string at " + s.substring(0, Math.min(s.length(), 40))
                + "... (expected: a closing " + quote + ")");
    }

    /** From an opening bracket to just past the matching {@code close}, skipping strings and nested brackets. */
    private static int skipTo(String s, int i, char close) {
        char open = s.charAt(i);
        int depth = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c == '"' || c == '\'' || c == '`') {
                i = skipString(s, i);
                continue;
            }
            if (c == open) {
                depth++;
            } else if (c == close && --depth == 0) {
                return i + 1;
            }
            i++;
        }
        throw new IllegalArgumentException("unbalanced " + open + " in " + s + " (expected: a matching " + close + ")");
    }

    /** {@code $name}, {@code ${name}} or {@code ${name:format}}. */
    private static int skipVariable(String s, int i) {
        if (i + 1 < s.length() && s.charAt(i + 1) == '{') {
            return skipTo(s, i + 1, '}');
        }
        i++;
        while (i < s.length() && isIdentPart(s.charAt(i))) {
            i++;
        }
        return i;
    }

    /** Numbers ({@code 0.8}, {@code 1e-3}, {@code 0x1f}) and durations ({@code 5m}, {@code 1h30m}). */
    private static int skipNumber(String s, int i) {
        int start = i;
        int n = s.length();
        while (i < n) {
            char c = s.charAt(i);
            if (Character.isLetterOrDigit(c) || c == '.' || c == '_') {
                i++;
            } else if ((c == '+' || c == '-') && s.substring(start, i).matches("[0-9.]+[eE]")) {
                i++;
            } else {
                break;
            }
        }
        return i;
    }

    private static String unquote(String quoted) {
        String body = quoted.substring(1, quoted.length() - 1);
        if (quoted.charAt(0) == '`') {
            return body;
        }
        StringBuilder b = new StringBuilder(body.length());
        for (int i = 0; i < body.length(); i++) {
            char c = body.charAt(i);
            if (c == '\\' && i + 1 < body.length()) {
                char e = body.charAt(++i);
                b.append(switch (e) {
                    case 'n' -> '\n';
                    case 't' -> '\t';
                    default -> e;
                });
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }
}
