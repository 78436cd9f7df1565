package io.parkway.signaling;

import io.netty.util.concurrent.EventExecutor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The rooms of this node, up to {@code max-rooms}. Room loop only. */
final class Rooms {

    /** How long a room made by {@code POST /api/rooms} is kept while nobody is in it. */
    static final Duration EMPTY_ROOM_LIFETIME = Duration.ofHours(1);

    private final Map<String, Room> rooms = new HashMap<>();
    private final int maxRooms;
    private final EventExecutor loop;
    private final Counters counters;

    Rooms(int maxRooms, EventExecutor loop, Counters counters) {
        this.maxRooms = maxRooms;
        this.loop = loop;
        this.counters = counters;
    }

    Room get(String name) {
        return rooms.get(name);
    }

    /** Adds a room; fails with {@code too-many-rooms} when the node is full. */
    Room add(String name, String speakerKey, String listenerToken, boolean created) throws SignalingException {
        if (rooms.size() >= maxRooms) {
            throw new SignalingException(ErrorCode.TOO_MANY_ROOMS,
                    "rooms: " + rooms.size() + " (expected: at most " + maxRooms + " on this node)");
        }
        Room room = new Room(name, speakerKey, listenerToken, created);
        rooms.put(name, room);
        counters.rooms.set(rooms.size());
        if (created) {
            scheduleEmptyCheck(room);
        }
        return room;
    }

    /** Adds a room under a fresh friendly name. */
    Room create(String speakerKey, String listenerToken) throws SignalingException {
        String name = Ids.roomName();
        for (int i = 0; i < 20 && rooms.containsKey(name); i++) {
            name = Ids.roomName();
        }
        if (rooms.containsKey(name)) {
            name = Ids.random("room-", 6);
        }
        return add(name, speakerKey, listenerToken, true);
    }

    /** Call when someone left {@code room}: removes it at once, or later for rooms made by the API. */
    void vacated(Room room) {
        if (!room.isEmpty() || rooms.get(room.name) != room) {
            return;
        }
        if (room.created) {
            scheduleEmptyCheck(room);
        } else {
            remove(room);
        }
    }

    private void scheduleEmptyCheck(Room room) {
        Session.cancel(room.emptyTimer);
        room.emptyTimer = loop.schedule(() -> {
            if (room.isEmpty() && rooms.get(room.name) == room) {
                remove(room);
            }
        }, EMPTY_ROOM_LIFETIME.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void remove(Room room) {
        Session.cancel(room.emptyTimer);
        rooms.remove(room.name);
        counters.rooms.set(rooms.size());
    }

    /** Every session in every room. */
    List<Session> sessions() {
        List<Session> all = new ArrayList<>();
        for (Room room : rooms.values()) {
            if (room.speaker != null) {
                all.add(room.speaker);
            }
            all.addAll(room.listeners.values());
        }
        return all;
    }

    /** Forgets every room (shutdown). */
    void clear() {
        rooms.values().forEach(room -> Session.cancel(room.emptyTimer));
        rooms.clear();
        counters.rooms.set(0);
    }
}
