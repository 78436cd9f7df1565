package io.parkway.signaling;

import io.netty.util.concurrent.EventExecutor;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The room logic, confined to one event loop so rooms, sessions and tokens need no locks: WebSocket handlers and the
 * HTTP API hand their work over with {@link #execute(Runnable)}. Dispatches client messages, handles speaker state and
 * media settings, dropped sockets, the resume grace and leaving.
 */
final class Hub {

    final EventExecutor loop;
    final Rooms rooms;
    final ResumeTokens tokens = new ResumeTokens();
    final CredentialTimers credentials;
    final Counters counters;
    final SignalingServerBuilder options;
    private final Joins joins;
    private volatile boolean draining;
    private long lastPeerNumber;

    Hub(EventExecutor loop, Credentials credentials, Counters counters, SignalingServerBuilder options) {
        this.loop = loop;
        this.rooms = new Rooms(options.maxRooms, loop, counters);
        this.credentials = new CredentialTimers(credentials, loop);
        this.counters = counters;
        this.options = options;
        this.joins = new Joins(this);
    }

    /** Runs {@code task} on the room loop; dropped once the server is shutting down. */
    void execute(Runnable task) {
        try {
            loop.execute(task);
        } catch (RejectedExecutionException e) {
            // Shutting down: the rooms are being cleared anyway.
        }
    }

    void drain() {
        draining = true;
    }

    boolean isDraining() {
        return draining;
    }

    String nextPeerId() {
        return "p-" + ++lastPeerNumber;
    }

    /** Handles one parsed client message. Room loop. */
    void onMessage(Connection connection, ClientMessage message) {
        try {
            dispatch(connection, message);
        } catch (SignalingException e) {
            connection.sendError(e.code(), e.getMessage(), message.type());
        }
    }

    private void dispatch(Connection connection, ClientMessage message) throws SignalingException {
        if (message instanceof ClientMessage.Ping) {
            connection.send(ServerMessages.pong());
            return;
        }
        if (message instanceof ClientMessage.Join join) {
            joins.join(connection, join);
            return;
        }
        Session session = connection.session;
        if (session == null) {
            throw SignalingException.badMessage(message.type() + ": not in a room (expected: join first)");
        }
        if (message instanceof ClientMessage.Leave) {
            remove(session);
        } else if (message instanceof ClientMessage.Live) {
            speakerOnly(session, message);
            speakerState(session.room, SpeakerState.LIVE);
            session.room.toListeners(ServerMessages.speaker(session, SpeakerState.LIVE));
        } else if (message instanceof ClientMessage.Stop) {
            speakerOnly(session, message);
            speakerState(session.room, SpeakerState.ENDED);
            session.room.toListeners(ServerMessages.speaker(session, SpeakerState.ENDED));
        } else if (message instanceof ClientMessage.Media media) {
            speakerOnly(session, message);
            session.room.media = media.settings();
            session.room.toListeners(ServerMessages.media(session, media.settings()));
        } else if (message instanceof ClientMessage.Credentials request) {
            sendCredentials(session, request.peerId());
        } else {
            Relay.forward(session, message);
        }
    }

    private static void speakerOnly(Session session, ClientMessage message) throws SignalingException {
        if (session.role != Role.SPEAKER) {
            throw new SignalingException(ErrorCode.UNAUTHORIZED,
                    message.type() + ": sent by a listener (expected: only the speaker sends it)");
        }
    }

    private void sendCredentials(Session session, String peerId) throws SignalingException {
        if (peerId == null || peerId.equals(session.peerId)) {
            session.send(ServerMessages.credentials(credentials.session(session), null));
            return;
        }
        if (session.role != Role.SPEAKER || !session.room.listeners.containsKey(peerId)) {
            throw new SignalingException(ErrorCode.PEER_NOT_FOUND, "peerId: " + SignalingMessages.abbreviate(peerId)
                    + " (expected: a listener of this speaker, or no peerId)");
        }
        session.send(ServerMessages.credentials(credentials.connection(session, peerId), peerId));
    }

    /** A socket closed: its session (if any) waits for a resume within the grace, then leaves. Room loop. */
    void onClose(Connection connection) {
        Session session = connection.session;
        if (session == null) {
            return;
        }
        session.detach();
        Duration grace = options.resumeGrace;
        if (grace.isZero()) {
            remove(session);
            return;
        }
        session.graceTimer = loop.schedule(() -> {
            if (!session.removed && !session.isConnected()) {
                remove(session);
            }
        }, grace.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Takes {@code session} out of its room for good and tells the others. Room loop. */
    void remove(Session session) {
        if (session.removed) {
            return;
        }
        tokens.remove(session);
        session.remove();
        Room room = session.room;
        if (session.role == Role.SPEAKER) {
            room.speaker = null;
            speakerState(room, SpeakerState.WAITING);
            room.media = null;
            room.toListeners(ServerMessages.peerLeft(session));
            room.toListeners(ServerMessages.speaker(session, SpeakerState.ENDED));
        } else {
            room.listeners.remove(session.peerId);
            counters.listeners.decrementAndGet();
            if (room.speaker != null) {
                credentials.cancelConnection(room.speaker, session.peerId);
                room.speaker.send(ServerMessages.peerLeft(session));
            }
            room.toEveryone(ServerMessages.listeners(room.listeners.size()));
        }
        rooms.vacated(room);
    }

    /** Forgets every session and room (shutdown). Room loop. */
    void clear() {
        rooms.sessions().forEach(Session::remove);
        tokens.clear();
        rooms.clear();
        counters.listeners.set(0);
        counters.speakersLive.set(0);
    }

    /** Sets the speaker state of {@code room}, counting live speakers for {@link SignalingStats#speakersLive()}. */
    void speakerState(Room room, SpeakerState state) {
        if (room.speakerState != state) {
            if (state == SpeakerState.LIVE) {
                counters.speakersLive.incrementAndGet();
            } else if (room.speakerState == SpeakerState.LIVE) {
                counters.speakersLive.decrementAndGet();
            }
        }
        room.speakerState = state;
    }
}
