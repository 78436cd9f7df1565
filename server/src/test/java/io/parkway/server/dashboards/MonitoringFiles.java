package io.parkway.server.dashboards;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The shipped Grafana dashboard and Prometheus alert rules, and the queries inside them. */
final class MonitoringFiles {

    /** The repository root: the first parent of the working directory (server/ under Maven) holding conf/. */
    static final Path ROOT = findRoot();
    static final Path DASHBOARD = ROOT.resolve("conf/grafana/parkway-dashboard.json");
    static final Path ALERTS = ROOT.resolve("conf/prometheus/parkway-alerts.yml");
    static final Path ALERTS_TEST = ROOT.resolve("conf/prometheus/parkway-alerts.test.yml");

    /**
     * One PromQL query and where it came from.
     *
     * @param where a panel title and refId, a template variable or an alert name, for failure messages
     * @param expr the query as written
     */
    record Query(String where, String expr) {
        @Override
        public String toString() {
            return where + ": " + expr;
        }
    }

    private MonitoringFiles() {
    }

    private static Path findRoot() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("conf/prometheus")) && Files.isDirectory(p.resolve("conf/grafana"))) {
                return p;
            }
        }
        throw new IllegalStateException("conf/grafana and conf/prometheus not found above "
                + Path.of("").toAbsolutePath() + " (expected: tests run inside the Parkway checkout)");
    }

    static JsonNode dashboard() {
        try {
            return new ObjectMapper().readTree(DASHBOARD.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonNode alerts() {
        try {
            return new ObjectMapper(new YAMLFactory()).readTree(ALERTS.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every panel of the dashboard, rows' nested panels included, rows excluded. */
    static List<JsonNode> panels(JsonNode dashboard) {
        List<JsonNode> out = new ArrayList<>();
        collectPanels(dashboard.path("panels"), out);
        return out;
    }

    private static void collectPanels(JsonNode panels, List<JsonNode> out) {
        for (JsonNode p : panels) {
            if (!"row".equals(p.path("type").asText())) {
                out.add(p);
            }
            collectPanels(p.path("panels"), out);
        }
    }

    /** Every panel target's {@code expr}. */
    static List<Query> dashboardExprs(JsonNode dashboard) {
        List<Query> out = new ArrayList<>();
        for (JsonNode panel : panels(dashboard)) {
            for (JsonNode target : panel.path("targets")) {
                if (target.hasNonNull("expr")) {
                    out.add(new Query("panel \"" + panel.path("title").asText() + "\" " + target.path("refId").asText(),
                            target.get("expr").asText()));
                }
            }
        }
        return out;
    }

    /** Every query-type template variable's query (a string or an object with a {@code query} field). */
    static List<Query> variableQueries(JsonNode dashboard) {
        List<Query> out = new ArrayList<>();
        for (JsonNode v : dashboard.path("templating").path("list")) {
            if ("query".equals(v.path("type").asText())) {
                JsonNode q = v.path("query");
                String text = q.isTextual() ? q.asText() : q.path("query").asText();
                out.add(new Query("variable $" + v.path("name").asText(), text));
            }
        }
        return out;
    }

    /** Every rule of the alert file: alerts named by {@code alert}, recording rules by {@code record}. */
    static List<JsonNode> rules(JsonNode alerts) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode group : alerts.path("groups")) {
            group.path("rules").forEach(out::add);
        }
        return out;
    }

    static List<Query> ruleExprs(JsonNode alerts) {
        List<Query> out = new ArrayList<>();
        for (JsonNode rule : rules(alerts)) {
            String name = rule.has("alert") ? "alert " + rule.get("alert").asText()
                    : "record " + rule.path("record").asText();
            out.add(new Query(name, rule.path("expr").asText()));
        }
        return out;
    }
}
