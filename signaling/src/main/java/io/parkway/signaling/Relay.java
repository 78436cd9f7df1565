package io.parkway.signaling;

/**
 * Forwards offers, answers, ICE candidates and restart requests to one named peer of the sender's room, with
 * {@code from} stamped by the server: listeners may address only the speaker, the speaker only its listeners. A
 * {@code from} sent by a client never reaches anyone (the parser does not read it). Room loop only.
 */
final class Relay {

    private Relay() {
    }

    static void forward(Session from, ClientMessage message) throws SignalingException {
        if (message instanceof ClientMessage.Offer offer) {
            target(from, offer.to()).send(ServerMessages.offer(from, offer));
        } else if (message instanceof ClientMessage.Answer answer) {
            target(from, answer.to()).send(ServerMessages.answer(from, answer));
        } else if (message instanceof ClientMessage.Candidate candidate) {
            target(from, candidate.to()).send(ServerMessages.candidate(from, candidate.candidate()));
        } else if (message instanceof ClientMessage.Restart restart) {
            target(from, restart.to()).send(ServerMessages.restart(from));
        } else {
            throw new IllegalArgumentException("message: " + message.type() + " (expected: a relayed type)");
        }
    }

    /** The peer {@code from} may address as {@code to}; {@code peer-not-found} otherwise. */
    static Session target(Session from, String to) throws SignalingException {
        Room room = from.room;
        if (from.role == Role.SPEAKER) {
            Session listener = room.listeners.get(to);
            if (listener != null) {
                return listener;
            }
            throw new SignalingException(ErrorCode.PEER_NOT_FOUND,
                    "to: " + SignalingMessages.abbreviate(to) + " (expected: a listener in room " + room.name + ")");
        }
        if (room.speaker != null && room.speaker.peerId.equals(to)) {
            return room.speaker;
        }
        throw new SignalingException(ErrorCode.PEER_NOT_FOUND, "to: " + SignalingMessages.abbreviate(to)
                + " (expected: the speaker of room " + room.name
                + (room.speaker == null ? ", which has none now)" : ", " + room.speaker.peerId + ")"));
    }
}
