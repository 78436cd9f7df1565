package io.parkway.signaling;

/**
 * {@code join}: resume within the grace, or a fresh join with its checks (draining, room exists or may be created,
 * speaker key or listener token, one speaker, {@code max-listeners}), then the {@code welcome} and what the others
 * are told. Room loop only.
 */
final class Joins {

    private final Hub hub;

    Joins(Hub hub) {
        this.hub = hub;
    }

    void join(Connection connection, ClientMessage.Join join) throws SignalingException {
        if (connection.session != null) {
            Session current = connection.session;
            throw SignalingException.badMessage("join: this socket is already " + current.peerId + " in room "
                    + current.room.name + " (expected: one join per socket; leave first)");
        }
        Session resumed = hub.tokens.find(join.resume(), join.room(), join.role());
        if (resumed != null) {
            resume(connection, resumed);
            return;
        }
        if (hub.isDraining()) {
            throw new SignalingException(ErrorCode.SERVER_DRAINING,
                    "server: draining (expected: retry on another node or after the restart)");
        }
        Room room = hub.rooms.get(join.room());
        if (room == null) {
            if (hub.options.speakerKey != null) {
                throw new SignalingException(ErrorCode.ROOM_NOT_FOUND,
                        "room: " + join.room() + " (expected: a room made with POST /api/rooms)");
            }
            room = hub.rooms.add(join.room(), null, null, false);
        }
        try {
            authorize(room, join);
            admit(room, join.role());
        } catch (SignalingException e) {
            hub.rooms.vacated(room);
            throw e;
        }
        Session session = new Session(Ids.sessionId(), hub.nextPeerId(), Ids.resumeToken(), join.role(), room);
        hub.tokens.add(session);
        Session.cancel(room.emptyTimer);
        session.attach(connection);
        if (session.role == Role.SPEAKER) {
            room.speaker = session;
            hub.speakerState(room, SpeakerState.WAITING);
            session.send(ServerMessages.welcome(session, false, hub.credentials.session(session)));
            for (Session listener : room.listeners.values()) {
                session.send(ServerMessages.peerJoined(listener, hub.credentials.connection(session, listener.peerId)));
            }
            room.toListeners(ServerMessages.speaker(session, SpeakerState.WAITING));
        } else {
            room.listeners.put(session.peerId, session);
            hub.counters.listeners.incrementAndGet();
            session.send(ServerMessages.welcome(session, false, hub.credentials.session(session)));
            if (room.speaker != null) {
                room.speaker.send(ServerMessages.peerJoined(session,
                        hub.credentials.connection(room.speaker, session.peerId)));
            }
            room.toEveryone(ServerMessages.listeners(room.listeners.size()));
        }
    }

    /**
     * Gives {@code session} the new socket: the old one, if still open, is closed with {@link
     * Connection#CLOSE_RESUMED_ELSEWHERE}; the {@code welcome} carries fresh credentials, then what was queued follows,
     * and a speaker gets fresh credentials for each listener connection.
     */
    private void resume(Connection connection, Session session) {
        Connection old = session.connection;
        if (old != null) {
            session.detach();
            old.close(Connection.CLOSE_RESUMED_ELSEWHERE, "session resumed on another socket");
        }
        session.attach(connection);
        session.send(ServerMessages.welcome(session, true, hub.credentials.session(session)));
        session.flushPending();
        if (session.role == Role.SPEAKER) {
            for (Session listener : session.room.listeners.values()) {
                session.send(ServerMessages.credentials(hub.credentials.connection(session, listener.peerId),
                        listener.peerId));
            }
        }
    }

    private void authorize(Room room, ClientMessage.Join join) throws SignalingException {
        if (join.role() == Role.SPEAKER) {
            String operatorKey = hub.options.speakerKey;
            if (room.speakerKey == null && operatorKey == null) {
                return;
            }
            if (!Room.secretEquals(room.speakerKey, join.key()) && !Room.secretEquals(operatorKey, join.key())) {
                throw new SignalingException(ErrorCode.UNAUTHORIZED, "key: " + (join.key() == null ? "missing" : "wrong")
                        + " (expected: the speaker key of room " + room.name + ")");
            }
        } else if (room.listenerToken != null && !Room.secretEquals(room.listenerToken, join.token())) {
            throw new SignalingException(ErrorCode.UNAUTHORIZED, "token: " + (join.token() == null ? "missing" : "wrong")
                    + " (expected: the listener token of room " + room.name + ")");
        }
    }

    private void admit(Room room, Role role) throws SignalingException {
        if (role == Role.SPEAKER) {
            if (room.speaker != null) {
                throw new SignalingException(ErrorCode.SPEAKER_EXISTS, "room " + room.name + " has speaker "
                        + room.speaker.peerId + (room.speaker.isConnected() ? "" : " (within its resume grace)")
                        + " (expected: one speaker per room)");
            }
        } else if (room.listeners.size() >= hub.options.maxListeners) {
            throw new SignalingException(ErrorCode.ROOM_FULL, "room " + room.name + " has "
                    + room.listeners.size() + " listeners (max " + hub.options.maxListeners + ")");
        }
    }
}
