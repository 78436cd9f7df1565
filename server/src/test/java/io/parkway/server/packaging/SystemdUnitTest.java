package io.parkway.server.packaging;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code systemd/parkway.service}: systemd itself accepts it ({@code systemd-analyze verify} and {@code security}),
 * and it carries the service settings and hardening that docs/INSTALL.md promises.
 */
class SystemdUnitTest {

    private static final String INSTALLED_LAUNCHER = "/opt/parkway/parkway";

    /** The drain-timeout default; systemd must wait longer than it before SIGKILL. */
    private static final int DEFAULT_DRAIN_TIMEOUT_SECONDS = 30;

    @Test
    void systemdAnalyzeVerifyAcceptsTheUnitWithoutWarnings(@TempDir Path dir) throws Exception {
        Path analyze = RepoFiles.requireTool("systemd-analyze", "systemd");
        Path unit = installedCopy(dir);
        Result result = run(List.of(analyze.toString(), "verify", "--man=no", unit.toString()));
        assertEquals(0, result.exitCode(), result.output());
        // Unknown keys, bad values and deprecated directives are warnings with exit code 0: each names the unit.
        List<String> aboutUs = result.output().lines().filter(l -> l.contains("parkway.service")).toList();
        assertTrue(aboutUs.isEmpty(), "systemd-analyze verify warned about the unit:\n" + String.join("\n", aboutUs));
    }

    @Test
    void systemdAnalyzeSecurityRatesTheUnitWellSandboxed(@TempDir Path dir) throws Exception {
        Path analyze = RepoFiles.requireTool("systemd-analyze", "systemd");
        Path unit = installedCopy(dir);
        // Exposure 0-10 times ten; the unit scores 3.2 ("OK"). 4.0 leaves room for one deliberate loosening.
        Result result = run(List.of(analyze.toString(), "security", "--offline=yes", "--threshold=40", "--no-pager",
                unit.toString()));
        assertEquals(0, result.exitCode(), "exposure above 4.0:\n" + result.output());
    }

    @Test
    void runsTheLauncherAsADedicatedUserThatSignalsReach() throws Exception {
        UnitFile unit = UnitFile.read(RepoFiles.UNIT);
        assertEquals("exec", unit.get("Service", "Type"));
        assertEquals("parkway", unit.get("Service", "User"));
        assertEquals("parkway", unit.get("Service", "Group"));
        assertEquals("no", unit.get("Service", "DynamicUser"));
        assertEquals("/opt/parkway", unit.get("Service", "WorkingDirectory"));
        assertEquals(INSTALLED_LAUNCHER + " serve --config /etc/parkway/parkway.yaml",
                unit.get("Service", "ExecStart"));
        assertEquals("/bin/kill -HUP $MAINPID", unit.get("Service", "ExecReload"));
        assertEquals("on-failure", unit.get("Service", "Restart"));
        assertEquals("2", unit.get("Service", "RestartSec"));
        assertEquals("SIGTERM", unit.get("Service", "KillSignal"));
        int stopTimeout = Integer.parseInt(unit.get("Service", "TimeoutStopSec"));
        assertTrue(stopTimeout > DEFAULT_DRAIN_TIMEOUT_SECONDS,
                "TimeoutStopSec: " + stopTimeout + " (expected: more than the drain-timeout default, "
                        + DEFAULT_DRAIN_TIMEOUT_SECONDS + ")");
        assertEquals("143", unit.get("Service", "SuccessExitStatus"), "a JVM ended by SIGTERM exits 128+15");
        assertEquals("multi-user.target", unit.get("Install", "WantedBy"));
    }

    @Test
    void holdsOnlyTheCapabilityToBindLowPortsAndEnoughFileDescriptors() throws Exception {
        UnitFile unit = UnitFile.read(RepoFiles.UNIT);
        assertEquals("CAP_NET_BIND_SERVICE", unit.get("Service", "AmbientCapabilities"));
        assertEquals("CAP_NET_BIND_SERVICE", unit.get("Service", "CapabilityBoundingSet"));
        long nofile = Long.parseLong(unit.get("Service", "LimitNOFILE"));
        assertTrue(nofile >= 2 * 65536,
                "LimitNOFILE: " + nofile + " (expected: at least 131072, a socket per relay port and client)");
    }

    @Test
    void isHardened() throws Exception {
        UnitFile unit = UnitFile.read(RepoFiles.UNIT);
        Map<String, String> expected = Map.ofEntries(
                Map.entry("NoNewPrivileges", "yes"),
                Map.entry("ProtectSystem", "strict"),
                Map.entry("ProtectHome", "yes"),
                Map.entry("PrivateTmp", "yes"),
                Map.entry("PrivateDevices", "yes"),
                Map.entry("ProtectKernelTunables", "yes"),
                Map.entry("ProtectKernelModules", "yes"),
                Map.entry("ProtectKernelLogs", "yes"),
                Map.entry("ProtectControlGroups", "yes"),
                Map.entry("ProtectClock", "yes"),
                Map.entry("ProtectHostname", "yes"),
                Map.entry("RestrictAddressFamilies", "AF_INET AF_INET6 AF_UNIX AF_NETLINK"),
                Map.entry("RestrictNamespaces", "yes"),
                Map.entry("RestrictRealtime", "yes"),
                Map.entry("RestrictSUIDSGID", "yes"),
                Map.entry("LockPersonality", "yes"),
                Map.entry("SystemCallArchitectures", "native"));
        List<String> wrong = new ArrayList<>();
        expected.forEach((key, value) -> {
            String actual = unit.get("Service", key);
            if (!value.equals(actual)) {
                wrong.add(key + ": " + actual + " (expected: " + value + ")");
            }
        });
        assertTrue(wrong.isEmpty(), String.join("\n", wrong));
        // The JIT writes code and then runs it: with W^X enforced the JVM cannot start.
        assertNull(unit.get("Service", "MemoryDenyWriteExecute"), "MemoryDenyWriteExecute breaks the JVM's JIT");
    }

    @Test
    void setsTheSameJvmOptionsAsTheLauncher() throws Exception {
        String opts = UnitFile.read(RepoFiles.UNIT).environment("PARKWAY_JAVA_OPTS");
        assertNotNull(opts, "Environment=PARKWAY_JAVA_OPTS=... missing");
        List<String> unitOpts = List.of(opts.trim().split("\\s+"));
        assertTrue(unitOpts.containsAll(RepoFiles.launcherDefaultJavaOpts()),
                "unit: " + unitOpts + " (expected: the launcher's defaults " + RepoFiles.launcherDefaultJavaOpts()
                        + " and more)");
    }

    /** The unit with the installed launcher's path replaced by an executable in {@code dir}: verify checks it. */
    private static Path installedCopy(Path dir) throws Exception {
        Path launcher = Files.writeString(dir.resolve("parkway"), "#!/bin/sh\nexit 0\n");
        Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxr-xr-x"));
        String text = Files.readString(RepoFiles.UNIT);
        assertTrue(text.contains(INSTALLED_LAUNCHER), RepoFiles.UNIT + " does not run " + INSTALLED_LAUNCHER);
        return Files.writeString(dir.resolve("parkway.service"), text.replace(INSTALLED_LAUNCHER, launcher.toString()));
    }

    private record Result(int exitCode, String output) {
    }

    private static Result run(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), UTF_8);
        assertTrue(p.waitFor(1, TimeUnit.MINUTES), command + " did not finish");
        return new Result(p.exitValue(), output);
    }
}
