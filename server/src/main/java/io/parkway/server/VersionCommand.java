package io.parkway.server;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code parkway version}: prints {@code parkway VERSION}, the jar's Implementation-Version or "dev". */
@Command(name = "version", description = "Prints the version of Parkway.")
final class VersionCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().getOut().println("parkway " + version());
        return 0;
    }

    /** The Implementation-Version of the jar manifest; "dev" when running from classes, as in tests and IDEs. */
    static String version() {
        String v = VersionCommand.class.getPackage().getImplementationVersion();
        return v != null ? v : "dev";
    }

    /** Serves {@code parkway --version}. */
    static final class Provider implements IVersionProvider {

        @Override
        public String[] getVersion() {
            return new String[] {"parkway " + version()};
        }
    }
}
