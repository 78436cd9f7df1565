package io.parkway.signaling;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/** The {@link SignalingStats} of one server, updated from any thread. Keys are bounded: known types and codes only. */
final class Counters implements SignalingStats {

    final AtomicLong connections = new AtomicLong();
    final AtomicLong rooms = new AtomicLong();
    final AtomicLong listeners = new AtomicLong();
    final AtomicLong speakersLive = new AtomicLong();
    final LongAdder credentialsIssued = new LongAdder();
    private final ConcurrentHashMap<String, LongAdder> messages = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<ErrorCode, LongAdder> errors = new ConcurrentHashMap<>();

    void message(String type) {
        String key = SignalingMessages.isKnownType(type) ? type : UNKNOWN_TYPE;
        messages.computeIfAbsent(key, k -> new LongAdder()).increment();
    }

    void error(ErrorCode code) {
        errors.computeIfAbsent(code, k -> new LongAdder()).increment();
    }

    @Override
    public long connections() {
        return connections.get();
    }

    @Override
    public long rooms() {
        return rooms.get();
    }

    @Override
    public long listeners() {
        return listeners.get();
    }

    @Override
    public long speakersLive() {
        return speakersLive.get();
    }

    @Override
    public Map<String, Long> messages() {
        Map<String, Long> snapshot = new TreeMap<>();
        messages.forEach((type, count) -> snapshot.put(type, count.sum()));
        return snapshot;
    }

    @Override
    public Map<String, Long> errors() {
        Map<String, Long> snapshot = new TreeMap<>();
        errors.forEach((code, count) -> snapshot.put(code.code(), count.sum()));
        return snapshot;
    }

    @Override
    public long credentialsIssued() {
        return credentialsIssued.sum();
    }
}
