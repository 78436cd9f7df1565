package io.parkway.server.dashboards;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.parkway.server.dashboards.PromQl.Matcher;
import io.parkway.server.dashboards.PromQl.Selector;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The PromQL lexer the dashboard and alert checks rely on: it must find metrics and nothing else. */
class PromQlTest {

    @Test
    void findsMetricsAndSkipsFunctionsKeywordsLabelsAndVariables() {
        String expr = "histogram_quantile(0.99, sum by (le, transport) ("
                + "rate(parkway_turn_allocation_lifetime_seconds_bucket{job=~\"$job\", instance=~\"${instance}\"}"
                + "[$__rate_interval]))) / on (job) group_left(version)"
                + " parkway_build_info offset 5m > bool 1e-3 unless up{job=\"x\"} == 0 or vector(1)";
        assertEquals(List.of("parkway_turn_allocation_lifetime_seconds_bucket", "parkway_build_info", "up"),
                PromQl.metricNames(expr));
    }

    @Test
    void readsMatchersWithEscapesAndRegexes() {
        List<Selector> s = PromQl.selectors(
                "sum(rate(x_total{code=~\"5..\", reason!=\"stale_nonce\", a=\"q\\\"uote\"}[5m]))");
        assertEquals(List.of(new Selector("x_total", List.of(new Matcher("code", "=~", "5.."),
                new Matcher("reason", "!=", "stale_nonce"), new Matcher("a", "=", "q\"uote")))), s);
    }

    @Test
    void stringsCommentsAndNumbersAreNotMetrics() {
        assertEquals(List.of("m"), PromQl.metricNames(
                "label_replace(m, \"dst\", \"$1 not_a_metric\", \"src\", \"(.*)\") # comment_word\n"
                        + " + 0x1f * 1.5e+3 + inf"));
        assertEquals(List.of("m_total"), PromQl.metricNames("rate(m_total[1h30m:5m])"));
        assertEquals(List.of("named"), PromQl.metricNames("{__name__=\"named\", job=\"j\"}"));
    }

    @Test
    void aggregationModifiersBeforeOrAfterTheArgument() {
        assertEquals(List.of("a", "b"), PromQl.metricNames("sum without (x) (a) + sum(b) by (y)"));
        assertEquals(Map.of("without", List.of("x"), "by", List.of("y", "z")),
                PromQl.groupingLabels("sum without (x) (a{by=\"q\"}) + sum(b) by (y, z)"));
    }

    @Test
    void grafanaVariableQueries() {
        assertEquals(List.of("parkway_build_info"),
                PromQl.variableQueryMetrics("label_values(parkway_build_info, job)"));
        assertEquals(List.of("parkway_build_info"),
                PromQl.variableQueryMetrics("label_values(parkway_build_info{job=~\"$job\"}, instance)"));
        assertEquals(List.of(), PromQl.variableQueryMetrics("label_values(job)"));
        assertEquals(List.of("up"), PromQl.variableQueryMetrics("query_result(up == 1)"));
    }
}
