package io.parkway.server;

import io.parkway.server.ParkwayConfig.Turn;
import io.parkway.turn.ListenAddress;
import io.parkway.turn.TurnServer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.ExitCode;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code parkway serve}: validates the configuration (exit code 2 with every problem on stderr, before anything is
 * bound), starts the STUN/TURN server, logs each bound address and blocks until SIGTERM or SIGINT, when a shutdown
 * hook closes the server.
 */
@Command(name = "serve", description = {
        "Runs the STUN/TURN server until SIGTERM or SIGINT.",
        "Without --config, runs the embedded development defaults: loopback only (udp and tcp 127.0.0.1:3478),"
                + " a TURN REST secret generated for this run, loopback peers allowed; it prints credentials and"
                + " how to try it. conf/parkway.yaml is not read unless given with --config."})
final class ServeCommand implements Callable<Integer> {

    private static final Logger logger = LoggerFactory.getLogger(ServeCommand.class);

    @Spec
    CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE", description = "YAML configuration, such as conf/parkway.yaml.")
    Path config;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter err = spec.commandLine().getErr();
        String source = config == null ? "embedded development defaults" : config.toString();
        String devSecret = null;
        ParkwayConfig cfg;
        TurnServer server;
        try {
            if (config == null) {
                devSecret = newSecret();
                cfg = ParkwayConfig.development(devSecret);
            } else {
                cfg = ConfigLoader.load(config);
            }
            server = TurnServerFactory.create(cfg);
        } catch (ConfigException e) {
            err.println("parkway: " + e.getMessage());
            return ExitCode.USAGE;
        } catch (IllegalArgumentException | IllegalStateException e) { // a rule only the TURN server knows
            err.println("parkway: " + new ConfigException(source, List.of(e.getMessage())).getMessage());
            return ExitCode.USAGE;
        }

        logger.info("Parkway {} starting with {}", VersionCommand.version(), source);
        try {
            server.start();
        } catch (Exception e) {
            server.close();
            if (e instanceof InterruptedException) {
                throw (InterruptedException) e;
            }
            logger.debug("cannot start", e); // an operational failure, such as a port in use: no stack trace by default
            err.println("parkway: cannot start on " + cfg.turn().listen().stream().map(ListenAddress::toString)
                    .collect(Collectors.joining(" ")) + ": " + (e.getMessage() != null ? e.getMessage() : e));
            return ExitCode.SOFTWARE;
        }
        CountDownLatch closed = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            logger.info("shutting down");
            server.close();
            logger.info("stopped");
            closed.countDown();
        }, "parkway-shutdown"));

        logStarted(cfg, server);
        if (devSecret != null) {
            DevelopmentBanner.print(spec.commandLine().getOut(), cfg, server.boundAddresses(), devSecret,
                    Clock.systemUTC());
        }
        closed.await();
        return ExitCode.OK;
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
