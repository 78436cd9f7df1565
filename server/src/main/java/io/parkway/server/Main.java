package io.parkway.server;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ExitCode;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The {@code parkway} command line: {@code serve}, {@code credentials}, {@code version}.
 *
 * <p>Exit codes: 0 success; 1 failure at run time (such as an address already in use); 2 usage or configuration
 * error, reported before anything is bound.
 */
@Command(name = "parkway", mixinStandardHelpOptions = true, versionProvider = VersionCommand.Provider.class,
        description = "Parkway: a STUN/TURN relay server for live audio on the web.",
        subcommands = {ServeCommand.class, CredentialsCommand.class, io.parkway.server.check.CheckCommand.class,
                VersionCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Callable<Integer> {

    private static final Logger logger = LoggerFactory.getLogger(Main.class);

    @Spec
    CommandSpec spec;

    /** Runs the command; {@code serve} returns only after the JVM began shutting down (SIGTERM, SIGINT). */
    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the command line {@code args}, printing to {@code out} and {@code err}; returns the exit code. */
    static int run(String[] args, PrintStream out, PrintStream err) {
        PrintWriter o = new PrintWriter(out, true);
        PrintWriter e = new PrintWriter(err, true);
        CommandLine cli = new CommandLine(new Main())
                .setOut(o)
                .setErr(e)
                .setExecutionExceptionHandler((ex, cmd, parsed) -> {
                    logger.error("{} failed", cmd.getCommandName(), ex);
                    cmd.getErr().println("parkway " + cmd.getCommandName() + ": " + ex);
                    return ExitCode.SOFTWARE;
                });
        try {
            return cli.execute(args);
        } finally {
            o.flush();
            e.flush();
        }
    }

    /** {@code parkway} without a command: usage on stderr, exit code 2. */
    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        err.println("Missing command");
        spec.commandLine().usage(err);
        return ExitCode.USAGE;
    }
}
