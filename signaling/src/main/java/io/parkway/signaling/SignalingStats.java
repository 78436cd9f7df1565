package io.parkway.signaling;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** Live counters of a {@link SignalingServer}; every method reads the current value. */
public interface SignalingStats {

    /** The client message types of the protocol, the keys {@link #messages()} counts by name. */
    List<String> MESSAGE_TYPES = List.of("join", "leave", "live", "stop", "media", "offer", "answer", "candidate",
            "restart", "credentials", "ping");

    /** The key {@link #messages()} counts messages of any other (or no) type under. */
    String UNKNOWN_TYPE = "unknown";

    /** The protocol's error codes (docs/signaling-protocol.md, "Errors"), the only keys of {@link #errors()}. */
    List<String> ERROR_CODES = Arrays.stream(ErrorCode.values()).map(ErrorCode::code).toList();

    /** Open WebSocket connections. */
    long connections();

    /** Rooms that exist now. */
    long rooms();

    /** Listeners in all rooms now, including those within their resume grace. */
    long listeners();

    /** Rooms whose speaker is joined and live (sent {@code live}, not yet {@code stop} or gone). */
    long speakersLive();

    /** Client messages received since start, by {@code type} (unknown types counted as {@code "unknown"}). */
    Map<String, Long> messages();

    /** Errors sent to clients since start, by code ({@code room-full}, {@code rate-limited}, ...). */
    Map<String, Long> errors();

    /** TURN REST credentials issued since start (per session, per speaker connection, and over HTTP). */
    long credentialsIssued();
}
