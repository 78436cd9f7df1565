package io.parkway.server.check;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import io.parkway.server.check.CheckCommandTest.Result;
import io.parkway.testing.CoturnTools;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code parkway check} against coturn's {@code turnserver} (Debian package {@code coturn}, which {@code .ci/run}
 * installs): the check is a client for any RFC 8656 server, not only for Parkway. Skips loudly when coturn is missing,
 * except in CI ({@code CI=true}), where it fails.
 */
class CheckAgainstCoturnTest {
    private static final String SECRET = "s3cret";

    @Test
    void passesAgainstCoturnThatAllowsLoopbackPeers(@TempDir Path dir) throws Exception {
        try (Coturn coturn = Coturn.start(dir, true)) {
            Result r = CheckCommandTest.run("--server", coturn.target(), "--secret", SECRET, "--count", "5");
            assertEquals(0, r.code(), r.all() + coturn.log());
            CheckCommandTest.assertLine(r, "^\\[ok\\] +binding .* server \"Coturn-.*$");
            CheckCommandTest.assertLine(r, "^\\[ok\\] +relay round trip +\\d+\\.\\d ms  5/5 packets, .*$");
            CheckCommandTest.assertLine(r, "^VERDICT: OK - STUN and TURN relay work on .* \\(udp\\)$");

            r = CheckCommandTest.run("--server", coturn.target(), "--secret", SECRET, "--count", "2", "--tcp");
            assertEquals(0, r.code(), r.all() + coturn.log());
        }
    }

    @Test
    void explainsCoturnRefusingItsOwnRelayedAddressesAsPeers(@TempDir Path dir) throws Exception {
        try (Coturn coturn = Coturn.start(dir, false)) {
            Result r = CheckCommandTest.run("--server", coturn.target(), "--secret", SECRET);
            assertEquals(1, r.code(), r.all() + coturn.log());
            CheckCommandTest.assertLine(r, "^\\[FAIL\\] +permission \\(A->B\\) +\\d+\\.\\d ms  403 .*$");
            CheckCommandTest.assertLine(r, "^VERDICT: FAILED at permission \\(A->B\\): 403 .* - the server's peer policy"
                    + " refused the other allocation's relayed address 127\\.0\\.0\\.1:\\d+ as a peer: .*"
                    + "--allow-loopback-peers.*$");
        }
    }

    /** One {@code turnserver} process on 127.0.0.1, on a free port, with a REST secret; stopped by close. */
    private record Coturn(Process process, int port, Path logFile) implements AutoCloseable {

        static Coturn start(Path dir, boolean allowLoopbackPeers) throws Exception {
            Path turnserver = CoturnTools.requireTurnserver();
            int port = freePort();
            int minRelayPort = 20_000 + ThreadLocalRandom.current().nextInt(20_000);
            Path logFile = dir.resolve("coturn.log");
            List<String> command = new ArrayList<>(List.of(turnserver.toString(), "-n",
                    "--listening-ip=127.0.0.1", "--listening-port=" + port, "--relay-ip=127.0.0.1",
                    "--min-port=" + minRelayPort, "--max-port=" + (minRelayPort + 200),
                    "--use-auth-secret", "--static-auth-secret=" + SECRET, "--realm=coturn.test",
                    "--no-tls", "--no-dtls", "--no-cli", "--cli-password=x",
                    "--pidfile=" + dir.resolve("turnserver.pid"), "--userdb=" + dir.resolve("turndb"),
                    "--log-file=" + logFile, "--simple-log", "--no-stdout-log"));
            if (allowLoopbackPeers) {
                command.add("--allow-loopback-peers");
            }
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("coturn.out").toFile()).start();
            Coturn coturn = new Coturn(process, port, logFile);
            try {
                await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                        .until(() -> !process.isAlive() || answersBinding(port));
                if (!process.isAlive()) {
                    fail("turnserver exited with " + process.exitValue() + ": " + coturn.log());
                }
                return coturn;
            } catch (RuntimeException | Error e) {
                coturn.close();
                throw e;
            }
        }

        String target() {
            return "127.0.0.1:" + port;
        }

        String log() {
            try {
                return Files.exists(logFile) ? "\ncoturn log:\n" + Files.readString(logFile) : "";
            } catch (IOException e) {
                return "";
            }
        }

        @Override
        public void close() throws InterruptedException {
            process.destroy();
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        }

        private static boolean answersBinding(int port) {
            InetSocketAddress server = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
            try (TurnCheckClient client = new TurnCheckClient(CheckTransport.udp(server), Duration.ofMillis(300))) {
                client.binding();
                return true;
            } catch (CheckFailure | IOException e) {
                return false;
            }
        }

        /** A port free for both UDP and TCP on 127.0.0.1 right now. */
        private static int freePort() throws IOException {
            for (int i = 0; i < 20; i++) {
                try (DatagramSocket udp = new DatagramSocket(0, InetAddress.getLoopbackAddress());
                        ServerSocket tcp = new ServerSocket(udp.getLocalPort(), 1, InetAddress.getLoopbackAddress())) {
                    return tcp.getLocalPort();
                } catch (IOException e) {
                    // taken over TCP: try another
                }
            }
            throw new IOException("no port free for both UDP and TCP on 127.0.0.1 after 20 tries");
        }
    }
}
