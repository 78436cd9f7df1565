package io.parkway.server.packaging;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.core.ConditionTimeoutException;
import org.awaitility.core.TerminalFailureException;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The release tarball that {@code mvn package} builds (packaging/tarball.xml), unpacked as an operator would: it
 * holds the launcher (executable), the jar, the config, the unit and the docs, and its launcher runs the prebuilt
 * jar standalone — no source tree, no build — exec'ing a JVM with the default options that SIGTERM stops.
 * Runs in {@code verify} (failsafe), after {@code package}.
 */
class ReleaseTarballIT {

    private static final Pattern UDP_ADDRESS = Pattern.compile("udp://127\\.0\\.0\\.1:(\\d+)");

    @TempDir
    static Path unpacked;

    static String version;
    static Path home;

    @BeforeAll
    static void unpack() throws Exception {
        if (!Boolean.getBoolean("parkway.failsafe")) {
            String reason = "SKIPPED: ReleaseTarballIT tests the packaged tarball and runs in failsafe (mvn verify),"
                    + " after package; under surefire (-Dtest=...) the tarball is not built yet";
            System.err.println(reason);
            Assumptions.abort(reason);
        }
        Path jar = RepoFiles.TARGET.resolve("parkway.jar");
        assertTrue(Files.isRegularFile(jar), jar + " is missing: run mvn verify, which packages first");
        try (JarFile j = new JarFile(jar.toFile())) {
            version = j.getManifest().getMainAttributes().getValue("Implementation-Version");
        }
        Path tarball = RepoFiles.TARGET.resolve("parkway-" + version + ".tar.gz");
        assertTrue(Files.isRegularFile(tarball), tarball + " is missing (expected from packaging/tarball.xml)");
        Result tar = run(List.of("tar", "-xzf", tarball.toString(), "-C", unpacked.toString()), Map.of());
        assertEquals(0, tar.exitCode(), tar.output());
        home = unpacked.resolve("parkway-" + version);
    }

    @Test
    void holdsWhatAnInstallNeeds() throws Exception {
        for (String file : List.of("parkway", "lib/parkway.jar", "conf/parkway.yaml", "systemd/parkway.service",
                "README.md", "docs/INSTALL.md")) {
            assertTrue(Files.isRegularFile(home.resolve(file)), file + " missing from the tarball");
        }
        assertEquals("rwxr-xr-x",
                PosixFilePermissions.toString(Files.getPosixFilePermissions(home.resolve("parkway"))));
        assertEquals("rw-r--r--", PosixFilePermissions.toString(
                Files.getPosixFilePermissions(home.resolve("conf/parkway.yaml"))));
        assertFalse(Files.exists(home.resolve("server")), "no source tree: the launcher must run lib/parkway.jar");
        assertEquals(Files.readString(RepoFiles.UNIT), Files.readString(home.resolve("systemd/parkway.service")));
        assertEquals(Files.readString(RepoFiles.LAUNCHER), Files.readString(home.resolve("parkway")));
    }

    @Test
    void launcherPrintsTheVersionWithoutBuilding() throws Exception {
        Result result = run(List.of(home.resolve("parkway").toString(), "version"), launcherEnvironment());
        assertEquals(0, result.exitCode(), result.output());
        assertEquals("parkway " + version, result.output().strip());
    }

