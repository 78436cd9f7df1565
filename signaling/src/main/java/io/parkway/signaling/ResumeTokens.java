package io.parkway.signaling;

import java.util.HashMap;
import java.util.Map;

/**
 * Resume tokens of live sessions. A token is valid from the session's {@code welcome} until the session is removed
 * (a {@code leave}, or its resume grace ran out); an unknown token is ignored and the join proceeds as a fresh one.
 * Room loop only.
 */
final class ResumeTokens {

    private final Map<String, Session> sessions = new HashMap<>();

    void add(Session session) {
        sessions.put(session.resumeToken, session);
    }

    /** The session that {@code token} resumes, when it is for the same room and role; otherwise null. */
    Session find(String token, String room, Role role) {
        if (token == null) {
            return null;
        }
        Session session = sessions.get(token);
        if (session == null || session.removed || !session.room.name.equals(room) || session.role != role) {
            return null;
        }
        return session;
    }

    void remove(Session session) {
        sessions.remove(session.resumeToken, session);
    }

    void clear() {
        sessions.clear();
    }
}
