package io.parkway.server.check;

import io.parkway.server.check.CheckAddresses.HostPort;
import io.parkway.turn.auth.OpaqueString;
import io.parkway.turn.auth.RestCredential;
import io.parkway.turn.auth.RestCredentials;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code parkway check}: an end-to-end self-test of a STUN/TURN server from the command line, for a sysadmin right
 * after installing one: Binding, two allocations, permissions, a channel, a relayed round trip through the second
 * allocation as echo peer, and the deletion of both allocations, each step printed with its time, then a verdict
 * ({@link SelfTest}). Works against any RFC 8656 server that accepts its own relayed addresses as peers, coturn
 * included.
 *
 * <p>Exit codes: 0 every step worked; 1 a step failed (the verdict line says which and what to check); 2 usage error.
 */
@Command(name = "check", sortOptions = false,
        description = {
            "End-to-end self-test of a STUN/TURN server: binding, allocate, permission, channel bind, a relayed round"
                + " trip through a second allocation acting as echo peer, and refresh 0 (delete); each step with its"
                + " time, then a verdict.",
            "Credentials: --secret (one of turn.rest-secrets; a TURN REST credential is derived from it) or"
                + " --user with --password (one of turn.users)."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:every step worked", "1:a step failed; the VERDICT line says which and what to check",
            "2:usage error"})
public final class CheckCommand implements Callable<Integer> {
    /** The user part of REST credentials when {@code --user} is not given. */
    static final String DEFAULT_REST_USER = "parkway-check";

    @Spec
    CommandSpec spec;

    @Option(names = "--server", required = true, paramLabel = "HOST:PORT",
            description = "The server: an IP address or host name (resolved once), port 3478 when left out.")
    String server;

    @Option(names = "--secret", paramLabel = "SECRET",
            description = "A REST API shared secret of the server (turn.rest-secrets; coturn: static-auth-secret).")
    String secret;

    @Option(names = "--user", paramLabel = "NAME", description = "With --secret: the user part of the REST username"
            + " (default: " + DEFAULT_REST_USER + "). With --password: a static user (turn.users).")
    String user;

    @Option(names = "--password", paramLabel = "PASSWORD", description = "The password of --user.")
    String password;

    @Option(names = "--ttl", paramLabel = "SECONDS", defaultValue = "600",
            description = "With --secret: how long the REST credential stays valid (default: ${DEFAULT-VALUE}).")
    long ttl;

    @Option(names = "--count", paramLabel = "N", defaultValue = "10",
            description = "Packets to relay in the round trip (default: ${DEFAULT-VALUE}).")
    int count;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "10",
            description = "How long each request may take, retransmissions included (default: ${DEFAULT-VALUE}).")
    double timeout;

    @Option(names = "--tcp", description = "Talk to the server over TCP instead of UDP (the relay is UDP either way).")
    boolean tcp;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    /** Public for picocli, which instantiates subcommands by reflection. */
    public CheckCommand() {
    }

    @Override
    public Integer call() {
        HostPort target;
        try {
            target = CheckAddresses.parseServer(server);
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage());
        }
        if (count < 1 || count > 10_000) {
            throw usage("--count: " + count + " (expected: 1-10000)");
        }
        if (!(timeout > 0 && timeout <= 600)) {
            throw usage("--timeout: " + timeout + " (expected: more than 0, at most 600 seconds)");
        }
        Duration bound = Duration.ofNanos((long) (timeout * 1e9));
        SelfTest.Settings settings;
        if (secret != null && password != null) {
            throw usage("--secret and --password: both given (expected: --secret S, or --user U --password P)");
        } else if (secret != null) {
            if (secret.isEmpty()) {
                throw usage("--secret: \"\" (expected: a non-empty secret)");
            }
            if (ttl < 1) {
                throw usage("--ttl: " + ttl + " (expected: >= 1 second)");
            }
            String name = user == null ? DEFAULT_REST_USER : user;
            RestCredential c = RestCredentials.issue(secret, name, Duration.ofSeconds(ttl), Clock.systemUTC());
            checkPrepared("--user", c.username());
            settings = new SelfTest.Settings(target, tcp, c.username(), c.password(), true, name, count, bound);
        } else if (password != null) {
            if (user == null || user.isEmpty()) {
                throw usage("--password without --user (expected: --user U --password P)");
            }
            checkPrepared("--user", user);
            checkPrepared("--password", password);
            settings = new SelfTest.Settings(target, tcp, user, password, false, user, count, bound);
        } else {
            throw usage("credentials: none given (expected: --secret S, or --user U --password P)");
        }
        return new SelfTest(settings, new CheckReport(spec.commandLine().getOut())).run();
    }

    /** RFC 8489 sections 9.2.2 and 14.3: usernames and passwords go through OpaqueString. */
    private void checkPrepared(String option, String value) {
        try {
            OpaqueString.apply(value);
        } catch (IllegalArgumentException e) {
            throw usage(option + ": " + e.getMessage());
        }
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }
}
