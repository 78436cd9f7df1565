package io.parkway.server;

import io.parkway.turn.auth.RestCredentials;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code parkway credentials}: issues a TURN REST API credential, exactly as a web application does for each session
 * (coturn's {@code use-auth-secret} format: username {@code EXPIRY:USER}, password
 * {@code base64(HMAC-SHA1(secret, username))}). Prints two lines, {@code username=...} and {@code password=...}.
 */
@Command(name = "credentials", description = {
        "Prints short-lived TURN credentials for USER, signed with a turn.rest-secrets SECRET.",
        "Output: two lines, username=EXPIRY:USER and password=base64(HMAC-SHA1(SECRET, username))."})
final class CredentialsCommand implements Callable<Integer> {

    /** One day, the usual validity of TURN REST credentials handed to a browser session. */
    static final long DEFAULT_TTL_SECONDS = 86_400;

    @Spec
    CommandSpec spec;

    @Option(names = "--secret", required = true, paramLabel = "SECRET", description = "One of turn.rest-secrets.")
    String secret;

    @Option(names = "--user", required = true, paramLabel = "USER", description = "Who the credential is for.")
    String user;

    @Option(names = "--ttl", paramLabel = "SECONDS", defaultValue = "" + DEFAULT_TTL_SECONDS,
            description = "How long the credential stays valid (default: ${DEFAULT-VALUE}).")
    long ttl;

    @Override
    public Integer call() {
        if (secret.isEmpty()) {
            throw new ParameterException(spec.commandLine(), "--secret: \"\" (expected: a non-empty secret)");
        }
        if (user.isEmpty()) {
            throw new ParameterException(spec.commandLine(), "--user: \"\" (expected: a non-empty user name)");
        }
        if (ttl < 1) {
            throw new ParameterException(spec.commandLine(), "--ttl: " + ttl + " (expected: >= 1 second)");
        }
        var c = RestCredentials.issue(secret, user, Duration.ofSeconds(ttl), Clock.systemUTC());
        PrintWriter out = spec.commandLine().getOut();
        out.println("username=" + c.username());
        out.println("password=" + c.password());
        return 0;
    }
}
