package io.parkway.server.dashboards;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.parkway.server.dashboards.MonitoringFiles.Query;
import io.parkway.server.metrics.HttpAddress;
import io.parkway.server.metrics.MetricsServer;
import io.parkway.server.metrics.ParkwayMetrics;
import io.parkway.server.metrics.SignalingClient;
import io.parkway.server.metrics.TurnLimits;
import io.parkway.signaling.SignalingServer;
import io.parkway.turn.ListenAddress;
import io.parkway.turn.TurnServer;
import io.parkway.turn.TurnTransport;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Every metric the Grafana dashboard and the alert rules query exists in a live scrape of a running Parkway: a TURN
 * server and a signaling server on ephemeral loopback ports with their metrics bound, and the {@code /metrics}
 * endpoint, after a little traffic (a STUN Binding, an unauthenticated Allocate answered with a 401, a malformed
 * datagram, coturn's {@code turnutils_uclient} relaying over UDP and TCP when it is installed, and a signaling
 * session over the JDK's WebSocket: join, ping, a message of unknown type, leave) so that the labelled series
 * exist.
 *
 * <p>Beyond names: each label matcher names a label the metric has, and an {@code =}/{@code !=} matcher names a
 * value the scrape shows (so {@code reason!="stale_nonce"} cannot silently drift); each {@code by (...)} label
 * exists on one of the query's metrics. {@code up} is Prometheus's own and is skipped.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LiveScrapeTest {

    /** Labels Prometheus attaches at scrape time, not exposed by Parkway. */
    private static final Set<String> TARGET_LABELS = Set.of("job", "instance");
    /**
     * Labels whose values appear only once they occur (an error code's series is registered when the code is
     * first sent): their matchers are checked for the label, not the value.
     */
    private static final Set<String> OPEN_VALUED_LABELS = Set.of("code");
    /** Series Prometheus records itself for each target. */
    private static final Set<String> PROMETHEUS_SERIES = Set.of("up", "scrape_duration_seconds",
            "scrape_samples_scraped", "scrape_samples_post_metric_relabeling", "scrape_series_added");
    private static final Path UCLIENT = Path.of("/usr/bin/turnutils_uclient");

    private ParkwayMetrics metrics;
    private TurnServer turn;
    private SignalingServer signaling;
    private MetricsServer http;
    private boolean relayed;
    /** Metric name to label name to the values seen. */
    private Map<String, Map<String, Set<String>>> scraped;
    private String scrapeText;
    /** A scrape while the signaling listener was joined, and one after it left. */
    private String joinedScrape;
    private String leftScrape;

    @BeforeAll
    void startParkwayAndMakeTraffic() throws Exception {
        metrics = ParkwayMetrics.create("0.0.0-test");
        turn = TurnServer.builder()
                .listen(ListenAddress.parse("udp://127.0.0.1:0"))
                .listen(ListenAddress.parse("tcp://127.0.0.1:0"))
                .user("alice", "wonderland")
                .eventLoopThreads(1)
                .listener(metrics.turnListener())
                .build();
        metrics.bindTurn(turn, new TurnLimits(1000, 16, 16384));
        turn.start();
        signaling = SignalingServer.builder()
                .listen(new InetSocketAddress("127.0.0.1", 0))
                .turnSecret("live-scrape-secret")
                .iceServer("turn:127.0.0.1:3478?transport=udp")
                .build();
        metrics.bindSignaling(signaling);
        signaling.start();
        http = MetricsServer.start(HttpAddress.parse("http://127.0.0.1:0"), metrics);

        int udpPort = port(TurnTransport.UDP);
        int tcpPort = port(TurnTransport.TCP);
        stunBinding(udpPort);
        unauthenticatedAllocate(udpPort);
        sendGarbage(udpPort);
        signalingSession();
        if (Files.isExecutable(UCLIENT)) {
            uclient(udpPort, false);
            uclient(tcpPort, true);
            relayed = true;
        } else {
            System.err.println("LiveScrapeTest: " + UCLIENT + " is missing (Debian package coturn; .ci/run installs"
                    + " it): no relayed traffic, the check relies on series registered up front");
        }
        System.gc(); // jvm_gc_pause_seconds appears at the first GC after the binder was registered

        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> {
            scrapeText = scrape();
            scraped = parse(scrapeText);
            if (!scraped.containsKey("jvm_gc_pause_seconds_count")) {
                System.gc();
            }
            return scraped.containsKey("jvm_gc_pause_seconds_count")
                    && scraped.containsKey("parkway_turn_error_responses_total")
                    && (!relayed
                        || value(scrapeText, "parkway_turn_allocation_lifetime_seconds_count{transport=\"tcp\"}") > 0);
        });
    }

    @AfterAll
    void stop() {
        if (http != null) {
            http.close();
        }
        if (signaling != null) {
            signaling.close();
        }
        if (turn != null) {
            turn.close();
        }
        if (metrics != null) {
            metrics.close();
        }
    }

    @Test
    void everyDashboardQueryReadsLiveMetrics() {
        JsonNode dashboard = MonitoringFiles.dashboard();
        List<Query> queries = new ArrayList<>(MonitoringFiles.dashboardExprs(dashboard));
        List<String> problems = new ArrayList<>();
        for (Query q : queries) {
            check(q, PromQl.selectors(q.expr()), problems);
        }
        for (Query q : MonitoringFiles.variableQueries(dashboard)) {
            List<String> names = PromQl.variableQueryMetrics(q.expr());
            assertTrue(!names.isEmpty(), q.toString());
            check(q, names.stream().map(n -> new PromQl.Selector(n, List.of())).toList(), problems);
        }
        assertEquals(List.of(), problems, "dashboard queries that do not match the live scrape");
    }

    @Test
    void everyAlertRuleReadsLiveMetrics() {
        List<String> problems = new ArrayList<>();
        for (Query q : MonitoringFiles.ruleExprs(MonitoringFiles.alerts())) {
            check(q, PromQl.selectors(q.expr()), problems);
        }
        assertEquals(List.of(), problems, "alert rules that do not match the live scrape");
    }

    /** Every TURN/STUN and signaling metric Parkway exposes is on the dashboard: a new counter needs a panel. */
    @Test
    void everyTurnMetricIsOnTheDashboard() {
        Set<String> used = new LinkedHashSet<>();
        for (Query q : MonitoringFiles.dashboardExprs(MonitoringFiles.dashboard())) {
            used.addAll(PromQl.metricNames(q.expr()));
        }
        Set<String> missing = new TreeSet<>();
        for (String name : scraped.keySet()) {
            if ((name.startsWith("parkway_turn_") || name.startsWith("parkway_stun_")
                    || name.startsWith("parkway_signaling_"))
                    && used.stream().noneMatch(u -> family(u).equals(family(name)))) {
                missing.add(name);
            }
        }
        assertEquals(Set.of(), missing, "metrics without a panel");
    }

    /** The traffic was seen live: relayed packets in both directions on both client transports. */
    @Test
    void relayedCountersMovedDuringTheRun() {
        org.junit.jupiter.api.Assumptions.assumeTrue(relayed, "SKIPPED: no turnutils_uclient, nothing was relayed");
        for (String transport : List.of("udp", "tcp")) {
            for (String direction : List.of("client_to_peer", "peer_to_client")) {
                String series = "parkway_turn_relayed_packets_total{direction=\"" + direction + "\",transport=\""
                        + transport + "\"}";
                assertTrue(value(scrapeText, series) > 0, series + " in\n" + scrapeText);
            }
        }
    }

    /** The signaling gauges followed the session live, and its messages, errors and credentials were counted. */
    @Test
    void signalingMetricsMovedDuringTheSession() {
        assertEquals(1.0, value(joinedScrape, "parkway_signaling_connections"), joinedScrape);
        assertEquals(1.0, value(joinedScrape, "parkway_signaling_rooms"), joinedScrape);
        assertEquals(1.0, value(joinedScrape, "parkway_signaling_listeners"), joinedScrape);
        assertEquals(0.0, value(leftScrape, "parkway_signaling_listeners"), leftScrape);
        assertEquals(0.0, value(leftScrape, "parkway_signaling_rooms"), leftScrape);
        assertEquals(0.0, value(scrapeText, "parkway_signaling_connections"), scrapeText);
        for (String series : List.of("parkway_signaling_messages_total{type=\"join\"}",
                "parkway_signaling_messages_total{type=\"leave\"}", "parkway_signaling_messages_total{type=\"ping\"}",
                "parkway_signaling_messages_total{type=\"other\"}",
                "parkway_signaling_errors_total{code=\"bad-message\"}", "parkway_signaling_credentials_issued_total")) {
            assertEquals(1.0, value(scrapeText, series), series + " in\n" + scrapeText);
        }
    }

    /**
     * One listener session over the JDK's WebSocket client, scraped while joined and after leaving: join, ping, a
     * message of unknown type (a {@code bad-message} error, counted as type {@code other}), leave, close.
     */
    private void signalingSession() throws Exception {
        try (SignalingClient listener = SignalingClient.connect(signaling)) {
            listener.join("live-scrape", "listener");
            joinedScrape = scrape();
            listener.send("{\"type\":\"ping\"}");
            listener.next("pong");
            listener.send("{\"type\":\"no-such-type\"}");
            listener.next("error");
            listener.send("{\"type\":\"leave\"}");
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                    .until(() -> value(leftScrape = scrape(), "parkway_signaling_listeners") == 0);
        }
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                .until(() -> signaling.stats().connections() == 0);
    }

    private void check(Query q, List<PromQl.Selector> selectors, List<String> problems) {
        Map<String, Set<String>> labelsOfQuery = new HashMap<>();
        for (PromQl.Selector s : selectors) {
            if (PROMETHEUS_SERIES.contains(s.metric())) {
                continue;
            }
            Map<String, Set<String>> labels = scraped.get(s.metric());
            if (labels == null && scraped.containsKey(s.metric() + "_bucket")) {
                labels = scraped.get(s.metric() + "_bucket"); // a histogram by its base name
            }
            if (labels == null) {
                problems.add(q + ": no metric " + s.metric() + " in the scrape");
                continue;
            }
            labelsOfQuery.putAll(labels);
            for (PromQl.Matcher m : s.matchers()) {
                if (TARGET_LABELS.contains(m.label())) {
                    continue;
                }
                Set<String> values = labels.get(m.label());
                if (values == null) {
                    problems.add(q + ": " + s.metric() + " has no label " + m.label()
                            + " (it has " + labels.keySet() + ")");
                } else if ((m.op().equals("=") || m.op().equals("!=")) && !m.value().contains("$")
                        && !OPEN_VALUED_LABELS.contains(m.label()) && !values.contains(m.value())) {
                    problems.add(q + ": " + s.metric() + "{" + m.label() + "} never is \"" + m.value() + "\" (seen: "
                            + values + ")");
                }
            }
        }
        PromQl.groupingLabels(q.expr()).forEach((clause, names) -> {
            for (String label : names) {
                if (!TARGET_LABELS.contains(label) && !labelsOfQuery.containsKey(label)) {
                    problems.add(q + ": " + clause + " (" + label + "): none of its metrics has that label");
                }
            }
        });
    }

    /** {@code x_bucket}, {@code x_sum}, {@code x_count} and {@code x_max} of a histogram or summary are one family. */
    private String family(String name) {
        for (String suffix : List.of("_bucket", "_sum", "_count", "_max")) {
            String base = name.substring(0, Math.max(0, name.length() - suffix.length()));
            if (name.endsWith(suffix) && scraped.containsKey(base + "_count")) {
                return base;
            }
        }
        return name;
    }

    /** The value of the series written exactly {@code series} (name and labels as Micrometer orders them), or -1. */
    private static double value(String text, String series) {
        return text.lines().filter(l -> l.startsWith(series + " ")).findFirst()
                .map(l -> Double.parseDouble(l.substring(series.length() + 1).strip().split(" ")[0])).orElse(-1.0);
    }

    private int port(TurnTransport transport) {
        return turn.boundAddresses().stream().filter(a -> a.transport() == transport).findFirst().orElseThrow()
                .address().getPort();
    }

    private String scrape() throws Exception {
        // HTTP/1.1 without an h2c upgrade, as Prometheus scrapes.
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(http.address().uri("/metrics"))
                .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString(UTF_8));
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(r.headers().firstValue("content-type").orElse("").startsWith("text/plain"), r.headers().toString());
        return r.body();
    }

    /** Prometheus text format 0.0.4: {@code name{label="value",...} value [timestamp]}; comments skipped. */
    static Map<String, Map<String, Set<String>>> parse(String text) {
        Map<String, Map<String, Set<String>>> out = new HashMap<>();
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int brace = line.indexOf('{');
            int space = line.indexOf(' ');
            int end = brace >= 0 && brace < space ? brace : space;
            String name = line.substring(0, end);
            Map<String, Set<String>> labels = out.computeIfAbsent(name, k -> new HashMap<>());
            if (end == brace) {
                for (PromQl.Matcher m : PromQl.matchers(line.substring(brace + 1, line.lastIndexOf('}')))) {
                    labels.computeIfAbsent(m.label(), k -> new TreeSet<>()).add(m.value());
                }
            }
        }
        return out;
    }

    /** RFC 8489 section 6: a Binding request, answered with a success response. */
    private static void stunBinding(int port) throws Exception {
        byte[] response = exchange(port, request(0x0001, new byte[0]));
        assertEquals(0x0101, ((response[0] & 0xff) << 8) | (response[1] & 0xff), "Binding success response");
    }

    /**
     * RFC 8656 section 7.2 with RFC 8489 section 9.2.4: an Allocate (REQUESTED-TRANSPORT UDP) without credentials is
     * answered with a 401 challenge, which makes the {@code code="401"} error series exist.
     */
    private static void unauthenticatedAllocate(int port) throws Exception {
        byte[] requestedTransport = {0x00, 0x19, 0x00, 0x04, 17, 0, 0, 0};
        byte[] response = exchange(port, request(0x0003, requestedTransport));
        assertEquals(0x0113, ((response[0] & 0xff) << 8) | (response[1] & 0xff), "Allocate error response");
    }

    private static void sendGarbage(int port) throws Exception {
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            byte[] junk = "GET / HTTP/1.0\r\n\r\n".getBytes(UTF_8); // neither STUN nor ChannelData
            socket.send(new DatagramPacket(junk, junk.length, InetAddress.getLoopbackAddress(), port));
        }
    }

    private static byte[] request(int type, byte[] attributes) {
        byte[] transactionId = new byte[12];
        ThreadLocalRandom.current().nextBytes(transactionId);
        return ByteBuffer.allocate(20 + attributes.length).putShort((short) type).putShort((short) attributes.length)
                .putInt(0x2112A442).put(transactionId).put(attributes).array();
    }

    /** Sends {@code request} over UDP, retransmitting as RFC 8489 section 6.2.1 asks, and returns the response. */
    private static byte[] exchange(int port, byte[] request) throws Exception {
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            socket.setSoTimeout(1000);
            byte[] buf = new byte[1500];
            for (int attempt = 0; ; attempt++) {
                socket.send(new DatagramPacket(request, request.length, InetAddress.getLoopbackAddress(), port));
                DatagramPacket response = new DatagramPacket(buf, buf.length);
                try {
                    socket.receive(response);
                    assertTrue(Arrays.equals(request, 8, 20, buf, 8, 20), "transaction id echoed");
                    return Arrays.copyOf(buf, response.getLength());
                } catch (SocketTimeoutException e) {
                    if (attempt >= 4) {
                        throw e;
                    }
                }
            }
        }
    }

    /** Two coturn clients allocate, bind channels and relay to each other's relayed address through Parkway. */
    private static void uclient(int port, boolean tcp) throws Exception {
        List<String> command = new ArrayList<>(List.of(UCLIENT.toString()));
        if (tcp) {
            command.add("-t");
        }
        command.addAll(List.of("-y", "-c", "-n", "5", "-u", "alice", "-w", "wonderland", "-p", Integer.toString(port),
                "127.0.0.1"));
        Path log = Files.createTempFile("uclient", ".log");
        try {
            Process client = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.to(log.toFile())).start();
            boolean exited = client.waitFor(2, TimeUnit.MINUTES);
            if (!exited) {
                client.destroyForcibly().waitFor();
            }
            String out = Files.readString(log);
            assertTrue(exited, "turnutils_uclient did not finish: " + out);
            assertEquals(0, client.exitValue(), out);
        } finally {
            Files.deleteIfExists(log);
        }
    }
}
