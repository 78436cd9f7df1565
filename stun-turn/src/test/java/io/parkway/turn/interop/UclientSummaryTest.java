package io.parkway.turn.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The parser of uclient's totals, on output captured from coturn 4.6.1's {@code turnutils_uclient}. */
class UclientSummaryTest {

    @Test
    void parsesTheFinalTotalsNotTheProgressLines() {
        String output = String.join("\n",
                "0: : Received wrong response tid; trying again...",
                "1: : Total connect time is 1",
                "1: : start_mclient: msz=2, tot_send_msgs=0, tot_recv_msgs=0, tot_send_bytes ~ 0, tot_recv_bytes ~ 0",
                "7: : start_mclient: msz=2, tot_send_msgs=123, tot_recv_msgs=121, tot_send_bytes ~ 20910, "
                        + "tot_recv_bytes ~ 20570",
                "8: : start_mclient: tot_send_msgs=200, tot_recv_msgs=199",
                "8: : start_mclient: tot_send_bytes ~ 34000, tot_recv_bytes ~ 33830",
                "8: : Total transmit time is 7",
                "8: : Total lost packets 1 (0.500000%), total send dropped 2 (1.000000%)",
                "8: : Average round trip delay 0.385000 ms; min = 0 ms, max = 8 ms",
                "");

        assertEquals(Optional.of(new UclientSummary(200, 199, 1, 2)), UclientSummary.parse(output));
    }

    @Test
    void emptyWhenUclientStoppedBeforeItsTotals() {
        String output = "0: : error 401 (Unauthorized)\n0: : ERROR: Cannot complete Allocation\n";

        assertTrue(UclientSummary.parse(output).isEmpty());
        assertTrue(UclientSummary.parse("1: : start_mclient: msz=2, tot_send_msgs=0, tot_recv_msgs=0, "
                + "tot_send_bytes ~ 0, tot_recv_bytes ~ 0\n").isEmpty());
    }
}
