package io.parkway.server;

import io.parkway.server.ParkwayConfig.Turn;
import io.parkway.server.metrics.MetricsServer;
import io.parkway.server.metrics.ParkwayMetrics;
import io.parkway.server.metrics.TurnLimits;
import io.parkway.signaling.SignalingServer;
import io.parkway.turn.ListenAddress;
import io.parkway.turn.TurnServer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.ExitCode;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code parkway serve}: picks the configuration ({@link ConfigSource}), applies environment overrides, validates
 * it (exit code 2 with every problem on stderr, before anything is bound), starts the STUN/TURN server, logs each
 * bound address, then hands over to {@link Lifecycle}: SIGHUP reloads, SIGTERM or SIGINT drains and stops, and the
 * command returns 0 once everything is closed.
 */
@Command(name = "serve", description = {
        "Runs the STUN/TURN server until SIGTERM or SIGINT, which drain it first (new allocations refused, active"
                + " ones relay until they end or drain-timeout passes); exits with 0."
                + " SIGHUP reloads the configuration.",
        "Without --config it loads conf/parkway.yaml from the working directory, else /etc/parkway/parkway.yaml;"
                + " without either, the embedded development defaults: loopback only (udp and tcp 127.0.0.1:3478),"
                + " a TURN REST secret generated for this run, loopback peers allowed; it prints credentials and"
                + " how to try it.",
        "PARKWAY_<KEY> environment variables override keys of any of these, e.g. PARKWAY_TURN_RELAY_EXTERNAL_ADDRESS"
                + "=203.0.113.7, PARKWAY_TURN_REST_SECRETS=new,old, PARKWAY_TURN_USERS=alice:pw1,bob:pw2."})
final class ServeCommand implements Callable<Integer> {

    private static final Logger logger = LoggerFactory.getLogger(ServeCommand.class);

    @Spec
    CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE", description = "YAML configuration, such as conf/parkway.yaml"
            + " (default: conf/parkway.yaml if it exists, else /etc/parkway/parkway.yaml if it exists, else the"
            + " embedded development defaults).")
    Path config;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter err = spec.commandLine().getErr();
        Map<String, String> environment = System.getenv();
        ConfigSource source = ConfigSource.resolve(config);
        String devSecret = source.embedded() ? newSecret() : null;
        ParkwayConfig cfg;
        TurnServer server;
        ParkwayMetrics metrics = ParkwayMetrics.create(VersionCommand.version());
        try {
            cfg = source.load(environment, devSecret);
            server = TurnServerFactory.create(cfg, metrics.turnListener());
        } catch (ConfigException e) {
            metrics.close();
            err.println("parkway: " + e.getMessage());
            return ExitCode.USAGE;
        } catch (IllegalArgumentException | IllegalStateException e) { // a rule only the TURN server knows
            metrics.close();
            err.println("parkway: " + new ConfigException(source.name(), List.of(e.getMessage())).getMessage());
            return ExitCode.USAGE;
        }

        logger.info("Parkway {} starting with {}", VersionCommand.version(), source.describe(environment));
        Logging.apply(cfg.log().level());
        EphemeralPorts.warnIfOverlapping(cfg.turn().relay().ports());
        try {
            server.start();
        } catch (Exception e) {
            server.close();
            metrics.close();
            if (e instanceof InterruptedException) {
                throw (InterruptedException) e;
            }
            logger.debug("cannot start", e); // an operational failure, such as a port in use: no stack trace by default
            err.println("parkway: cannot start on " + cfg.turn().listen().stream().map(ListenAddress::toString)
                    .collect(Collectors.joining(" ")) + ": " + (e.getMessage() != null ? e.getMessage() : e));
            return ExitCode.SOFTWARE;
        }
        SignalingServer signaling;
        try {
            signaling = SignalingFactory.create(cfg, server.boundAddresses()).start();
        } catch (Exception e) {
            server.close();
            metrics.close();
            if (e instanceof InterruptedException) {
                throw (InterruptedException) e;
            }
            logger.debug("cannot start signaling", e);
            err.println("parkway: cannot start signaling on " + cfg.signaling().listen() + ": "
                    + (e.getMessage() != null ? e.getMessage() : e));
            return ExitCode.SOFTWARE;
        }
        Lifecycle lifecycle = new Lifecycle(server, source, environment, cfg).signaling(signaling);
        metrics.bindTurn(server, () -> TurnLimits.of(lifecycle.config())); // limits as reloaded
        metrics.bindSignaling(signaling);
        MetricsServer metricsServer;
        try {
            metricsServer = MetricsServer.start(cfg.metrics().listen(), metrics);
        } catch (Exception e) {
            signaling.close();
            server.close();
            metrics.close();
            if (e instanceof InterruptedException) {
                throw (InterruptedException) e;
            }
            logger.debug("cannot serve metrics", e);
            err.println("parkway: cannot serve metrics.listen " + cfg.metrics().listen() + ": "
                    + (e.getMessage() != null ? e.getMessage() : e));
            return ExitCode.SOFTWARE;
        }
        lifecycle.alsoClose(metricsServer).alsoClose(metrics); // /readyz answers 503 until the drain ends
        lifecycle.install();

        logStarted(cfg, server);
        if (devSecret != null) {
            DevelopmentBanner.print(spec.commandLine().getOut(), cfg, server.boundAddresses(), devSecret,
                    Clock.systemUTC());
        }
        return lifecycle.awaitStopped();
    }

    /** One line with every bound address (ephemeral ports resolved) and what clients can authenticate with. */
    private static void logStarted(ParkwayConfig cfg, TurnServer server) {
        Turn t = cfg.turn();
        logger.info("ready on {} (realm {}, {} static users, {} REST secrets)",
                server.boundAddresses().stream().map(ListenAddress::toString).collect(Collectors.joining(" ")),
                cfg.realm(), t.users().size(), t.restSecrets().size());
        if (!t.peers().allow().isEmpty() || !t.peers().deny().isEmpty()) {
            logger.info("peers: default deny list, also denying {}, allowing {}", t.peers().deny(), t.peers().allow());
        }
        if (t.users().isEmpty() && t.restSecrets().isEmpty()) {
            logger.warn("no turn.users and no turn.rest-secrets: every TURN allocation will be refused"
                    + " (STUN Binding still works)");
        }
    }

    /** A TURN REST secret for one development run: 144 random bits, base64url. */
    private static String newSecret() {
        byte[] bytes = new byte[18];
        new SecureRandom().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
