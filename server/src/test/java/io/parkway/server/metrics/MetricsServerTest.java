package io.parkway.server.metrics;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parkway.server.metrics.PrometheusText.Sample;
import io.parkway.testing.CoturnTools;
import io.parkway.turn.IpRange;
import io.parkway.turn.ListenAddress;
import io.parkway.turn.PeerPolicy;
import io.parkway.turn.TurnServer;
import io.parkway.turn.TurnTransport;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.BindException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The metrics endpoint over real sockets on 127.0.0.1: a started {@link TurnServer} with its {@link ParkwayMetrics},
 * a {@link MetricsServer} on an ephemeral port, and {@link HttpClient} as the scraper.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class MetricsServerTest {

    /** Every Parkway metric a scrape must contain, as dashboards and alert rules query them. */
    static final List<String> PARKWAY_METRICS = List.of(
            "parkway_stun_requests_total",
            "parkway_turn_allocations_active",
            "parkway_turn_allocations_created_total",
            "parkway_turn_allocations_refreshed_total",
            "parkway_turn_allocations_expired_total",
            "parkway_turn_allocations_deleted_total",
            "parkway_turn_allocations_max",
            "parkway_turn_allocations_per_user_max",
            "parkway_turn_relay_ports_total",
            "parkway_turn_auth_failures_total",
            "parkway_turn_auth_challenges_total",
            "parkway_turn_error_responses_total",
            "parkway_turn_peer_denied_total",
            "parkway_turn_relayed_packets_total",
            "parkway_turn_relayed_bytes_total",
            "parkway_turn_permissions_active",
            "parkway_turn_channels_active",
            "parkway_turn_allocation_lifetime_seconds_bucket",
            "parkway_turn_allocation_lifetime_seconds_count",
            "parkway_turn_allocation_lifetime_seconds_sum",
            "parkway_turn_malformed_dropped_total",
            "parkway_turn_unroutable_dropped_total",
            "parkway_ready",
            "parkway_build_info");

    /** A sample of the JVM, process and Netty metrics. */
    static final List<String> RUNTIME_METRICS = List.of(
            "jvm_memory_used_bytes", "jvm_gc_memory_allocated_bytes_total", "jvm_threads_live_threads",
            "jvm_classes_loaded_classes", "jvm_info", "process_cpu_usage", "system_cpu_count",
            "process_uptime_seconds", "process_files_open_files", "process_open_fds", "process_max_fds",
            "netty_allocator_memory_used");

    static final TurnLimits LIMITS = new TurnLimits(500, 1000, 65535 - 49152 + 1);

    /** What the configuration in effect says; a test changes it as a reload would. */
    private final AtomicReference<TurnLimits> limits = new AtomicReference<>(LIMITS);

    private ParkwayMetrics metrics;
    private TurnServer turn;
    private MetricsServer http;
    private final HttpClient client = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .build();

    @BeforeEach
    void start() throws Exception {
        metrics = ParkwayMetrics.create("1.2.3-test");
        turn = TurnServer.builder()
                .listen(ListenAddress.parse("udp://127.0.0.1:0"))
                .listen(ListenAddress.parse("tcp://127.0.0.1:0"))
                .relayAddress(InetAddress.getLoopbackAddress())
                .user("alice", "wonderland")
                .peerPolicy(PeerPolicy.builder().allow(IpRange.parse("127.0.0.0/8")).build())
                .allocationsPerUser(LIMITS.allocationsPerUser())
                .maxAllocations(LIMITS.maxAllocations())
                .listener(metrics.turnListener())
                .build();
        metrics.bindTurn(turn, limits::get);
        turn.start();
        http = MetricsServer.start(HttpAddress.parse("http://127.0.0.1:0"), metrics);
    }

    @AfterEach
    void stop() {
        if (http != null) {
            http.close();
        }
        if (turn != null) {
            turn.close();
        }
        if (metrics != null) {
            metrics.close();
        }
    }

    @Test
    void healthzAndReadyzFollowTheServer() throws Exception {
        assertResponse(200, "ok", get("/healthz"));
        assertResponse(200, "ready", get("/readyz"));
        assertEquals(1.0, PrometheusText.value(scrape(), "parkway_ready"));

        turn.drain();

        assertResponse(503, "not ready", get("/readyz"));
        assertResponse(200, "ok", get("/healthz"));
        assertEquals(0.0, PrometheusText.value(scrape(), "parkway_ready"));
        assertEquals("text/plain; charset=utf-8", get("/readyz").headers().firstValue("content-type").orElseThrow());
    }

    @Test
    void otherPathsAre404AndOtherMethods405() throws Exception {
        HttpResponse<String> notFound = get("/nope");
        assertResponse(404, "path: /nope (expected: /metrics, /healthz or /readyz)", notFound);
        assertResponse(404, "path: / (expected: /metrics, /healthz or /readyz)", get("/"));

        HttpResponse<String> post = send(HttpRequest.newBuilder(http.address().uri("/metrics"))
                .POST(HttpRequest.BodyPublishers.ofString("x")));
        assertResponse(405, "method: POST (expected: GET or HEAD)", post);
        assertEquals("GET, HEAD", post.headers().firstValue("allow").orElseThrow());
        assertResponse(405, "method: DELETE (expected: GET or HEAD)",
                send(HttpRequest.newBuilder(http.address().uri("/healthz")).DELETE()));

        HttpResponse<String> head = send(HttpRequest.newBuilder(http.address().uri("/metrics"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()));
        assertEquals(200, head.statusCode());
        assertEquals("", head.body());
        assertTrue(head.headers().firstValueAsLong("content-length").orElseThrow() > 1000, head.headers().toString());
        assertEquals(ParkwayMetrics.TEXT_CONTENT_TYPE, head.headers().firstValue("content-type").orElseThrow());

        assertEquals(200, get("/metrics?name[]=parkway_ready").statusCode(), "a query string is ignored");
    }

    @Test
    void scrapeHasEveryMetricInPrometheusTextFormat() throws Exception {
        int udp = port(TurnTransport.UDP);
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            socket.setSoTimeout(2000);
            assertEquals(0x0101, exchange(socket, udp, stunRequest(0x0001, new byte[0])), "Binding success");
            // Allocate without credentials: the 401 challenge (RFC 8489 section 9.2.4); REQUESTED-TRANSPORT UDP.
            byte[] requestedTransport = {0x00, 0x19, 0x00, 0x04, 17, 0, 0, 0};
            assertEquals(0x0113, exchange(socket, udp, stunRequest(0x0003, requestedTransport)), "Allocate error");
            socket.send(new DatagramPacket(new byte[] {1, 2, 3}, 3, InetAddress.getLoopbackAddress(), udp));
        }
        await().atMost(Duration.ofSeconds(30)).until(() ->
                PrometheusText.value(scrape(), "parkway_turn_malformed_dropped_total") >= 1);

        HttpResponse<String> r = get("/metrics");
        assertEquals(200, r.statusCode());
        assertEquals("text/plain; version=0.0.4; charset=utf-8", r.headers().firstValue("content-type").orElseThrow());
        List<Sample> samples = PrometheusText.parse(r.body());
        Set<String> names = samples.stream().map(Sample::name).collect(Collectors.toCollection(TreeSet::new));
        for (String name : PARKWAY_METRICS) {
            assertTrue(names.contains(name), name + " missing from " + names);
        }
        for (String name : RUNTIME_METRICS) {
            assertTrue(names.contains(name), name + " missing from " + names);
        }

        for (String method : List.of("binding", "allocate", "refresh", "create_permission", "channel_bind", "other")) {
            for (String result : List.of("success", "error")) {
                PrometheusText.value(samples, "parkway_stun_requests_total", "method", method, "result", result);
            }
        }
        assertTrue(PrometheusText.value(samples, "parkway_stun_requests_total",
                "method", "binding", "result", "success") >= 1);
        assertTrue(PrometheusText.value(samples, "parkway_stun_requests_total",
                "method", "allocate", "result", "error") >= 1);
        assertTrue(PrometheusText.value(samples, "parkway_turn_auth_challenges_total") >= 1);
        assertTrue(PrometheusText.value(samples, "parkway_turn_error_responses_total", "code", "401") >= 1);
        assertEquals(Set.of("unknown_user", "bad_integrity", "stale_nonce", "expired_credential",
                "missing_attributes", "bad_algorithm"), labelValues(samples, "parkway_turn_auth_failures_total",
                "reason"));
        for (String metric : List.of("parkway_turn_relayed_packets_total", "parkway_turn_relayed_bytes_total")) {
            for (String direction : List.of("client_to_peer", "peer_to_client")) {
                for (String transport : List.of("udp", "tcp")) {
                    assertEquals(0.0, PrometheusText.value(samples, metric, "direction", direction,
                            "transport", transport));
                }
            }
        }
        assertEquals(Set.of("udp", "tcp"), labelValues(samples, "parkway_turn_allocation_lifetime_seconds_count",
                "transport"));
        assertEquals(Set.of("1.0", "5.0", "10.0", "30.0", "60.0", "120.0", "300.0", "600.0", "1200.0", "1800.0",
                "3600.0", "7200.0", "+Inf"), samples.stream()
                .filter(s -> s.name().equals("parkway_turn_allocation_lifetime_seconds_bucket")
                        && s.labels().get("transport").equals("udp"))
                .map(s -> s.labels().get("le")).collect(Collectors.toSet()));
        assertEquals(500.0, PrometheusText.value(samples, "parkway_turn_allocations_max"));
        assertEquals(1000.0, PrometheusText.value(samples, "parkway_turn_allocations_per_user_max"));
        assertEquals(16384.0, PrometheusText.value(samples, "parkway_turn_relay_ports_total"));
        assertEquals(1.0, PrometheusText.value(samples, "parkway_build_info", "version", "1.2.3-test"));
        assertEquals(0.0, PrometheusText.value(samples, "parkway_turn_allocations_active"));

        limits.set(new TurnLimits(600, 20, 100)); // as after a reload
        List<Sample> after = scrape();
        assertEquals(600.0, PrometheusText.value(after, "parkway_turn_allocations_max"));
        assertEquals(20.0, PrometheusText.value(after, "parkway_turn_allocations_per_user_max"));

        Promtool.checkMetrics(r.body());
    }

    @Test
    void noLabelHasUnboundedValues() throws Exception {
        Set<String> allowed = Set.of("method", "result", "reason", "code", "direction", "transport", "le", "version",
                // Micrometer's JVM, process and Netty binders
                "area", "id", "state", "action", "cause", "gc", "vendor", "runtime", "allocator_type", "memory_type",
                "cache_type");
        for (Sample s : scrape()) {
            for (String label : s.labels().keySet()) {
                assertTrue(allowed.contains(label), s + ": label " + label + " (expected one of " + allowed + ")");
            }
        }
    }

    @Test
    void openMetricsWhenAskedAndGzipWhenAccepted() throws Exception {
        HttpResponse<String> om = send(HttpRequest.newBuilder(http.address().uri("/metrics")).header("Accept",
                "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5,*/*;q=0.1"));
        assertEquals(200, om.statusCode());
        assertEquals(ParkwayMetrics.OPENMETRICS_CONTENT_TYPE, om.headers().firstValue("content-type").orElseThrow());
        assertTrue(om.body().endsWith("# EOF\n"), om.body());
        assertTrue(om.body().contains("\nparkway_turn_relayed_packets_total{"), om.body());

        HttpResponse<byte[]> gz = client.send(HttpRequest.newBuilder(http.address().uri("/metrics"))
                .header("Accept-Encoding", "gzip").build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, gz.statusCode());
        assertEquals("gzip", gz.headers().firstValue("content-encoding").orElseThrow());
        String text;
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gz.body()))) {
            text = new String(in.readAllBytes(), UTF_8);
        }
        assertTrue(PrometheusText.parse(text).stream().anyMatch(s -> s.name().equals("parkway_ready")));
    }

    @Test
    void anAddressInUseFailsToStartAndLeavesNothingRunning() {
        HttpAddress taken = http.address();
        Exception e = assertThrows(Exception.class, () -> MetricsServer.start(taken, metrics).close());
        assertTrue(e instanceof BindException, e.toString());
        await().atMost(Duration.ofSeconds(10)).until(() -> Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("parkway-metrics")).count() == 1);
    }

    @Test
    void relayedPacketsRiseWhileUclientRelays() throws Exception {
        Path uclient = CoturnTools.requireUclient();
        int udp = port(TurnTransport.UDP);
        // Two clients relaying to each other's relayed address (-y), over channels (-c is RTP without RTCP), 1500
        // messages 10 ms apart: some 15 s of traffic.
        Path log = Files.createTempFile("uclient", ".log");
        Process p = new ProcessBuilder(uclient.toString(), "-y", "-c", "-n", "1500", "-z", "10",
                "-u", "alice", "-w", "wonderland", "-p", Integer.toString(udp), "127.0.0.1")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            await().atMost(Duration.ofSeconds(30)).failFast("uclient ended", () -> !p.isAlive())
                    .until(() -> relayed(scrape()) > 0);
            List<Sample> first = scrape();
            await().atMost(Duration.ofSeconds(30)).failFast("uclient ended", () -> !p.isAlive())
                    .until(() -> relayed(scrape()) > relayed(first));
            List<Sample> second = scrape();
            assertTrue(p.isAlive(), "the second scrape came before uclient ended");
            assertTrue(relayed(second) > relayed(first), first + " then " + second);
            assertTrue(PrometheusText.value(second, "parkway_turn_allocations_active") >= 2);
            assertTrue(PrometheusText.value(second, "parkway_turn_channels_active") >= 2);
            assertTrue(PrometheusText.value(second, "parkway_turn_permissions_active") >= 2);
            assertTrue(PrometheusText.value(second, "parkway_turn_relayed_bytes_total",
                    "direction", "peer_to_client", "transport", "udp") > 0);
            assertTrue(PrometheusText.value(second, "parkway_stun_requests_total",
                    "method", "channel_bind", "result", "success") >= 2);

            assertTrue(p.waitFor(2, TimeUnit.MINUTES), "uclient did not finish: " + Files.readString(log));
            assertEquals(0, p.exitValue(), Files.readString(log));
            assertTrue(Files.readString(log).contains("Total lost packets 0 "), Files.readString(log));
        } finally {
            p.destroyForcibly().waitFor();
            Files.deleteIfExists(log);
        }
    }

    @Test
    void allocationLifetimesAreRecordedWhenAllocationsEnd() throws Exception {
        Path uclient = CoturnTools.requireUclient();
        int tcp = port(TurnTransport.TCP);
        Process p = new ProcessBuilder(uclient.toString(), "-t", "-y", "-c", "-n", "20",
                "-u", "alice", "-w", "wonderland", "-p", Integer.toString(tcp), "127.0.0.1")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            assertTrue(p.waitFor(1, TimeUnit.MINUTES), "uclient did not finish");
            assertEquals(0, p.exitValue());
        } finally {
            p.destroyForcibly().waitFor();
        }
        // uclient's connections closed, so were its allocations (RFC 6062 section 5: TCP allocations die with them).
        await().atMost(Duration.ofSeconds(30)).until(() -> PrometheusText.value(scrape(),
                "parkway_turn_allocation_lifetime_seconds_count", "transport", "tcp") >= 2);
        List<Sample> s = scrape();
        assertEquals(PrometheusText.value(s, "parkway_turn_allocation_lifetime_seconds_count", "transport", "tcp"),
                PrometheusText.value(s, "parkway_turn_allocation_lifetime_seconds_bucket", "transport", "tcp",
                        "le", "+Inf"));
        assertTrue(PrometheusText.value(s, "parkway_turn_relayed_packets_total",
                "direction", "client_to_peer", "transport", "tcp") > 0);
    }

    private static double relayed(List<Sample> samples) {
        return PrometheusText.value(samples, "parkway_turn_relayed_packets_total",
                "direction", "client_to_peer", "transport", "udp");
    }

    private static Set<String> labelValues(List<Sample> samples, String name, String label) {
        return samples.stream().filter(s -> s.name().equals(name)).map(s -> s.labels().get(label))
                .collect(Collectors.toSet());
    }

    private int port(TurnTransport transport) {
        return turn.boundAddresses().stream().filter(a -> a.transport() == transport).findFirst().orElseThrow()
                .address().getPort();
    }

    private List<Sample> scrape() throws IOException, InterruptedException {
        HttpResponse<String> r = get("/metrics");
        assertEquals(200, r.statusCode(), r.body());
        return PrometheusText.parse(r.body());
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(http.address().uri(path)));
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return client.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void assertResponse(int status, String body, HttpResponse<String> r) {
        assertEquals(status, r.statusCode(), r.body());
        assertEquals(body, r.body());
    }

    /** A STUN request (RFC 8489 section 5) of {@code method} with a fresh transaction ID and {@code attributes}. */
    private static byte[] stunRequest(int method, byte[] attributes) {
        byte[] transactionId = new byte[12];
        ThreadLocalRandom.current().nextBytes(transactionId);
        return ByteBuffer.allocate(20 + attributes.length).putShort((short) method)
                .putShort((short) attributes.length).putInt(0x2112A442).put(transactionId).put(attributes).array();
    }

    /** Sends {@code request}, retransmitting as RFC 8489 section 6.2.1 asks; returns the response's message type. */
    private static int exchange(DatagramSocket socket, int port, byte[] request) throws IOException {
        byte[] buf = new byte[1500];
        for (int attempt = 0; ; attempt++) {
            socket.send(new DatagramPacket(request, request.length, InetAddress.getLoopbackAddress(), port));
            DatagramPacket response = new DatagramPacket(buf, buf.length);
            try {
                socket.receive(response);
                return ByteBuffer.wrap(buf).getShort() & 0xffff;
            } catch (SocketTimeoutException e) {
                if (attempt == 4) {
                    throw e;
                }
            }
        }
    }
}
