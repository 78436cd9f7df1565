package io.parkway.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.core.ConditionTimeoutException;
import org.awaitility.core.TerminalFailureException;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code parkway serve} as a separate JVM, the way systemd runs it: it logs each bound address, answers STUN and
 * relays for coturn's {@code turnutils_uclient}, and on SIGTERM drains, closes the server and exits with 0. Without
 * {@code --config} it loads {@code conf/parkway.yaml} from the working directory, or runs the development defaults.
 * (Reload and drain in depth: {@link LifecycleProcessTest}.)
 */
class ServeProcessTest {

    private static final Pattern ADDRESS = Pattern.compile("(udp|tcp)://127\\.0\\.0\\.1:(\\d+)");

    @Test
    void servesOnEphemeralPortsAndStopsOnSigterm(@TempDir Path dir) throws Exception {
        Path config = Files.writeString(dir.resolve("parkway.yaml"), """
                turn:
                  listen: [ "udp://127.0.0.1:0", "tcp://127.0.0.1:0" ]
                  users: { alice: wonderland }
                  peers: { allow: [ 127.0.0.0/8 ] }
                metrics: { listen: "http://127.0.0.1:0" }
                drain-timeout: 1 # uclient abandons probe allocations, which would hold the drain for 30 s
                """);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "serve", "--config", config.toString())
                .redirectErrorStream(true)
                .start();
        List<String> output = new CopyOnWriteArrayList<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    output.add(line);
                }
            } catch (java.io.IOException ignored) {
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
            int udpPort = port(output, "udp");
            int tcpPort = port(output, "tcp");
            assertTrue(udpPort > 0 && tcpPort > 0, output.toString());

            assertBindingSucceeds(udpPort);
            relayWithCoturnClient(udpPort, false);
            relayWithCoturnClient(tcpPort, true);
        } finally {
            process.toHandle().destroy(); // SIGTERM; unlike Process.destroy(), leaves the output pipe open to read
            boolean exited = process.waitFor(1, TimeUnit.MINUTES);
            if (!exited) {
                process.destroyForcibly();
            }
            reader.join(10_000);
            assertTrue(exited, "parkway did not exit on SIGTERM: " + output);
        }
        assertEquals(0, process.exitValue(), output.toString()); // drained and closed: a clean exit
        assertTrue(output.get(output.size() - 1).contains("stopped after draining"), output.toString());
    }

    /**
     * {@code ./parkway serve} in a checkout: no --config, so conf/parkway.yaml of the working directory, the shipped
     * file; its listen addresses (fixed port 3478) are overridden by an environment variable to ephemeral ports.
     */
    @Test
    void withoutConfigLoadsConfParkwayYamlFromTheWorkingDirectory() throws Exception {
        Path checkout = ConfigLoaderTest.SHIPPED.toAbsolutePath().getParent().getParent().normalize();
        try (ParkwayProcess parkway = ParkwayProcess.start(checkout,
                java.util.Map.of("PARKWAY_TURN_LISTEN", "udp://127.0.0.1:0, tcp://127.0.0.1:0"), "serve")) {
            String starting = parkway.awaitLine("starting with ");
            assertTrue(starting.contains(checkout.resolve("conf/parkway.yaml") + " (found as conf/parkway.yaml in the"
                    + " working directory; --config FILE chooses another) with PARKWAY_METRICS_LISTEN,"
                    + " PARKWAY_SIGNALING_LISTEN, PARKWAY_TURN_LISTEN"), starting);
            try (MiniTurnClient alice = new MiniTurnClient(parkway.port("udp"), "alice", "wonderland")) {
                assertTrue(alice.allocate().success(), "the shipped example user allocates");
                assertTrue(alice.refresh(0).success());
            }
            parkway.signal("TERM");
            assertEquals(0, parkway.awaitExit(Duration.ofMinutes(1)), parkway.output());
            assertTrue(!parkway.output().contains("Parkway development server"), "no banner for a file");
            parkway.assertNeverPrinted(List.of("wonderland", "s3cret"));
            parkway.assertNoLeaks();
        }
    }

    /** No --config and no file in a default place: the development defaults and their banner. */
    @Test
    void withoutAnyConfigFileRunsTheDevelopmentDefaults(@TempDir Path empty) throws Exception {
        Assumptions.assumeFalse(Files.exists(Path.of("/etc/parkway/parkway.yaml")),
                "SKIPPED: /etc/parkway/parkway.yaml exists on this machine, so serve would load it");
        try (ParkwayProcess parkway = ParkwayProcess.start(empty,
                java.util.Map.of("PARKWAY_TURN_LISTEN", "udp://127.0.0.1:0"), "serve")) {
            assertTrue(parkway.awaitLine("starting with ").contains("starting with embedded development defaults"
                    + " (no --config and none of [conf/parkway.yaml, /etc/parkway/parkway.yaml] exists)"
                    + " with PARKWAY_METRICS_LISTEN, PARKWAY_SIGNALING_LISTEN, PARKWAY_TURN_LISTEN"), parkway.output());
            int port = parkway.port("udp");
            parkway.awaitLine("Parkway development server (no configuration file, embedded defaults)");
            parkway.awaitLine("listening  udp://127.0.0.1:" + port);
            parkway.signal("HUP");
            parkway.awaitLine("SIGHUP: nothing to reload: running the embedded development defaults");
            parkway.signal("TERM");
            assertEquals(0, parkway.awaitExit(Duration.ofMinutes(1)), parkway.output());
            parkway.assertNoLeaks();
        }
    }

    private static int port(List<String> output, String scheme) {
        String ready = output.stream().filter(l -> l.contains("ready on ")).findFirst().orElseThrow();
        for (Matcher m = ADDRESS.matcher(ready); m.find(); ) {
            if (m.group(1).equals(scheme)) {
                return Integer.parseInt(m.group(2));
            }
        }
        return -1;
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
                } catch (java.net.SocketTimeoutException e) {
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

    /** Two coturn clients allocate and relay to each other's relayed address through parkway. */
    private static void relayWithCoturnClient(int port, boolean tcp) throws Exception {
        Path uclient = Path.of("/usr/bin/turnutils_uclient");
        Assumptions.assumeTrue(Files.isExecutable(uclient),
                "SKIPPED: " + uclient + " is missing; install Debian's coturn package (.ci/run does)");
        List<String> command = new java.util.ArrayList<>(List.of(uclient.toString()));
        if (tcp) {
            command.add("-t");
        }
        command.addAll(Arrays.asList("-y", "-c", "-n", "5", "-u", "alice", "-w", "wonderland",
                "-p", Integer.toString(port), "127.0.0.1"));
        Path log = Files.createTempFile("uclient", ".log");
        Process client = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.to(log.toFile())).start();
        boolean exited = client.waitFor(2, TimeUnit.MINUTES);
        if (!exited) {
            client.destroyForcibly().waitFor();
        }
        String out = Files.readString(log);
        Files.delete(log);
        assertTrue(exited, "turnutils_uclient did not finish: " + out);
        assertEquals(0, client.exitValue(), out);
        assertTrue(out.contains("Total lost packets 0 "), out);
    }
}