    @Test
    void launcherExecsTheJvmWhichServesAndStopsOnSigterm(@TempDir Path dir) throws Exception {
        // Ephemeral ports only; the shipped conf/parkway.yaml binds fixed ones.
        Path config = Files.writeString(dir.resolve("parkway.yaml"), """
                turn:
                  listen: [ "udp://127.0.0.1:0", "tcp://127.0.0.1:0" ]
                  users: { alice: wonderland }
                metrics:
                  listen: "http://127.0.0.1:0"
                signaling:
                  listen: "http://127.0.0.1:0"
                """);
        ProcessBuilder builder = new ProcessBuilder(home.resolve("parkway").toString(), "serve", "--config",
                config.toString()).directory(dir.toFile()).redirectErrorStream(true);
        builder.environment().putAll(launcherEnvironment());
        builder.environment().remove("PARKWAY_JAVA_OPTS");
        Process process = builder.start();
        List<String> output = new CopyOnWriteArrayList<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    output.add(line);
                }
            } catch (IOException ignored) {
                // the process ended
            }
        }, "parkway-output");
        reader.start();
        try {
            try {
                await().atMost(Duration.ofMinutes(1))
                        .failFast("parkway exited", () -> !process.isAlive())
                        .until(() -> output.stream().anyMatch(l -> l.contains("ready on ")));
            } catch (ConditionTimeoutException | TerminalFailureException e) {
                throw new AssertionError("parkway did not log \"ready on\": " + output, e);
            }
            // The launcher exec'd java: the process systemd (or this test) signals is the JVM itself...
            String command = process.info().command().orElse("");
            assertTrue(command.endsWith("/java"), "launcher did not exec java; process runs " + command);
            // ...and, with PARKWAY_JAVA_OPTS unset, runs with the launcher's defaults.
            List<String> arguments = List.of(process.info().arguments().orElse(new String[0]));
            assertTrue(arguments.containsAll(RepoFiles.launcherDefaultJavaOpts()), arguments.toString());
            assertTrue(arguments.contains(home.resolve("lib/parkway.jar").toString()), arguments.toString());
            assertBindingSucceeds(udpPort(output));
        } finally {
            process.toHandle().destroy(); // SIGTERM
            boolean exited = process.waitFor(1, TimeUnit.MINUTES);
            if (!exited) {
                process.destroyForcibly();
            }
            reader.join(10_000);
            assertTrue(exited, "parkway did not exit on SIGTERM: " + output);
        }
        // 0 after a drain; 128+15 where the JVM's own SIGTERM handling ends it: the unit counts both as clean.
        assertTrue(process.exitValue() == 0 || process.exitValue() == 128 + 15,
                "exit code " + process.exitValue() + " (expected: 0 or 143): " + output);
        assertTrue(output.stream().anyMatch(l -> l.contains("stopped")), output.toString());
        assertTrue(output.stream().noneMatch(l -> l.contains("building")), output.toString());
    }

    /** PATH starts with this test's JVM, as /usr/bin/java would on the VPS; Maven is not needed. */
    private static Map<String, String> launcherEnvironment() {
        return Map.of("PATH", RepoFiles.java().getParent() + ":/usr/bin:/bin");
    }

    private static int udpPort(List<String> output) {
        String ready = output.stream().filter(l -> l.contains("ready on ")).findFirst().orElseThrow();
        Matcher m = UDP_ADDRESS.matcher(ready);
        assertTrue(m.find(), ready);
        return Integer.parseInt(m.group(1));
    }

    /** RFC 8489 section 6: a Binding request answered by a Binding success response with our transaction ID. */
    private static void assertBindingSucceeds(int port) throws Exception {
        byte[] transactionId = new byte[12];
        ThreadLocalRandom.current().nextBytes(transactionId);
        ByteBuffer request = ByteBuffer.allocate(20).putShort((short) 0x0001).putShort((short) 0)
                .putInt(0x2112A442).put(transactionId);
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            socket.setSoTimeout(2000);
            byte[] buf = new byte[1500];
            for (int attempt = 0; ; attempt++) { // UDP: retransmit, as RFC 8489 section 6.2.1 asks of clients
                socket.send(new DatagramPacket(request.array(), 20, InetAddress.getLoopbackAddress(), port));
                DatagramPacket response = new DatagramPacket(buf, buf.length);
                try {
                    socket.receive(response);
                } catch (SocketTimeoutException e) {
                    if (attempt < 4) {
                        continue;
                    }
                    throw e;
                }
                ByteBuffer b = ByteBuffer.wrap(buf, 0, response.getLength());
                assertEquals(0x0101, b.getShort() & 0xffff, "Binding success response");
                b.getShort();
                assertEquals(0x2112A442, b.getInt());
                byte[] echoed = new byte[12];
                b.get(echoed);
                assertArrayEquals(transactionId, echoed);
                return;
            }
        }
    }

    private record Result(int exitCode, String output) {
    }

    private static Result run(List<String> command, Map<String, String> environment) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(environment);
        builder.environment().remove("PARKWAY_JAVA_OPTS");
        Process p = builder.start();
        String output = new String(p.getInputStream().readAllBytes(), UTF_8);
        assertTrue(p.waitFor(1, TimeUnit.MINUTES), command + " did not finish");
        return new Result(p.exitValue(), output);
    }
}
