package io.parkway.server.metrics;

import static java.util.Objects.requireNonNull;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.parkway.stun.StunMethod;
import io.parkway.turn.TurnServer;
import io.parkway.turn.TurnStats;
import io.parkway.turn.TurnTransport;
import io.prometheus.metrics.model.registry.Collector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;
import java.util.function.ToLongFunction;

/**
 * Binds the live counters of a {@link TurnServer} ({@link TurnStats}) to a Micrometer registry. Every meter is a
 * function of the server's {@code LongAdder}s read at scrape time, so values move while allocations relay, not only
 * when sessions end, and the packet path pays nothing for metrics.
 *
 * <p>Prometheus names (labels have bounded values only: no user, IP or allocation id):
 * <ul>
 * <li>{@code parkway_stun_requests_total{method,result}}: responses sent, by method ({@code binding},
 *     {@code allocate}, {@code refresh}, {@code create_permission}, {@code channel_bind}, {@code other}) and result
 *     ({@code success}, {@code error}; a 401 challenge is an error)</li>
 * <li>{@code parkway_turn_allocations_active}; {@code parkway_turn_allocations_created_total},
 *     {@code _refreshed_total}, {@code _expired_total}, {@code _deleted_total}</li>
 * <li>{@code parkway_turn_allocations_max}, {@code parkway_turn_allocations_per_user_max},
 *     {@code parkway_turn_relay_ports_total}: the configured {@link TurnLimits} (the last is a constant counter so
 *     that its name keeps the {@code _total} suffix, which Prometheus reserves for counters)</li>
 * <li>{@code parkway_turn_auth_failures_total{reason}} ({@code unknown_user}, {@code bad_integrity},
 *     {@code stale_nonce}, {@code expired_credential}, {@code missing_attributes}, {@code bad_algorithm}) and
 *     {@code parkway_turn_auth_challenges_total} (401 challenges, the normal first step of a client)</li>
 * <li>{@code parkway_turn_error_responses_total{code}}: a series per error code sent so far (see {@link #refresh})</li>
 * <li>{@code parkway_turn_peer_denied_total}, {@code parkway_turn_malformed_dropped_total},
 *     {@code parkway_turn_unroutable_dropped_total}</li>
 * <li>{@code parkway_turn_relayed_packets_total{direction,transport}} and
 *     {@code parkway_turn_relayed_bytes_total{direction,transport}}: direction {@code client_to_peer} or
 *     {@code peer_to_client}, transport the client's ({@code udp}, {@code tcp})</li>
 * <li>{@code parkway_turn_permissions_active}, {@code parkway_turn_channels_active}</li>
 * </ul>
 * The allocation lifetime histogram is {@link AllocationLifetimes}; {@code parkway_ready} and
 * {@code parkway_build_info} are {@link ParkwayMetrics}'.
 */
public final class TurnMetrics {

    /** The label value of methods outside {@link TurnStats#REQUEST_METHODS}. */
    static final String OTHER_METHOD = "other";
    /** A method number outside {@link TurnStats#REQUEST_METHODS}: {@link TurnStats#responses} counts "other" for it. */
    private static final int ANY_OTHER_METHOD = -1;
    private static final String CHALLENGE = "challenge";

    private final PrometheusMeterRegistry registry;
    private final TurnStats stats;
    private final Set<Integer> errorCodes = ConcurrentHashMap.newKeySet();
    private final Supplier<TurnLimits> limits;

    private TurnMetrics(PrometheusMeterRegistry registry, TurnStats stats, Supplier<TurnLimits> limits) {
        this.registry = registry;
        this.stats = stats;
        this.limits = limits;
    }

    /**
     * Registers the meters of {@code server} (built, started or not) with {@code registry}; {@code limits} is asked
     * at each scrape, so that a reload that changes the quotas shows.
     */
    public static TurnMetrics bind(PrometheusMeterRegistry registry, TurnServer server, Supplier<TurnLimits> limits) {
        TurnMetrics m = new TurnMetrics(requireNonNull(registry, "registry"), server.stats(),
                requireNonNull(limits, "limits"));
        m.bindRequests();
        m.bindAllocations();
        m.bindAuth();
        m.bindRelay();
        m.bindDrops();
        m.refresh();
        return m;
    }

    /**
     * Registers a {@code parkway_turn_error_responses_total} series for each error code sent since the last call. Call
     * before each scrape; cheap when nothing is new.
     */
    public void refresh() {
        for (Integer code : stats.errorResponsesByCode().keySet()) {
            if (errorCodes.add(code)) {
                counter("parkway.turn.error.responses", "STUN error responses sent, by error code",
                        s -> s.errorResponsesByCode().getOrDefault(code, 0L))
                        .tag("code", Integer.toString(code))
                        .register(registry);
            }
        }
    }

    private void bindRequests() {
        for (int i = 0; i <= TurnStats.REQUEST_METHODS.length; i++) {
            int method = i < TurnStats.REQUEST_METHODS.length ? TurnStats.REQUEST_METHODS[i] : ANY_OTHER_METHOD;
            String label = method == ANY_OTHER_METHOD ? OTHER_METHOD : StunMethod.name(method);
            for (boolean success : new boolean[] {true, false}) {
                counter("parkway.stun.requests", "STUN requests answered, by method and result (a 401 challenge"
                        + " is an error)", s -> s.responses(method, success))
                        .tags("method", label, "result", success ? "success" : "error")
                        .register(registry);
            }
        }
    }

