package io.parkway.turn;

import io.netty.channel.Channel;

/**
 * Flushes one channel once at the end of the current event-loop iteration, however many packets were written to it
 * during the iteration.
 *
 * <p>Netty's event loop first handles every socket that epoll (or io_uring) reported ready, then runs its task queue.
 * A flush requested while relaying is queued as a task (once: later requests in the same iteration are no-ops), so
 * all datagrams written to a socket while the loop handled a batch of ready sockets leave in one {@code sendmmsg}
 * (or one submission) instead of one {@code sendto} per wake-up. This is what turns N relay sockets, each with one
 * packet for the same client, into one system call on the client's listening socket.
 *
 * <p>Confined to the channel's event loop; {@link #request()} must be called on it. The flush task object is this
 * instance, so requesting allocates nothing.
 */
final class DeferredFlush implements Runnable {
    private final Channel channel;
    private boolean pending;

    DeferredFlush(Channel channel) {
        this.channel = channel;
    }

    /** Schedules the flush for the end of this event-loop iteration unless it already is. */
    void request() {
        if (!pending) {
            pending = true;
            channel.eventLoop().execute(this);
        }
    }

    @Override
    public void run() {
        pending = false;
        channel.flush();
    }
}
