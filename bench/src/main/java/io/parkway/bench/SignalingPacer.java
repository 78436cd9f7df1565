package io.parkway.bench;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Paces the speakers of one event loop with one timer: every {@link #TICK_NANOS} each speaker sends the offers that
 * have come due ({@link SignalingClient#pace(long)}). One timer per loop instead of one per speaker keeps the load's
 * own cost independent of the number of rooms (200 per-speaker timers at 100 Hz were 20,000 timer tasks per second,
 * a third of the load's core at 10k sessions). Confined to its loop: {@link #add} and {@link #stop} run there.
 */
final class SignalingPacer {

    static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private final EventExecutor loop;
    private final List<SignalingClient> speakers = new ArrayList<>();
    private ScheduledFuture<?> timer;

    SignalingPacer(EventExecutor loop) {
        this.loop = loop;
    }

    /** Starts pacing {@code speaker} from now, if it is a joined speaker with offers to send. Its loop. */
    void add(SignalingClient speaker) {
        if (!speaker.startPacing(System.nanoTime())) {
            return;
        }
        speakers.add(speaker);
        if (timer == null) {
            timer = loop.scheduleAtFixedRate(this::tick, TICK_NANOS, TICK_NANOS, TimeUnit.NANOSECONDS);
        }
    }

    /** Stops every speaker's offers. Its loop. */
    void stop() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    private void tick() {
        long now = System.nanoTime();
        for (SignalingClient speaker : speakers) {
            speaker.pace(now);
        }
    }
}
