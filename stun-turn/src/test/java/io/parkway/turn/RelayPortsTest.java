package io.parkway.turn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@link RelayPorts}: random picks that skip the server's own ports, so a range can be filled to the last port. */
class RelayPortsTest {

    @Test
    void theLastFreePortIsFoundWhateverTheRandomStart() {
        RelayPorts ports = new RelayPorts(40000, 40063);
        RelayPortSet inUse = new RelayPortSet();
        for (int p = 40000; p <= 40063; p++) {
            if (p != 40037) {
                inUse.add(p);
            }
        }
        for (int i = 0; i < 200; i++) {
            assertEquals(40037, ports.pick(false, false, inUse));
        }
        inUse.add(40037);
        assertEquals(-1, ports.pick(false, false, inUse), "all 64 held");
    }

    @Test
    void aRangeFillsUpWithoutRepeats() {
        RelayPorts ports = new RelayPorts(50000, 51023);
        RelayPortSet inUse = new RelayPortSet();
        Set<Integer> picked = new HashSet<>();
        for (int i = 0; i < 1024; i++) {
            int p = ports.pick(false, false, inUse);
            assertTrue(p >= 50000 && p <= 51023, "in range: " + p);
            assertTrue(picked.add(p), "not handed out twice: " + p);
            inUse.add(p);
        }
        assertEquals(-1, ports.pick(false, false, inUse));
    }

    @Test
    void picksAreSpreadOverTheRange() {
        RelayPorts ports = new RelayPorts(1024, 65535);
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 100; i++) {
            seen.add(ports.pick(false, false, new RelayPortSet()));
        }
        assertTrue(seen.size() > 90, "unpredictable ports (RFC 6056): " + seen.size() + " distinct of 100");
    }

    /** EVEN-PORT (RFC 8656 section 7.2): an even port, and with R=1 one whose successor is free as well. */
    @Test
    void evenPortsAndReservedSuccessors() {
        RelayPorts ports = new RelayPorts(40001, 40010);
        RelayPortSet inUse = new RelayPortSet();
        for (int i = 0; i < 50; i++) {
            int p = ports.pick(true, false, inUse);
            assertEquals(0, p % 2, "even: " + p);
            assertTrue(p >= 40002 && p <= 40010, "in range: " + p);
        }
        inUse.add(40003);
        inUse.add(40005);
        inUse.add(40007);
        inUse.add(40008);
        // 40002, 40004 and 40006 have a held successor, 40008 is held itself.
        assertEquals(-1, ports.pick(true, true, inUse));
        inUse.remove(40005);
        for (int i = 0; i < 50; i++) {
            assertEquals(40004, ports.pick(true, true, inUse));
        }
    }
}
