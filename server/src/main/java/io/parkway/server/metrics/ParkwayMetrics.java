package io.parkway.server.metrics;

import static java.util.Objects.requireNonNull;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.parkway.signaling.SignalingServer;
import io.parkway.turn.TurnListener;
import io.parkway.turn.TurnServer;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Locale;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The metrics of one Parkway process, in a Prometheus registry: {@code parkway_build_info{version}} (always 1),
 * {@code parkway_ready} (1 while {@link #ready()}, else 0), the JVM, process and Netty allocator metrics of
 * {@link RuntimeMetrics}, the allocation lifetime histogram of {@link AllocationLifetimes}, and, once
 * {@link #bindTurn bound}, the TURN server's {@link TurnMetrics} and, once {@link #bindSignaling bound}, the
 * signaling server's {@link SignalingMetrics}.
 *
 * <pre>{@code
 * ParkwayMetrics metrics = ParkwayMetrics.create(version);
 * TurnServer server = TurnServer.builder()...listener(metrics.turnListener()).build();
 * metrics.bindTurn(server, () -> TurnLimits.of(config));
 * server.start();
 * metrics.bindSignaling(signaling);
 * MetricsServer http = MetricsServer.start(config.metrics().listen(), metrics);
 * }</pre>
 */
public final class ParkwayMetrics implements AutoCloseable {

    /** Prometheus text exposition format 0.0.4, the default. */
    public static final String TEXT_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    /** OpenMetrics 1.0.0, served when the scraper's Accept header asks for it (Prometheus does). */
    public static final String OPENMETRICS_CONTENT_TYPE = "application/openmetrics-text; version=1.0.0; charset=utf-8";

    private final PrometheusMeterRegistry registry;
    private final RuntimeMetrics runtime;
    private final AllocationLifetimes lifetimes;
    private volatile TurnMetrics turn;
    private volatile SignalingMetrics signaling;
    private volatile BooleanSupplier ready = () -> false;

    private ParkwayMetrics(PrometheusMeterRegistry registry, String version) {
        this.registry = registry;
        Gauge.builder("parkway.build.info", () -> 1)
                .description("Always 1, labelled with the version of Parkway")
                .tag("version", version)
                .register(registry);
        Gauge.builder("parkway.ready", this, m -> m.ready() ? 1 : 0)
                .description("1 while every listener is bound and the server is not draining, else 0")
                .register(registry);
        this.lifetimes = new AllocationLifetimes(registry);
        this.runtime = new RuntimeMetrics(registry);
    }

    /** A registry with the process-wide metrics; {@code version} labels {@code parkway_build_info}. */
    public static ParkwayMetrics create(String version) {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT)
                .throwExceptionOnRegistrationFailure(); // a clash of names is a bug, not a warning
        try {
            return new ParkwayMetrics(registry, requireNonNull(version, "version"));
        } catch (RuntimeException e) {
            registry.close();
            throw e;
        }
    }

    /** The registry, for more binders (signaling). */
    public MeterRegistry registry() {
        return registry;
    }

    /** Give this to {@code TurnServerBuilder.listener} for the allocation lifetime histogram. */
    public TurnListener turnListener() {
        return lifetimes;
    }

    /** Binds {@code server}'s counters with fixed {@code limits}; see {@link #bindTurn(TurnServer, Supplier)}. */
    public TurnMetrics bindTurn(TurnServer server, TurnLimits limits) {
        requireNonNull(limits, "limits");
        return bindTurn(server, () -> limits);
    }

    /**
     * Binds {@code server}'s counters and makes its readiness the process's; once per process. {@code limits} is
     * asked at each scrape (give the configuration in effect, so that a reload shows).
     */
    public TurnMetrics bindTurn(TurnServer server, Supplier<TurnLimits> limits) {
        if (turn != null) {
            throw new IllegalStateException("turn metrics: already bound (expected: one TURN server per process)");
        }
        TurnMetrics m = TurnMetrics.bind(registry, server, limits);
        turn = m;
        ready = server::isReady;
        return m;
    }

    /** Binds {@code server}'s counters ({@code parkway_signaling_*}); once per process. */
    public SignalingMetrics bindSignaling(SignalingServer server) {
        if (signaling != null) {
            throw new IllegalStateException(
                    "signaling metrics: already bound (expected: one signaling server per process)");
        }
        signaling = SignalingMetrics.bind(registry, server);
        return signaling;
    }

    /** Whether the process serves: the TURN server is started, every listener bound, and it is not draining. */
    public boolean ready() {
        return ready.getAsBoolean();
    }

    /**
     * The exposition format for an HTTP {@code Accept} header: {@link #OPENMETRICS_CONTENT_TYPE} when it names
     * {@code application/openmetrics-text}, else {@link #TEXT_CONTENT_TYPE}.
     */
    public static String contentType(String accept) {
        return accept != null && accept.toLowerCase(Locale.ROOT).contains("application/openmetrics-text")
                ? OPENMETRICS_CONTENT_TYPE : TEXT_CONTENT_TYPE;
    }

    /** Writes every metric in {@code contentType} (one of {@link #contentType(String)}'s) to {@code out}. */
    public void scrape(OutputStream out, String contentType) throws IOException {
        TurnMetrics m = turn;
        if (m != null) {
            m.refresh();
        }
        registry.scrape(out, contentType);
    }

    /** Every metric in the Prometheus text format. */
    public String scrape() {
        TurnMetrics m = turn;
        if (m != null) {
            m.refresh();
        }
        return registry.scrape(TEXT_CONTENT_TYPE);
    }

    @Override
    public void close() {
        runtime.close();
        registry.close();
    }
}
