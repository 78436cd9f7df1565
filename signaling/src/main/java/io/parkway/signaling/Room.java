package io.parkway.signaling;

import java.security.MessageDigest;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Future;

/**
 * A room: at most one speaker, its listeners, the speaker's state and media settings, and who may join. Room loop
 * only.
 */
final class Room {

    final String name;
    /** The room's own speaker key (rooms made by {@code POST /api/rooms}), or null. */
    final String speakerKey;
    /** The room's listener token, or null when listeners need none. */
    final String listenerToken;
    /** Made by {@code POST /api/rooms}: kept while empty for {@link Rooms#EMPTY_ROOM_LIFETIME}. */
    final boolean created;
    Session speaker;
    SpeakerState speakerState = SpeakerState.WAITING;
    MediaSettings media;
    final Map<String, Session> listeners = new LinkedHashMap<>();
    Future<?> emptyTimer;

    Room(String name, String speakerKey, String listenerToken, boolean created) {
        this.name = name;
        this.speakerKey = speakerKey;
        this.listenerToken = listenerToken;
        this.created = created;
    }

    boolean isEmpty() {
        return speaker == null && listeners.isEmpty();
    }

    /** Sends to every listener. */
    void toListeners(String json) {
        listeners.values().forEach(listener -> listener.send(json));
    }

    /** Sends to the speaker and every listener. */
    void toEveryone(String json) {
        if (speaker != null) {
            speaker.send(json);
        }
        toListeners(json);
    }

    /** Compares secrets in constant time; false when either is null. */
    static boolean secretEquals(String expected, String given) {
        if (expected == null || given == null) {
            return false;
        }
        return MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8), given.getBytes(StandardCharsets.UTF_8));
    }
}
