package io.parkway.bench;

import io.netty.util.concurrent.EventExecutor;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * What all clients of one signaling load run count together, from any event loop: relayed messages sent and
 * received within the measured window, and failures by reason. A message belongs to the window when the
 * {@link System#nanoTime()} stamped into it at sending is between {@link #startWindow()} and {@link #endWindow()}:
 * sender and receiver decide by the same stamp, so a message in flight when the window opens or closes is counted by
 * both or by neither.
 *
 * <p>Latencies go to one {@link Histogram} per event loop (a histogram is 33 KB and not thread-safe: one per session
 * would be 330 MB for 10k sessions, which the load's own garbage collector then copies around), recorded on that loop
 * only and merged on it at the end.
 */
final class SignalingCounters {

    final LongAdder sent = new LongAdder();
    final LongAdder received = new LongAdder();
    /** Relayed messages that arrived without a readable stamp (never expected). */
    final LongAdder unstamped = new LongAdder();
    private final ConcurrentHashMap<String, LongAdder> failures = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<EventExecutor, Histogram> latency = new ConcurrentHashMap<>();
    /** Far in the future until the window opens, and then until it closes. */
    private volatile long windowStart = System.nanoTime() + TimeUnit.DAYS.toNanos(1);
    private volatile long windowEnd = windowStart + TimeUnit.DAYS.toNanos(1);

    /** Opens the measured window now; returns its start. */
    long startWindow() {
        long now = System.nanoTime();
        windowStart = now;
        return now;
    }

    /** Closes the measured window now; returns its end. */
    long endWindow() {
        long now = System.nanoTime();
        windowEnd = now;
        return now;
    }

    /** Whether a message stamped {@code sentNanos} is counted. */
    boolean inWindow(long sentNanos) {
        return sentNanos - windowStart >= 0 && sentNanos - windowEnd < 0;
    }

    /** The latency histogram (microseconds) of {@code loop}: only that loop may record into it. */
    Histogram latencyOf(EventExecutor loop) {
        return latency.computeIfAbsent(loop, l -> new Histogram());
    }

    /** All loops' latencies merged, each read on its own loop. */
    Histogram mergedLatency() throws InterruptedException {
        Histogram merged = new Histogram();
        for (Map.Entry<EventExecutor, Histogram> e : latency.entrySet()) {
            Histogram h = e.getValue();
            e.getKey().submit(() -> {
                synchronized (merged) {
                    merged.add(h);
                }
            }).sync();
        }
        return merged;
    }

    /** Counts one failure or server error under {@code reason} (a short, low-cardinality text). */
    void failure(String reason) {
        failures.computeIfAbsent(reason, r -> new LongAdder()).increment();
    }

    /** The failures so far, by reason, sorted. */
    Map<String, Long> failures() {
        Map<String, Long> snapshot = new TreeMap<>();
        failures.forEach((reason, count) -> snapshot.put(reason, count.sum()));
        return snapshot;
    }
}
