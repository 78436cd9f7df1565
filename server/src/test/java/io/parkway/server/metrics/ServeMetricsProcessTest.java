package io.parkway.server.metrics;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parkway.server.metrics.PrometheusText.Sample;
import io.parkway.testing.CoturnTools;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code parkway serve} as a separate JVM with {@code metrics.listen} on an ephemeral port: it logs the metrics URL, a
 * scrape during a live {@code turnutils_uclient} run shows relayed packets rising before the session ends, and on
 * SIGTERM {@code /readyz} turns 503 while the drain lets the session relay to its end.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ServeMetricsProcessTest {

    private static final Pattern METRICS_URL = Pattern.compile("metrics on (http://127\\.0\\.0\\.1:\\d+)/metrics");
    private static final Pattern UDP = Pattern.compile("udp://127\\.0\\.0\\.1:(\\d+)");

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @Test
    void scrapeDuringUclientAndReadyzDuringDrain(@TempDir Path dir) throws Exception {
        Path uclient = CoturnTools.requireUclient();
        Path config = Files.writeString(dir.resolve("parkway.yaml"), """
                turn:
                  listen: [ "udp://127.0.0.1:0", "tcp://127.0.0.1:0" ]
                  users: { alice: wonderland }
                  peers: { allow: [ 127.0.0.0/8 ] }
                drain-timeout: 120
                metrics:
                  listen: "http://127.0.0.1:0"
                signaling:
                  listen: "http://127.0.0.1:0"
                """);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                "io.parkway.server.Main", "serve", "--config", config.toString()).redirectErrorStream(true);
        pb.environment().keySet().removeIf(name -> name.startsWith("PARKWAY_"));
        Process parkway = pb.start();
        List<String> output = new CopyOnWriteArrayList<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(parkway.getInputStream(), UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    output.add(line);
                }
            } catch (IOException ignored) {
                // the process ended
            }
        }, "parkway-output");
        reader.setDaemon(true);
        reader.start();
        Process session = null;
        Path log = dir.resolve("uclient.log");
        try {
            await().atMost(Duration.ofMinutes(1)).failFast("parkway exited: " + output, () -> !parkway.isAlive())
                    .until(() -> output.stream().anyMatch(l -> l.contains("ready on ")));
            String base = find(output, METRICS_URL);
            int udpPort = Integer.parseInt(find(output, UDP));
            assertEquals("ready", get(base + "/readyz").body());

            session = new ProcessBuilder(uclient.toString(), "-y", "-c", "-n", "2000", "-z", "10",
                    "-u", "alice", "-w", "wonderland", "-p", Integer.toString(udpPort), "127.0.0.1")
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            Process running = session;
            await().atMost(Duration.ofSeconds(30)).failFast("uclient ended", () -> !running.isAlive())
                    .until(() -> relayed(base) > 0);
            double first = relayed(base);
            await().atMost(Duration.ofSeconds(30)).failFast("uclient ended", () -> !running.isAlive())
                    .until(() -> relayed(base) > first);
            assertTrue(session.isAlive(), "relayed packets rose before the uclient session ended");

            parkway.toHandle().destroy(); // SIGTERM: drain
            await().atMost(Duration.ofSeconds(30)).until(() -> get(base + "/readyz").statusCode() == 503);
            assertEquals("not ready", get(base + "/readyz").body());
            assertEquals("ok", get(base + "/healthz").body());
            List<Sample> draining = PrometheusText.parse(get(base + "/metrics").body());
            assertEquals(0.0, PrometheusText.value(draining, "parkway_ready"));
            double atDrain = relayed(draining);
            await().atMost(Duration.ofSeconds(30)).failFast("uclient ended", () -> !running.isAlive())
                    .until(() -> relayed(base) > atDrain);

            assertTrue(session.waitFor(2, TimeUnit.MINUTES), "uclient did not finish: " + Files.readString(log));
            String out = Files.readString(log);
            assertEquals(0, session.exitValue(), out);
            assertTrue(out.contains("Total lost packets 0 "), "the drain kept relaying: " + out);

            if (parkway.isAlive()) {
                parkway.toHandle().destroy(); // a second SIGTERM cuts what is left of the drain short
            }
            assertTrue(parkway.waitFor(1, TimeUnit.MINUTES), "parkway did not stop: " + output);
            assertEquals(0, parkway.exitValue(), output.toString());
        } finally {
            if (session != null) {
                session.destroyForcibly().waitFor();
            }
            parkway.destroyForcibly().waitFor();
            reader.join(10_000);
        }
    }

    private double relayed(String base) throws IOException, InterruptedException {
        return relayed(PrometheusText.parse(get(base + "/metrics").body()));
    }

    private static double relayed(List<Sample> samples) {
        return PrometheusText.value(samples, "parkway_turn_relayed_packets_total",
                "direction", "client_to_peer", "transport", "udp");
    }

    private HttpResponse<String> get(String url) throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String find(List<String> output, Pattern pattern) {
        List<String> lines = new ArrayList<>(output);
        for (String line : lines) {
            Matcher m = pattern.matcher(line);
            if (m.find()) {
                return m.group(1);
            }
        }
        throw new AssertionError(pattern + " not in the output: " + lines);
    }
}
