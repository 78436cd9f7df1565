package io.parkway.server.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.parkway.server.ConfigException;
import io.parkway.server.ConfigLoader;
import io.parkway.server.ParkwayConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code metrics:} section of the configuration and {@link TurnLimits} taken from a configuration. */
class MetricsConfigTest {

    @Test
    void listensOnLoopback9641ByDefault() throws Exception {
        assertEquals(HttpAddress.parse("http://127.0.0.1:9641"), ParkwayConfig.defaults().metrics().listen());
        assertEquals(ParkwayConfig.defaults().metrics(), ConfigLoader.parse("metrics:\n", "null section").metrics());
        assertEquals(ParkwayConfig.defaults().metrics(),
                ConfigLoader.parse("metrics: { listen: null }\n", "null key").metrics());
    }

    @Test
    void readsListen() throws Exception {
        assertEquals(HttpAddress.parse("http://[::1]:9100"),
                ConfigLoader.parse("metrics: { listen: \"http://[::1]:9100\" }\n", "test").metrics().listen());
    }

    @Test
    void environmentOverridesListen(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("parkway.yaml"), "metrics: { listen: \"http://127.0.0.1:1\" }\n");
        assertEquals(HttpAddress.parse("http://127.0.0.1:9000"), ConfigLoader.load(file,
                Map.of("PARKWAY_METRICS_LISTEN", "http://127.0.0.1:9000")).metrics().listen());
    }

    @Test
    void reportsEveryBadKeyWithItsPath() {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.parse("""
                metrics:
                  listen: "localhost:9641"
                  path: /metrics
                """, "test"));
        assertEquals(List.of(
                "metrics.path: unknown key (expected one of: listen)",
                "metrics.listen: localhost:9641 (expected: " + HttpAddress.EXPECTED + ")"), e.problems());

        e = assertThrows(ConfigException.class, () -> ConfigLoader.parse("metrics: { listen: 9641 }\n", "test"));
        assertEquals(List.of("metrics.listen: 9641 (expected: " + HttpAddress.EXPECTED + ")"), e.problems());

        e = assertThrows(ConfigException.class, () -> ConfigLoader.parse("metrics: http://127.0.0.1:9641\n", "test"));
        assertEquals(List.of("metrics: http://127.0.0.1:9641 (expected: a mapping with keys listen)"), e.problems());
    }

    @Test
    void limitsComeFromTheTurnSection() throws Exception {
        ParkwayConfig c = ConfigLoader.parse("""
                turn:
                  relay: { ports: 50000-50099 }
                  allocations-per-user: 4
                  max-allocations: 90
                """, "test");
        assertEquals(new TurnLimits(90, 4, 100), TurnLimits.of(c));
        assertEquals(new TurnLimits(100_000, 16, 16384), TurnLimits.of(ParkwayConfig.defaults()));
    }
}
