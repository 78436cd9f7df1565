package io.parkway.signaling;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Future;

/**
 * A peer in a room: the server-chosen {@code peerId}, the session id its TURN credentials are bound to, the resume
 * token, its role and its current socket. The socket may drop; the session then waits {@code resume-grace} for a
 * {@code join} with its resume token, and queues what is sent to it meanwhile. Room loop only.
 */
final class Session {

    /** Messages kept for a session without a socket; beyond this the oldest are dropped. */
    static final int MAX_PENDING = 256;

    final String id;
    final String peerId;
    final String resumeToken;
    final Role role;
    final Room room;
    /** The current socket; null within the resume grace. */
    Connection connection;
    boolean removed;
    Future<?> graceTimer;
    Future<?> refreshTimer;
    /** Speaker only: refresh timers of the per-listener credentials, by listener peerId. */
    final Map<String, Future<?>> connectionRefreshTimers = new HashMap<>();
    private final ArrayDeque<String> pending = new ArrayDeque<>();

    Session(String id, String peerId, String resumeToken, Role role, Room room) {
        this.id = id;
        this.peerId = peerId;
        this.resumeToken = resumeToken;
        this.role = role;
        this.room = room;
    }

    boolean isConnected() {
        return connection != null;
    }

    /** Sends now, or queues until a resume while the socket is gone. */
    void send(String json) {
        if (connection != null) {
            connection.send(json);
        } else if (!removed) {
            if (pending.size() == MAX_PENDING) {
                pending.removeFirst();
            }
            pending.addLast(json);
        }
    }

    /** Takes {@code next} as the socket; what was queued stays queued until {@link #flushPending()}. */
    void attach(Connection next) {
        connection = next;
        next.session = this;
        cancel(graceTimer);
        graceTimer = null;
    }

    /** Sends what was queued while the socket was gone. */
    void flushPending() {
        for (String json; connection != null && (json = pending.pollFirst()) != null; ) {
            connection.send(json);
        }
    }

    void detach() {
        if (connection != null) {
            connection.session = null;
            connection = null;
        }
    }

    /** Marks the session gone and stops its timers. */
    void remove() {
        removed = true;
        detach();
        pending.clear();
        cancel(graceTimer);
        cancel(refreshTimer);
        connectionRefreshTimers.values().forEach(Session::cancel);
        connectionRefreshTimers.clear();
    }

    static void cancel(Future<?> timer) {
        if (timer != null) {
            timer.cancel(false);
        }
    }
}
