package io.parkway.server.dashboards;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.parkway.server.dashboards.MonitoringFiles.Query;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code conf/prometheus/parkway-alerts.yml}: valid for {@code promtool check rules}, its unit tests
 * ({@code parkway-alerts.test.yml}) pass under {@code promtool test rules}, and every alert is labelled and
 * annotated for the person it wakes. Also checks that every dashboard query is valid PromQL, by handing promtool
 * the queries as recording rules with Grafana's variables filled in.
 */
class AlertRulesTest {

    private static final Set<String> SEVERITIES = Set.of("critical", "warning", "info");

    @Test
    void promtoolCheckRulesAcceptsTheAlertFile() throws Exception {
        Promtool.Result r = Promtool.run(MonitoringFiles.ROOT, "check", "rules", MonitoringFiles.ALERTS.toString());
        assertEquals(0, r.exitCode(), r.output());
        assertTrue(r.output().contains("SUCCESS"), r.output());
    }

    @Test
    void promtoolUnitTestsOfTheAlertsPass() throws Exception {
        Promtool.Result r = Promtool.run(MonitoringFiles.ALERTS_TEST.getParent(), "test", "rules",
                MonitoringFiles.ALERTS_TEST.getFileName().toString());
        assertEquals(0, r.exitCode(), r.output());
        assertTrue(r.output().contains("SUCCESS"), r.output());
    }

    /** The unit tests prove, at least, that the key alerts fire, and every alert fires in some test. */
    @Test
    void unitTestsMakeTheKeyAlertsFire() throws Exception {
        JsonNode tests = new ObjectMapper(new YAMLFactory()).readTree(MonitoringFiles.ALERTS_TEST.toFile());
        assertEquals("parkway-alerts.yml", tests.path("rule_files").path(0).asText());
        Set<String> fired = new HashSet<>();
        for (JsonNode test : tests.path("tests")) {
            for (JsonNode t : test.path("alert_rule_test")) {
                if (!t.path("exp_alerts").isEmpty()) {
                    fired.add(t.path("alertname").asText());
                }
            }
        }
        assertTrue(fired.containsAll(Set.of("ParkwayDown", "ParkwayAllocationsNearMax",
                "ParkwayRelayPortsNearExhaustion", "ParkwayAuthFailureSpike", "ParkwaySignalingErrorSpike")),
                "alerts proven to fire: " + fired);
        // Every alert of the rule file is exercised by a unit test.
        Set<String> names = new HashSet<>();
        MonitoringFiles.rules(MonitoringFiles.alerts()).forEach(r -> names.add(r.path("alert").asText()));
        names.removeAll(fired);
        assertEquals(Set.of(), names, "alerts no unit test makes fire");
    }

    @Test
    void everyAlertHasSeverityAnnotationsAndADuration() {
        List<JsonNode> rules = MonitoringFiles.rules(MonitoringFiles.alerts());
        assertFalse(rules.isEmpty());
        Set<String> names = new HashSet<>();
        for (JsonNode rule : rules) {
            String name = rule.path("alert").asText();
            assertTrue(name.matches("Parkway[A-Z][A-Za-z]+"),
                    "alert name: \"" + name + "\" (expected: ParkwayCamelCase)");
            assertTrue(names.add(name), "duplicate alert " + name);
            String severity = rule.path("labels").path("severity").asText();
            assertTrue(SEVERITIES.contains(severity),
                    name + " severity: \"" + severity + "\" (expected: one of " + SEVERITIES + ")");
            for (String a : List.of("summary", "description", "runbook")) {
                assertFalse(rule.path("annotations").path(a).asText().isBlank(),
                        name + ": annotation " + a + " is missing");
            }
            assertTrue(rule.path("for").asText().matches("[0-9]+[smh]"), name + " for: \"" + rule.path("for").asText()
                    + "\" (expected: a duration, so one bad scrape does not page anyone)");
        }
        assertTrue(names.containsAll(Set.of("ParkwayDown", "ParkwayNotReady", "ParkwayAuthFailureSpike",
                "ParkwayAllocationsNearMax", "ParkwayRelayPortsNearExhaustion", "ParkwayServerErrors",
                "ParkwayMalformedPacketFlood", "ParkwayHighGcPause", "ParkwayFileDescriptorsNearLimit",
                "ParkwaySignalingErrorSpike", "ParkwaySignalingCapacityRefusals")),
                names.toString());
    }

