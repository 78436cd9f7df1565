package io.parkway.signaling;

/** A validated message from a client (docs/signaling-protocol.md); {@link SignalingMessages} parses them. */
sealed interface ClientMessage {

    /** The {@code type} on the wire. */
    String type();

    /** Join a room; {@code key}, {@code token} and {@code resume} may be null. */
    record Join(String room, Role role, String key, String token, String resume) implements ClientMessage {
        public String type() {
            return "join";
        }
    }

    record Leave() implements ClientMessage {
        public String type() {
            return "leave";
        }
    }

    record Live() implements ClientMessage {
        public String type() {
            return "live";
        }
    }

    record Stop() implements ClientMessage {
        public String type() {
            return "stop";
        }
    }

    record Media(MediaSettings settings) implements ClientMessage {
        public String type() {
            return "media";
        }
    }

    record Offer(String to, String sdp, boolean restart) implements ClientMessage {
        public String type() {
            return "offer";
        }
    }

    record Answer(String to, String sdp) implements ClientMessage {
        public String type() {
            return "answer";
        }
    }

    /** {@code candidate} null means end-of-candidates. */
    record Candidate(String to, IceCandidate candidate) implements ClientMessage {
        public String type() {
            return "candidate";
        }
    }

    record Restart(String to) implements ClientMessage {
        public String type() {
            return "restart";
        }
    }

    /** Fresh credentials: the session's own, or (speaker only) those of the connection to {@code peerId}. */
    record Credentials(String peerId) implements ClientMessage {
        public String type() {
            return "credentials";
        }
    }

    record Ping() implements ClientMessage {
        public String type() {
            return "ping";
        }
    }
}