    private void bindAllocations() {
        gauge("parkway.turn.allocations.active", "TURN allocations held now", TurnStats::allocationsActive);
        registry.getPrometheusRegistry().register(new AllocationsCreated(stats));
        counter("parkway.turn.allocations.refreshed", "Refresh requests that extended an allocation",
                TurnStats::allocationsRefreshed).register(registry);
        counter("parkway.turn.allocations.expired", "TURN allocations that expired without a refresh",
                TurnStats::allocationsExpired).register(registry);
        counter("parkway.turn.allocations.deleted", "TURN allocations deleted by the client or a closed connection",
                TurnStats::allocationsDeleted).register(registry);
        gauge("parkway.turn.permissions.active", "TURN permissions installed and not expired",
                TurnStats::permissionsActive);
        gauge("parkway.turn.channels.active", "TURN channel bindings held, including their post-expiry cooldown",
                TurnStats::channelsActive);

        Gauge.builder("parkway.turn.allocations.max", this, m -> m.limits.get().maxAllocations())
                .description("Configured maximum of allocations the server holds at once (turn.max-allocations)")
                .register(registry);
        Gauge.builder("parkway.turn.allocations.per.user.max", this, m -> m.limits.get().allocationsPerUser())
                .description("Configured maximum of allocations per username (turn.allocations-per-user)")
                .register(registry);
        FunctionCounter.builder("parkway.turn.relay.ports", this, m -> m.limits.get().relayPorts())
                .description("Ports in the configured relay port range (turn.relay.ports); each allocation holds one")
                .register(registry);
    }

    private void bindAuth() {
        for (String reason : stats.authFailuresByReason().keySet()) {
            if (reason.equals(CHALLENGE)) {
                continue;
            }
            counter("parkway.turn.auth.failures", "TURN requests that failed authentication, by reason",
                    s -> s.authFailuresByReason().getOrDefault(reason, 0L))
                    .tag("reason", reason)
                    .register(registry);
        }
        counter("parkway.turn.auth.challenges", "401 challenges to requests without credentials, the normal first"
                + " step of a TURN client", s -> s.authFailuresByReason().getOrDefault(CHALLENGE, 0L))
                .register(registry);
    }

    private void bindRelay() {
        for (TurnTransport t : TurnTransport.values()) {
            relayed("client_to_peer", t, s -> s.relayedPacketsToPeer(t), s -> s.relayedBytesToPeer(t));
            relayed("peer_to_client", t, s -> s.relayedPacketsToClient(t), s -> s.relayedBytesToClient(t));
        }
    }

    private void relayed(String direction, TurnTransport t, ToLongFunction<TurnStats> packets,
            ToLongFunction<TurnStats> bytes) {
        counter("parkway.turn.relayed.packets", "Packets relayed, by direction and the client's transport", packets)
                .tags("direction", direction, "transport", t.scheme())
                .register(registry);
        counter("parkway.turn.relayed.bytes", "Payload bytes relayed, by direction and the client's transport", bytes)
                .tags("direction", direction, "transport", t.scheme())
                .register(registry);
    }

    private void bindDrops() {
        counter("parkway.turn.peer.denied", "Requests and indications refused by the peer policy",
                TurnStats::peerDenied).register(registry);
        counter("parkway.turn.malformed.dropped", "Packets that were neither STUN nor ChannelData, dropped",
                TurnStats::malformedDropped).register(registry);
        counter("parkway.turn.unroutable.dropped", "Well-formed packets with no allocation, channel or permission,"
                + " dropped", TurnStats::unroutableDropped).register(registry);
    }

    /**
     * {@code parkway_turn_allocations_created_total}, registered with the Prometheus registry beneath Micrometer:
     * Micrometer's Prometheus naming strips a {@code _created} suffix (OpenMetrics reserves it for the creation time
     * of a counter), so a Micrometer counter would be exposed as {@code parkway_turn_allocations_total}.
     */
    private static final class AllocationsCreated implements Collector {

        private static final String NAME = "parkway_turn_allocations_created";

        private final TurnStats stats;

        AllocationsCreated(TurnStats stats) {
            this.stats = stats;
        }

        @Override
        public MetricSnapshot collect() {
            return CounterSnapshot.builder()
                    .name(NAME)
                    .help("TURN allocations created")
                    .dataPoint(CounterDataPointSnapshot.builder().value(stats.allocationsCreated()).build())
                    .build();
        }

        @Override
        public String getPrometheusName() {
            return NAME;
        }
    }

    private FunctionCounter.Builder<TurnStats> counter(String name, String description, ToLongFunction<TurnStats> f) {
        ToDoubleFunction<TurnStats> d = s -> f.applyAsLong(s);
        return FunctionCounter.builder(name, stats, d).description(description);
    }

    private void gauge(String name, String description, ToLongFunction<TurnStats> f) {
        Gauge.builder(name, stats, s -> f.applyAsLong(s)).description(description).register(registry);
    }
}
