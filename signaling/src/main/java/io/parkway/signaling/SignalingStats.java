package io.parkway.signaling;

import java.util.Map;

/** Live counters of a {@link SignalingServer}; every method reads the current value. */
public interface SignalingStats {

    /** Open WebSocket connections. */
    long connections();

    /** Rooms that exist now. */
    long rooms();

    /** Listeners in all rooms now, including those within their resume grace. */
    long listeners();

    /** Client messages received since start, by {@code type} (unknown types counted as {@code "unknown"}). */
    Map<String, Long> messages();

    /** Errors sent to clients since start, by code ({@code room-full}, {@code rate-limited}, ...). */
    Map<String, Long> errors();

    /** TURN REST credentials issued since start (per session, per speaker connection, and over HTTP). */
    long credentialsIssued();
}
