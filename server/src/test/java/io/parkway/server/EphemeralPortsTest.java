package io.parkway.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parkway.server.ParkwayConfig.PortRange;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EphemeralPortsTest {

    @Test
    void readsTheLinuxFormat(@TempDir Path dir) throws Exception {
        assertEquals(Optional.of(new PortRange(32768, 60999)),
                EphemeralPorts.read(Files.writeString(dir.resolve("range"), "32768\t60999\n")));
        assertEquals(Optional.empty(), EphemeralPorts.read(dir.resolve("missing")));
        assertEquals(Optional.empty(), EphemeralPorts.read(Files.writeString(dir.resolve("bad"), "many\n")));
    }

    @Test
    void readsThisMachinesRangeWhenOnLinux() {
        if (Files.exists(EphemeralPorts.LINUX)) {
            assertTrue(EphemeralPorts.read(EphemeralPorts.LINUX).isPresent(), "procfs reports a size of 0");
        }
    }

    @Test
    void warnsOnOverlapWithAFix() {
        PortRange linux = new PortRange(32768, 60999);
        String w = EphemeralPorts.warning(new PortRange(49152, 65535), linux).orElseThrow();
        assertTrue(w.startsWith("turn.relay.ports 49152-65535 overlaps the OS ephemeral port range 32768-60999"
                + " (net.ipv4.ip_local_port_range) on 49152-60999"), w);
        assertTrue(w.contains("sysctl -w net.ipv4.ip_local_port_range=\"32768 49151\""), w);
        assertTrue(EphemeralPorts.warning(new PortRange(20000, 40000), linux).orElseThrow()
                .contains("such as 61000-65535"));
        assertEquals(Optional.empty(), EphemeralPorts.warning(new PortRange(61000, 65535), linux));
        assertEquals(Optional.empty(), EphemeralPorts.warning(new PortRange(10000, 32767), linux));
    }
}
