package io.parkway.server.check;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * The output of {@code parkway check}: one line per step as it finishes, aligned in columns, then one verdict line.
 * <pre>
 * [ok]   binding                 3.1 ms  reflexive 203.0.113.5:51234
 * [warn] allocate (A)                    relayed address 10.0.0.5 is private ...
 * [FAIL] allocate (A)             5.2 ms  401 Unauthenticated
 * VERDICT: FAILED at allocate (A): 401 Unauthenticated - the server rejected the credentials: ...
 * </pre>
 * ASCII only, so that it reads the same in any terminal and locale.
 */
final class CheckReport {
    private final PrintWriter out;
    private int warnings;

    CheckReport(PrintWriter out) {
        this.out = out;
    }

    void info(String text) {
        out.println(text);
        out.flush();
    }

    void ok(String step, long nanos, String detail) {
        line("[ok]", step, millis(nanos), detail);
    }

    /** A finding that does not stop the check but may stop real clients; counted for the verdict. */
    void warn(String step, long nanos, String detail) {
        warnings++;
        line("[warn]", step, nanos < 0 ? "" : millis(nanos), detail);
    }

    void fail(String step, long nanos, String reason) {
        line("[FAIL]", step, millis(nanos), reason);
    }

    int warnings() {
        return warnings;
    }

    void verdictOk(String what) {
        String note = warnings == 0 ? "" : " (" + warnings + (warnings == 1 ? " warning" : " warnings") + " above)";
        info("VERDICT: OK - " + what + note);
    }

    void verdictFailed(String step, String reason, String hint) {
        info("VERDICT: FAILED at " + step + ": " + reason + (hint == null ? "" : " - " + hint));
    }

    /** Milliseconds with one decimal: {@code 3.1 ms}. */
    static String millis(long nanos) {
        return String.format(Locale.ROOT, "%.1f ms", nanos / 1e6);
    }

    private void line(String tag, String step, String time, String detail) {
        info(String.format(Locale.ROOT, "%-6s %-20s %10s  %s", tag, step, time, detail).stripTrailing());
    }
}
