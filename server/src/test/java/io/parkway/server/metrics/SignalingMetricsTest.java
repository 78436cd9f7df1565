package io.parkway.server.metrics;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parkway.server.metrics.PrometheusText.Sample;
import io.parkway.signaling.SignalingServer;
import io.parkway.signaling.SignalingStats;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link SignalingMetrics} over a real {@link SignalingServer} and the {@code /metrics} endpoint: the series exist
 * before any traffic, and they move during a session, read at scrape time.
 */
class SignalingMetricsTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private ParkwayMetrics metrics;
    private SignalingServer signaling;
    private MetricsServer http;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    @BeforeEach
    void start() throws Exception {
        metrics = ParkwayMetrics.create("1.2.3-test");
        signaling = SignalingServer.builder()
                .listen(new InetSocketAddress("127.0.0.1", 0))
                .turnSecret("signaling-metrics-test-secret")
                .iceServer("stun:127.0.0.1:3478")
                .iceServer("turn:127.0.0.1:3478?transport=udp")
                .resumeGrace(Duration.ZERO) // a closed socket leaves its room at once
                .build();
        metrics.bindSignaling(signaling);
        signaling.start();
        http = MetricsServer.start(HttpAddress.parse("http://127.0.0.1:0"), metrics);
    }

    @AfterEach
    void stop() {
        if (http != null) {
            http.close();
        }
        if (signaling != null) {
            signaling.close();
        }
        if (metrics != null) {
            metrics.close();
        }
    }

    /** Every series exists at 0 before the first connection, with exactly the protocol's types and codes. */
    @Test
    void everySeriesIsRegisteredUpFrontWithBoundedLabels() throws Exception {
        List<Sample> samples = scrape();
        for (String gauge : List.of("parkway_signaling_connections", "parkway_signaling_rooms",
                "parkway_signaling_listeners", "parkway_signaling_speakers_live",
                "parkway_signaling_credentials_issued_total")) {
            assertEquals(0.0, PrometheusText.value(samples, gauge), gauge);
        }
        Set<String> types = new TreeSet<>(SignalingStats.MESSAGE_TYPES);
        types.add("other");
        assertEquals(types, labelValues(samples, "parkway_signaling_messages_total", "type"));
        assertEquals(new TreeSet<>(SignalingStats.ERROR_CODES),
                labelValues(samples, "parkway_signaling_errors_total", "code"));
        assertTrue(SignalingStats.ERROR_CODES.containsAll(List.of("room-not-found", "room-full", "rate-limited",
                "bad-message", "server-draining")), SignalingStats.ERROR_CODES.toString());
        for (Sample s : samples) {
            if (s.name().startsWith("parkway_signaling_")) {
                assertEquals(0.0, s.value(), s.toString());
            }
        }
    }

    /** join: connections 1, rooms 1, listeners 1; leave: listeners and rooms 0; close: connections 0. */
    @Test
    void aListenerSessionMovesTheGaugesLive() throws Exception {
        try (SignalingClient listener = SignalingClient.connect(signaling)) {
            awaitValue(1, "parkway_signaling_connections");
            assertEquals(0.0, PrometheusText.value(scrape(), "parkway_signaling_listeners"));

            listener.join("metrics-room", "listener");
            List<Sample> joined = scrape();
            assertEquals(1.0, PrometheusText.value(joined, "parkway_signaling_connections"));
            assertEquals(1.0, PrometheusText.value(joined, "parkway_signaling_rooms"));
            assertEquals(1.0, PrometheusText.value(joined, "parkway_signaling_listeners"));
            assertEquals(0.0, PrometheusText.value(joined, "parkway_signaling_speakers_live"));
            assertEquals(1.0, PrometheusText.value(joined, "parkway_signaling_messages_total", "type", "join"));
            assertEquals(1.0, PrometheusText.value(joined, "parkway_signaling_credentials_issued_total"));

            listener.send("{\"type\":\"leave\"}");
            awaitValue(0, "parkway_signaling_listeners");
            List<Sample> left = scrape();
            assertEquals(0.0, PrometheusText.value(left, "parkway_signaling_rooms"));
            assertEquals(1.0, PrometheusText.value(left, "parkway_signaling_connections"), "the socket is open");
            assertEquals(1.0, PrometheusText.value(left, "parkway_signaling_messages_total", "type", "leave"));
        }
        awaitValue(0, "parkway_signaling_connections");
    }

    /** A speaker going live and stopping, messages by type, and errors by code, unknown types as "other". */
    @Test
    void speakersMessagesAndErrorsAreCounted() throws Exception {
        try (SignalingClient speaker = SignalingClient.connect(signaling);
                SignalingClient listener = SignalingClient.connect(signaling)) {
            speaker.join("live-room", "speaker");
            listener.join("live-room", "listener");
            speaker.next("peer-joined");
            speaker.send("{\"type\":\"live\"}");
            listener.next("speaker");
            awaitValue(1, "parkway_signaling_speakers_live");

            speaker.send("{\"type\":\"dance\"}");         // unknown type: bad-message, counted as other
            assertEquals("bad-message", speaker.next("error").path("code").asText());
            speaker.send("{\"type\":\"ping\"}");
            speaker.next("pong");
            listener.send("{\"type\":\"live\"}");          // a listener may not: unauthorized
            List<Sample> s = awaitValue(1, "parkway_signaling_errors_total", "code", "unauthorized");
            assertEquals(1.0, PrometheusText.value(s, "parkway_signaling_errors_total", "code", "bad-message"));
            assertEquals(1.0, PrometheusText.value(s, "parkway_signaling_messages_total", "type", "other"));
            assertEquals(1.0, PrometheusText.value(s, "parkway_signaling_messages_total", "type", "ping"));
            assertEquals(2.0, PrometheusText.value(s, "parkway_signaling_messages_total", "type", "join"));
            assertEquals(2.0, PrometheusText.value(s, "parkway_signaling_messages_total", "type", "live"));
            assertEquals(2.0, PrometheusText.value(s, "parkway_signaling_connections"));
            assertEquals(1.0, PrometheusText.value(s, "parkway_signaling_rooms"));
            // a welcome each, and the speaker's credentials for its connection to the listener
            assertEquals(3.0, PrometheusText.value(s, "parkway_signaling_credentials_issued_total"));

            speaker.send("{\"type\":\"stop\"}");
            awaitValue(0, "parkway_signaling_speakers_live");
            speaker.send("{\"type\":\"live\"}");
            awaitValue(1, "parkway_signaling_speakers_live");
        }
        // the live speaker's socket closed (no resume grace): it left, and so did the room
        List<Sample> after = awaitValue(0, "parkway_signaling_connections");
        awaitValue(0, "parkway_signaling_speakers_live");
        awaitValue(0, "parkway_signaling_rooms");
        assertEquals(2.0, PrometheusText.value(after, "parkway_signaling_messages_total", "type", "join"));
    }

    @Test
    void bindingTwiceFails() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> metrics.bindSignaling(signaling));
        assertTrue(e.getMessage().startsWith("signaling metrics: already bound"), e.getMessage());
    }

    /** Keys of {@link SignalingStats#messages()} outside the protocol's types all land in {@code type="other"}. */
    @Test
    void unknownMessageKeysAreOther() {
        ParkwayMetrics m = ParkwayMetrics.create("1.2.3-test");
        try {
            SignalingMetrics.bind(m.registry(), new FixedStats(Map.of("join", 3L, "unknown", 2L, "future-type", 1L)));
            List<Sample> samples = PrometheusText.parse(m.scrape());
            assertEquals(3.0, PrometheusText.value(samples, "parkway_signaling_messages_total", "type", "join"));
            assertEquals(3.0, PrometheusText.value(samples, "parkway_signaling_messages_total", "type", "other"));
            assertEquals(Set.of(), labelValues(samples, "parkway_signaling_messages_total", "type").stream()
                    .filter(t -> !t.equals("other") && !SignalingStats.MESSAGE_TYPES.contains(t))
                    .collect(Collectors.toSet()));
        } finally {
            m.close();
        }
    }

    private record FixedStats(Map<String, Long> messages) implements SignalingStats {
        @Override
        public long connections() {
            return 0;
        }

        @Override
        public long rooms() {
            return 0;
        }

        @Override
        public long listeners() {
            return 0;
        }

        @Override
        public long speakersLive() {
            return 0;
        }

        @Override
        public Map<String, Long> errors() {
            return Map.of();
        }

        @Override
        public long credentialsIssued() {
            return 0;
        }
    }

    /** Scrapes until the sample {@code name} (with {@code labels}) reads {@code expected}; returns that scrape. */
    private List<Sample> awaitValue(double expected, String name, String... labels) {
        List<List<Sample>> last = new ArrayList<>(List.of(List.of()));
        await().atMost(WAIT).pollInterval(Duration.ofMillis(20)).untilAsserted(() -> {
            List<Sample> samples = scrape();
            last.set(0, samples);
            assertEquals(expected, PrometheusText.value(samples, name, labels), name + " " + List.of(labels));
        });
        return last.get(0);
    }

    private List<Sample> scrape() throws Exception {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(http.address().uri("/metrics"))
                .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString(UTF_8));
        assertEquals(200, r.statusCode(), r.body());
        return PrometheusText.parse(r.body());
    }

    private static Set<String> labelValues(List<Sample> samples, String name, String label) {
        return samples.stream().filter(s -> s.name().equals(name)).map(s -> s.labels().get(label))
                .collect(Collectors.toCollection(TreeSet::new));
    }
}
