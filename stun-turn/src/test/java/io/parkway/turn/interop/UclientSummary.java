package io.parkway.turn.interop;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The totals {@code turnutils_uclient} prints when it finishes:
 * <pre>
 * 8: : start_mclient: tot_send_msgs=200, tot_recv_msgs=200
 * 8: : Total lost packets 0 (0.000000%), total send dropped 0 (0.000000%)
 * </pre>
 * The once-a-second progress lines ({@code start_mclient: msz=2, tot_send_msgs=23, tot_recv_msgs=23, tot_send_bytes ~
 * ...}) are not totals and are skipped. Counts are data messages over all sessions: with RTCP (the default) each pair
 * of clients is an RTP and an RTCP session, so {@code -m 5 -n 200} sends 1200.
 *
 * @param sent {@code tot_send_msgs}
 * @param received {@code tot_recv_msgs}
 * @param lost "Total lost packets" (gaps in the sequence numbers the sessions received)
 * @param sendDropped "total send dropped" (sends that failed in the client)
 */
record UclientSummary(long sent, long received, long lost, long sendDropped) {

    private static final Pattern TOTALS =
            Pattern.compile("(?m)\\btot_send_msgs=(\\d+), tot_recv_msgs=(\\d+)[ \\t]*\\r?$");
    private static final Pattern LOST =
            Pattern.compile("Total lost packets (\\d+) \\([^)]*\\)(?:, total send dropped (\\d+))?");

    /** The last totals in {@code output}, or empty when uclient did not get as far as printing them. */
    static Optional<UclientSummary> parse(String output) {
        Matcher totals = TOTALS.matcher(output);
        String sent = null;
        String received = null;
        while (totals.find()) {
            sent = totals.group(1);
            received = totals.group(2);
        }
        Matcher lost = LOST.matcher(output);
        String lostCount = null;
        String dropped = null;
        while (lost.find()) {
            lostCount = lost.group(1);
            dropped = lost.group(2);
        }
        if (sent == null || lostCount == null) {
            return Optional.empty();
        }
        return Optional.of(new UclientSummary(Long.parseLong(sent), Long.parseLong(received),
                Long.parseLong(lostCount), dropped == null ? 0 : Long.parseLong(dropped)));
    }
}