    /** ParkwayDown is exactly the scrape health of job "parkway", for one minute. */
    @Test
    void parkwayDownWatchesTheScrapeJob() {
        JsonNode down = MonitoringFiles.rules(MonitoringFiles.alerts()).stream()
                .filter(r -> r.path("alert").asText().equals("ParkwayDown")).findFirst().orElseThrow();
        assertEquals("up{job=\"parkway\"} == 0", down.path("expr").asText().strip());
        assertEquals("1m", down.path("for").asText());
        assertEquals("critical", down.path("labels").path("severity").asText());
    }

    /**
     * Every selector of every alert is limited to {@code job="parkway"}: JVM and process metrics have the same
     * names in every Java service Prometheus scrapes, and an alert about them must not fire for another job.
     */
    @Test
    void everyAlertSelectorIsLimitedToTheParkwayJob() {
        for (Query q : MonitoringFiles.ruleExprs(MonitoringFiles.alerts())) {
            List<PromQl.Selector> selectors = PromQl.selectors(q.expr());
            assertFalse(selectors.isEmpty(), q.toString());
            for (PromQl.Selector s : selectors) {
                assertTrue(s.matchers().contains(new PromQl.Matcher("job", "=", "parkway")),
                        q + ": selector " + s.metric() + " lacks job=\"parkway\"");
            }
        }
    }

    /** promtool parses every dashboard query (variables filled in) as the expression of a recording rule. */
    @Test
    void everyDashboardQueryIsValidPromQl(@TempDir Path dir) throws Exception {
        Promtool.assumeInstalled();
        JsonNode dashboard = MonitoringFiles.dashboard();
        List<Query> queries = new ArrayList<>(MonitoringFiles.dashboardExprs(dashboard));
        for (Query v : MonitoringFiles.variableQueries(dashboard)) {
            // label_values(selector, label) is Grafana's; promtool can parse its selector.
            String q = v.expr().strip();
            if (q.startsWith("label_values(")) {
                String args = q.substring("label_values(".length(), q.lastIndexOf(')'));
                q = args.substring(0, args.lastIndexOf(','));
            }
            queries.add(new Query(v.where(), q));
        }
        Map<String, Object> group = new LinkedHashMap<>();
        List<Map<String, String>> rules = new ArrayList<>();
        for (int i = 0; i < queries.size(); i++) {
            rules.add(Map.of("record", "parkway_dashboard:query" + i, "expr", fillVariables(queries.get(i).expr())));
        }
        group.put("name", "dashboard");
        group.put("rules", rules);
        Path file = dir.resolve("dashboard-queries.yml");
        new ObjectMapper(new YAMLFactory()).writeValue(file.toFile(), Map.of("groups", List.of(group)));
        Promtool.Result r = Promtool.run(dir, "check", "rules", file.getFileName().toString());
        StringBuilder numbered = new StringBuilder();
        for (int i = 0; i < queries.size(); i++) {
            numbered.append("\n  query").append(i).append(" = ").append(queries.get(i));
        }
        assertEquals(0, r.exitCode(), r.output() + numbered);
        assertTrue(r.output().contains("SUCCESS: " + queries.size() + " rules found"), r.output() + numbered);
        assertTrue(Files.size(file) > 0);
    }

    /** Grafana's variables as Grafana would expand them for one job and all instances. */
    static String fillVariables(String expr) {
        return expr.replace("${__rate_interval}", "5m").replace("$__rate_interval", "5m")
                .replace("$__interval", "1m").replace("$__range", "1h")
                .replace("${job}", "parkway").replace("$job", "parkway")
                .replace("${instance}", ".+").replace("$instance", ".+");
    }
}
