package io.parkway.server;

import io.parkway.signaling.SignalingServer;
import io.parkway.turn.TurnServer;
import io.parkway.turn.TurnServerBuilder;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The life of a started {@code parkway serve} process, driven by signals:
 * <ul>
 *   <li>SIGHUP reloads: the same configuration source with the same environment overrides, validated in full; a bad
 *       configuration is logged (every problem) and the running one stays. Users, REST secrets (removed ones accepted
 *       for {@code turn.rest-secret-grace}), peer policy, quotas, lifetimes, log level and drain-timeout take effect
 *       without touching a single allocation ({@link TurnServer#reload}); other changes are logged as needing a
 *       restart.</li>
 *   <li>SIGTERM or SIGINT drains: new allocations are refused with 503 ({@link TurnServer#drain}) while existing
 *       ones keep relaying, until none is left or {@code drain-timeout} passes; then everything is closed in order
 *       and one line says what was left. A second SIGTERM or SIGINT cuts the wait short. The process then exits
 *       with 0.</li>
 * </ul>
 * Signal handlers only hand work to one lifecycle thread, so that reloads and the drain run one at a time and the
 * JVM's signal dispatcher never blocks. One log line per event; secrets are never logged (see {@link ConfigChanges}).
 */
final class Lifecycle {

    private static final Logger logger = LoggerFactory.getLogger(Lifecycle.class);
    /** How often the drain looks at the number of active allocations. */
    private static final Duration DRAIN_POLL = Duration.ofMillis(100);

    private final TurnServer server;
    private final ConfigSource source;
    private final Map<String, String> environment;
    /** The configuration the process started with: settings that need a restart are compared with it. */
    private final ParkwayConfig started;
    /** The configuration last applied, at start or by a reload; read by the drain. */
    private volatile ParkwayConfig running;
    private final List<AutoCloseable> alsoClose = new CopyOnWriteArrayList<>();
    /** Drained with the TURN server and closed before it; null until {@link #signaling} is called. */
    private volatile SignalingServer signaling;
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "parkway-lifecycle");
        t.setDaemon(true);
        return t;
    });
    private final AtomicBoolean stopping = new AtomicBoolean();
    /** Counted down by a second SIGTERM or SIGINT: stop waiting for the drain. */
    private final CountDownLatch hurry = new CountDownLatch(1);
    private final CountDownLatch stopped = new CountDownLatch(1);
    private boolean closed;

    Lifecycle(TurnServer server, ConfigSource source, Map<String, String> environment, ParkwayConfig config) {
        this.server = server;
        this.source = source;
        this.environment = Map.copyOf(environment);
        this.started = config;
        this.running = config;
    }

    /**
     * Something else to close when the process stops, after the TURN server and after what was added before (such
     * as the metrics endpoint, which should answer {@code /readyz} until the end of a drain).
     */
    Lifecycle alsoClose(AutoCloseable closeable) {
        alsoClose.add(closeable);
        return this;
    }

    /** The signaling server: drained with the TURN server on SIGTERM or SIGINT, and closed before it. */
    Lifecycle signaling(SignalingServer signalingServer) {
        this.signaling = signalingServer;
        return this;
    }

    /** The configuration in effect: the one at start, or the last one a reload applied. */
    ParkwayConfig config() {
        return running;
    }

    /**
     * Takes over SIGHUP, SIGTERM and SIGINT, and adds a shutdown hook that closes everything at once should the JVM
     * stop for another reason (such as {@code System.exit} elsewhere).
     */
    void install() {
        handle("HUP", () -> worker.execute(() -> reload("SIGHUP")));
        handle("TERM", () -> stop("SIGTERM"));
        handle("INT", () -> stop("SIGINT"));
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (closeAll()) {
                logger.info("stopped by the JVM's shutdown, without draining: {} allocations were active",
                        server.stats().allocationsActive());
            }
        }, "parkway-shutdown"));
    }

    /** Installs one handler; without it the JVM's default stays (SIGTERM: the shutdown hook, no drain). */
    private static void handle(String signal, Runnable handler) {
        try {
            Signals.handle(signal, handler);
        } catch (IllegalArgumentException | UnsupportedOperationException e) { // -Xrs, or a platform without it
            logger.warn("cannot handle SIG{} ({}): the JVM's default action stays", signal, e.getMessage());
        }
    }

    /** Blocks until a drain has finished and everything is closed; returns the exit code, 0. */
    int awaitStopped() throws InterruptedException {
        stopped.await();
        return 0;
    }

    /** Starts the drain on the first call; later calls cut its wait short. Never blocks: called by signal handlers. */
    void stop(String signal) {
        if (stopping.compareAndSet(false, true)) {
            worker.execute(() -> drainAndClose(signal));
        } else {
            hurry.countDown();
        }
    }

    private void reload(String trigger) {
        if (stopping.get()) {
            logger.info("{} ignored: draining", trigger);
            return;
        }
        if (source.embedded()) {
            logger.info("{}: nothing to reload: running the embedded development defaults, not a file", trigger);
            return;
        }
        ParkwayConfig next;
        List<String> restart;
        try {
            next = source.load(environment, null);
            TurnServerBuilder builder = TurnServerFactory.builder(next);
            restart = server.reload(builder);
        } catch (ConfigException e) {
            refused(trigger, e.problems());
            return;
        } catch (IllegalArgumentException | IllegalStateException e) { // a rule only the TURN server knows
            refused(trigger, List.of(String.valueOf(e.getMessage())));
            return;
        }
        Logging.apply(next.log().level());
        reloadCertificates(trigger);
        ParkwayConfig before = running;
        running = next;
        List<String> applied = ConfigChanges.changes(before, next, ConfigChanges.RELOADABLE::contains);
        Set<String> needRestart = new LinkedHashSet<>(
                ConfigChanges.changes(started, next, key -> !ConfigChanges.RELOADABLE.contains(key)));
        for (String setting : restart) { // the TURN server's own list, in its words, when not covered above
            String key = TURN_SETTING_KEYS.getOrDefault(setting, setting);
            if (needRestart.stream().noneMatch(line -> line.startsWith(key + " "))) {
                needRestart.add(key);
            }
        }
        logger.info("{}: reloaded {}: {}{}", trigger, source.file(),
                applied.isEmpty() ? "no reloadable setting changed" : "applied " + String.join(", ", applied),
                needRestart.isEmpty() ? "" : "; needs a restart to take effect: " + String.join(", ", needRestart));
    }

    /** Renewed certificates (same files, new contents) take effect for new connections; a bad file keeps the old. */
    private void reloadCertificates(String trigger) {
        SignalingServer s = signaling;
        if (s == null) {
            return;
        }
        try {
            s.reloadCertificates();
        } catch (IllegalArgumentException e) {
            logger.error("{}: signaling TLS certificate not reloaded, the previous one stays in use: {}", trigger,
                    e.getMessage());
        }
    }

    /** {@link TurnServer#reload}'s names of settings that need a restart, as configuration keys. */
    private static final Map<String, String> TURN_SETTING_KEYS = Map.of("listen", "turn.listen",
            "relay address", "turn.relay.address", "external address", "turn.relay.external-address",
            "relay ports", "turn.relay.ports", "realm", "realm");

    private void refused(String trigger, List<String> problems) {
        logger.error("{}: {} not reloaded, the running configuration stays: {} {}: {}", trigger, source.name(),
                problems.size(), problems.size() == 1 ? "problem" : "problems", String.join("; ", problems));
    }

    private void drainAndClose(String signal) {
        Duration timeout = running.drainTimeout();
        long start = System.nanoTime();
        logger.info("{}: draining for up to {}s (drain-timeout), then stopping; {} again stops at once", signal,
                timeout.toSeconds(), signal);
        SignalingServer s = signaling;
        if (s != null) {
            s.drain(); // new joins get server-draining; joined sessions go on while allocations drain
        }
        server.drain();
        long deadline = start + timeout.toNanos();
        long active = server.stats().allocationsActive();
        String cut = "drain-timeout " + timeout.toSeconds() + "s reached";
        try {
            while (active > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                if (hurry.await(Math.min(left, DRAIN_POLL.toNanos()), TimeUnit.NANOSECONDS)) {
                    cut = "a second signal cut the drain short";
                    break;
                }
                active = server.stats().allocationsActive();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            cut = "interrupted";
        }
        closeAll();
        String drained = String.format(Locale.ROOT, "%.1f", (System.nanoTime() - start) / 1e9);
        if (active == 0) {
            logger.info("stopped after draining {}s: no allocations left", drained);
        } else {
            logger.info("stopped after draining {}s: {} allocation{} still active, closed ({})", drained, active,
                    active == 1 ? " was" : "s were", cut);
        }
        stopped.countDown();
    }

    /** Closes the TURN server, then the rest in order; returns false when that was done already. */
    private synchronized boolean closeAll() {
        if (closed) {
            return false;
        }
        closed = true;
        SignalingServer s = signaling;
        if (s != null) {
            s.close();
        }
        server.close();
        for (AutoCloseable c : alsoClose) {
            try {
                c.close();
            } catch (Exception e) {
                logger.warn("closing {}: {}", c, e.toString());
            }
        }
        return true;
    }
}
