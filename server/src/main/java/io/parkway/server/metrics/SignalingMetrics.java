package io.parkway.server.metrics;

import static java.util.Objects.requireNonNull;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.parkway.signaling.SignalingServer;
import io.parkway.signaling.SignalingStats;
import java.util.Map;
import java.util.function.ToLongFunction;

/**
 * Binds the live counters of a {@link SignalingServer} ({@link SignalingStats}) to a Micrometer registry. Every meter
 * reads the server's counters at scrape time, so values move during sessions and the WebSocket path pays nothing.
 *
 * <p>Prometheus names (labels have bounded values only: no room, peer, session or IP):
 * <ul>
 * <li>{@code parkway_signaling_connections}: open WebSockets</li>
 * <li>{@code parkway_signaling_rooms}: rooms that exist now (rooms made by {@code POST /api/rooms} count while
 *     empty)</li>
 * <li>{@code parkway_signaling_listeners}: listeners in all rooms, including those within their resume grace</li>
 * <li>{@code parkway_signaling_speakers_live}: rooms whose speaker is live</li>
 * <li>{@code parkway_signaling_messages_total{type}}: client messages received, by protocol type
 *     ({@link SignalingStats#MESSAGE_TYPES}); anything else, binary frames and messages without a type are
 *     {@code other}</li>
 * <li>{@code parkway_signaling_errors_total{code}}: errors sent to clients over WebSocket and HTTP, by protocol error
 *     code ({@link SignalingStats#ERROR_CODES}, such as {@code room-full}, {@code rate-limited})</li>
 * <li>{@code parkway_signaling_credentials_issued_total}: TURN REST credentials issued (per session, per speaker
 *     connection to a listener, and over HTTP)</li>
 * </ul>
 * Every series is registered up front (at 0), so that {@code rate()} sees the first increment.
 */
public final class SignalingMetrics {

    /** The {@code type} label of messages whose type is not one of {@link SignalingStats#MESSAGE_TYPES}. */
    static final String OTHER_TYPE = "other";

    private final MeterRegistry registry;
    private final SignalingStats stats;

    private SignalingMetrics(MeterRegistry registry, SignalingStats stats) {
        this.registry = registry;
        this.stats = stats;
    }

    /** Registers the meters of {@code server} (built, started or not) with {@code registry}. */
    public static SignalingMetrics bind(MeterRegistry registry, SignalingServer server) {
        requireNonNull(server, "server");
        return bind(registry, server.stats());
    }

    /** Registers meters reading {@code stats} with {@code registry}. */
    static SignalingMetrics bind(MeterRegistry registry, SignalingStats stats) {
        SignalingMetrics m = new SignalingMetrics(requireNonNull(registry, "registry"), requireNonNull(stats, "stats"));
        m.bindGauges();
        m.bindMessages();
        m.bindErrors();
        m.bindCredentials();
        return m;
    }

    private void bindGauges() {
        gauge("parkway.signaling.connections", "Open signaling WebSocket connections", SignalingStats::connections);
        gauge("parkway.signaling.rooms", "Signaling rooms that exist now", SignalingStats::rooms);
        gauge("parkway.signaling.listeners", "Listeners in all rooms, including those within their resume grace",
                SignalingStats::listeners);
        gauge("parkway.signaling.speakers.live", "Rooms whose speaker is live", SignalingStats::speakersLive);
    }

    private void bindMessages() {
        String description = "Signaling client messages received, by type (other: unknown or missing type, binary)";
        for (String type : SignalingStats.MESSAGE_TYPES) {
            FunctionCounter.builder("parkway.signaling.messages", stats,
                            s -> s.messages().getOrDefault(type, 0L))
                    .description(description)
                    .tag("type", type)
                    .register(registry);
        }
        FunctionCounter.builder("parkway.signaling.messages", stats, SignalingMetrics::otherMessages)
                .description(description)
                .tag("type", OTHER_TYPE)
                .register(registry);
    }

    /** Messages counted under a key that is not a protocol type: "unknown", and any key a later version adds. */
    private static double otherMessages(SignalingStats stats) {
        long other = 0;
        for (Map.Entry<String, Long> e : stats.messages().entrySet()) {
            if (!SignalingStats.MESSAGE_TYPES.contains(e.getKey())) {
                other += e.getValue();
            }
        }
        return other;
    }

    private void bindErrors() {
        for (String code : SignalingStats.ERROR_CODES) {
            FunctionCounter.builder("parkway.signaling.errors", stats, s -> s.errors().getOrDefault(code, 0L))
                    .description("Signaling errors sent to clients, by protocol error code")
                    .tag("code", code)
                    .register(registry);
        }
    }

    private void gauge(String name, String description, ToLongFunction<SignalingStats> f) {
        Gauge.builder(name, stats, s -> f.applyAsLong(s)).description(description).register(registry);
    }

    private void bindCredentials() {
        FunctionCounter.builder("parkway.signaling.credentials.issued", stats, s -> s.credentialsIssued())
                .description("TURN REST credentials issued by signaling (per session, per speaker connection to a"
                        + " listener, and over HTTP)")
                .register(registry);
    }
}
