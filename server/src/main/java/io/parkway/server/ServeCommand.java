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
            logger.error("cannot start", e);
            err.println("parkway: cannot start: " + e);
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

    private static void logStarted(ParkwayConfig cfg, TurnServer server) {
        for (ListenAddress a : server.boundAddresses()) {
            logger.info("listening on {}", a);
        }
        Turn t = cfg.turn();
        logger.info("relaying on {} ports {}{}, realm {}",
                t.relay().address() != null ? t.relay().address().getHostAddress()
                        : t.listen().get(0).address().getAddress().getHostAddress(),
                t.relay().ports(),
                t.relay().externalAddress() != null
                        ? ", advertised as " + t.relay().externalAddress().getHostAddress() : "",
                cfg.realm());
        if (!t.peers().allow().isEmpty() || !t.peers().deny().isEmpty()) {
            logger.info("peers: default deny list, also denying {}, allowing {}", t.peers().deny(), t.peers().allow());
        }
        if (t.users().isEmpty() && t.restSecrets().isEmpty()) {
            logger.warn("no turn.users and no turn.rest-secrets: every TURN allocation will be refused"
                    + " (STUN Binding still works)");
        } else {
            logger.info("{} static users, {} REST secrets", t.users().size(), t.restSecrets().size());
        }
    }

    /** A TURN REST secret for one development run: 144 random bits, base64url. */
    private static String newSecret() {
        byte[] bytes = new byte[18];
        new SecureRandom().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
