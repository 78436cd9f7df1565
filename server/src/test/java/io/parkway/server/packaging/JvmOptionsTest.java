package io.parkway.server.packaging;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The JVM options that the launcher and the unit ship are ones this JVM accepts, and they choose G1. */
class JvmOptionsTest {

    @Test
    void launcherDefaultsAreAcceptedAndSelectG1() throws Exception {
        List<String> opts = RepoFiles.launcherDefaultJavaOpts();
        String flags = printFinalFlags(opts);
        assertTrue(flags.matches("(?s).*bool UseG1GC\\s+= true.*"), flags);
        assertTrue(flags.matches("(?s).*uintx MaxGCPauseMillis\\s+= 10 .*"), "pause goal of 10 ms");
    }

    @Test
    void unitOptionsAreAccepted() throws Exception {
        String opts = UnitFile.read(RepoFiles.UNIT).environment("PARKWAY_JAVA_OPTS");
        printFinalFlags(List.of(opts.trim().split("\\s+")));
    }

    private static String printFinalFlags(List<String> opts) throws Exception {
        List<String> command = new ArrayList<>(List.of(RepoFiles.java().toString()));
        command.addAll(opts);
        command.addAll(List.of("-XX:+PrintFlagsFinal", "-version"));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), UTF_8);
        assertTrue(p.waitFor(1, TimeUnit.MINUTES), command + " did not finish");
        assertEquals(0, p.exitValue(), command + ":\n" + output);
        return output;
    }
}
