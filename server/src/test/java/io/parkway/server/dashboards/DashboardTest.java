package io.parkway.server.dashboards;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.parkway.server.dashboards.MonitoringFiles.Query;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The structure of {@code conf/grafana/parkway-dashboard.json}: importable (a {@code DS_PROMETHEUS} input) and
 * provisionable (a datasource variable of the same name), filtered by {@code job} and {@code instance} everywhere,
 * panels laid out without overlap. That every metric it queries exists is {@link LiveScrapeTest}'s part.
 */
class DashboardTest {

    private static final String DATASOURCE = "${DS_PROMETHEUS}";

    private final JsonNode dashboard = MonitoringFiles.dashboard();

    @Test
    void identityAndSchema() {
        assertEquals("Parkway", dashboard.path("title").asText());
        assertEquals("parkway-turn", dashboard.path("uid").asText());
        int schema = dashboard.path("schemaVersion").asInt();
        assertTrue(schema >= 36 && schema <= 41, "schemaVersion: " + schema + " (expected: 36-41, Grafana 9-11)");
        assertTrue(dashboard.path("id").isNull(), "id must be null so that import and provisioning assign one");
    }

    @Test
    void datasourceIsAnInputAndAVariable() {
        JsonNode input = dashboard.path("__inputs").path(0);
        assertEquals("DS_PROMETHEUS", input.path("name").asText());
        assertEquals("datasource", input.path("type").asText());
        assertEquals("prometheus", input.path("pluginId").asText());

        Map<String, JsonNode> vars = variables();
        assertEquals("datasource", vars.get("DS_PROMETHEUS").path("type").asText());
        assertEquals("prometheus", vars.get("DS_PROMETHEUS").path("query").asText());
        for (String name : List.of("job", "instance")) {
            JsonNode v = vars.get(name);
            assertEquals("query", v.path("type").asText(), name);
            assertEquals(DATASOURCE, v.path("datasource").path("uid").asText(), name);
        }
        assertTrue(vars.get("instance").path("includeAll").asBoolean());
        assertTrue(vars.get("instance").path("multi").asBoolean());
    }

    @Test
    void everyPanelAndTargetUsesTheDatasourceVariable() {
        List<JsonNode> panels = MonitoringFiles.panels(dashboard);
        assertTrue(panels.size() >= 25, "panels: " + panels.size());
        for (JsonNode p : panels) {
            String title = p.path("title").asText();
            assertFalse(title.isBlank(), "a panel without a title: " + p);
            assertFalse(p.path("description").asText().isBlank(), "panel \"" + title + "\" has no description");
            assertEquals(DATASOURCE, p.path("datasource").path("uid").asText(), title);
            assertFalse(p.path("targets").isEmpty(), "panel \"" + title + "\" has no query");
            for (JsonNode t : p.path("targets")) {
                assertEquals(DATASOURCE, t.path("datasource").path("uid").asText(), title);
                assertFalse(t.path("expr").asText().isBlank(), title);
            }
        }
    }

    /** Every series selector is filtered by {@code job=~"$job"} and {@code instance=~"$instance"}. */
    @Test
    void everySelectorIsFilteredByJobAndInstance() {
        for (Query q : MonitoringFiles.dashboardExprs(dashboard)) {
            List<PromQl.Selector> selectors = PromQl.selectors(q.expr());
            assertFalse(selectors.isEmpty(), q.toString());
            for (PromQl.Selector s : selectors) {
                assertTrue(s.matchers().contains(new PromQl.Matcher("job", "=~", "$job"))
                        && s.matchers().contains(new PromQl.Matcher("instance", "=~", "$instance")),
                        q + ": " + s.metric() + " is not filtered by $job and $instance");
            }
            assertTrue(!q.expr().contains("[") || q.expr().contains("[$__rate_interval]"),
                    q + ": range vectors should use $__rate_interval");
        }
    }

    @Test
    void rowsCoverTheOperatorsQuestions() {
        List<String> rows = new ArrayList<>();
        dashboard.path("panels").forEach(p -> {
            if ("row".equals(p.path("type").asText())) {
                rows.add(p.path("title").asText());
            }
        });
        assertEquals(List.of("Overview", "TURN allocations", "Relayed traffic", "Requests and errors", "Authentication",
                "Drops and peer policy", "Signaling", "JVM and process"), rows);
        Set<String> used = new HashSet<>();
        MonitoringFiles.dashboardExprs(dashboard).forEach(q -> used.addAll(PromQl.metricNames(q.expr())));
        for (String m : List.of("parkway_turn_allocations_active", "parkway_turn_allocations_max",
                "parkway_turn_allocation_lifetime_seconds_bucket", "parkway_turn_relayed_packets_total",
                "parkway_turn_relayed_bytes_total", "parkway_stun_requests_total", "parkway_turn_error_responses_total",
                "parkway_turn_auth_failures_total", "parkway_turn_peer_denied_total",
                "parkway_turn_malformed_dropped_total", "parkway_turn_unroutable_dropped_total",
                "parkway_turn_permissions_active", "parkway_turn_channels_active", "parkway_ready",
                "parkway_signaling_connections", "parkway_signaling_rooms", "parkway_signaling_listeners",
                "parkway_signaling_speakers_live", "parkway_signaling_messages_total", "parkway_signaling_errors_total",
                "parkway_signaling_credentials_issued_total",
                "jvm_memory_used_bytes", "jvm_gc_pause_seconds_sum", "jvm_threads_live_threads", "process_cpu_usage")) {
            assertTrue(used.contains(m), "the dashboard does not query " + m);
        }
    }

    /** Panels sit inside the 24-column grid, have unique ids, and no two overlap. */
    @Test
    void layoutHasNoOverlapsAndUniqueIds() {
        Set<Integer> ids = new HashSet<>();
        Map<String, String> cells = new HashMap<>();
        List<JsonNode> all = new ArrayList<>();
        dashboard.path("panels").forEach(all::add);
        for (JsonNode p : all) {
            String title = p.path("title").asText();
            assertTrue(ids.add(p.path("id").asInt()), "duplicate panel id " + p.path("id") + " (" + title + ")");
            JsonNode g = p.path("gridPos");
            int x = g.path("x").asInt();
            int y = g.path("y").asInt();
            int w = g.path("w").asInt();
            int h = g.path("h").asInt();
            assertTrue(w > 0 && h > 0 && x >= 0 && x + w <= 24, title + " gridPos " + g);
            for (int i = x; i < x + w; i++) {
                for (int j = y; j < y + h; j++) {
                    String other = cells.put(i + "," + j, title);
                    assertEquals(null, other, "\"" + title + "\" overlaps \"" + other + "\" at " + i + "," + j);
                }
            }
        }
    }

    private Map<String, JsonNode> variables() {
        Map<String, JsonNode> vars = new HashMap<>();
        dashboard.path("templating").path("list").forEach(v -> vars.put(v.path("name").asText(), v));
        return vars;
    }
}
