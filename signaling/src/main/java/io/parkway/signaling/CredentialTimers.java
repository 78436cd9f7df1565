package io.parkway.signaling;

import io.netty.util.concurrent.EventExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Issues credentials to sessions and keeps them fresh: every credential handed out has a timer on the room loop that
 * sends a {@code credentials} message {@code credential-refresh-before} ahead of its expiry. A session without a
 * socket gets no refresh (its resume {@code welcome} carries fresh ones). Room loop only.
 */
final class CredentialTimers {

    private final Credentials credentials;
    private final EventExecutor loop;

    CredentialTimers(Credentials credentials, EventExecutor loop) {
        this.credentials = credentials;
        this.loop = loop;
    }

    /** Fresh ICE servers for {@code session}; replaces its refresh timer. */
    Credentials.Issued session(Session session) {
        Credentials.Issued issued = credentials.forSession(session.id);
        Session.cancel(session.refreshTimer);
        session.refreshTimer = issued.expires() == null ? null : loop.schedule(() -> {
            if (!session.removed && session.isConnected()) {
                session.send(ServerMessages.credentials(session(session), null));
            }
        }, credentials.refreshDelay(issued.expires()).toMillis(), TimeUnit.MILLISECONDS);
        return issued;
    }

    /** Fresh ICE servers for the speaker's connection to {@code listenerPeerId}; replaces its refresh timer. */
    Credentials.Issued connection(Session speaker, String listenerPeerId) {
        Credentials.Issued issued = credentials.forConnection(speaker.id, listenerPeerId);
        Session.cancel(speaker.connectionRefreshTimers.remove(listenerPeerId));
        if (issued.expires() != null) {
            speaker.connectionRefreshTimers.put(listenerPeerId, loop.schedule(() -> {
                if (!speaker.removed && speaker.isConnected()
                        && speaker.room.listeners.containsKey(listenerPeerId)) {
                    speaker.send(ServerMessages.credentials(connection(speaker, listenerPeerId), listenerPeerId));
                }
            }, credentials.refreshDelay(issued.expires()).toMillis(), TimeUnit.MILLISECONDS));
        }
        return issued;
    }

    /** Stops refreshing the speaker's credential for a listener that left. */
    void cancelConnection(Session speaker, String listenerPeerId) {
        Session.cancel(speaker.connectionRefreshTimers.remove(listenerPeerId));
    }
}
