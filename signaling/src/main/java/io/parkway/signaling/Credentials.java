package io.parkway.signaling;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.parkway.turn.auth.RestCredential;
import io.parkway.turn.auth.RestCredentials;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Issues TURN credentials in coturn's REST format (shared with {@code stun-turn}, same secret) and builds the
 * {@code iceServers} array a browser passes to {@code new RTCPeerConnection}. The user part of the username binds the
 * credential to a signaling session ({@code expiry:session}) or to one of a speaker's connections
 * ({@code expiry:session.peerId}), so the TURN server's per-credential allocation quota applies per session or
 * connection.
 */
final class Credentials {

    /** Never refresh more often than this, whatever the TTL and refresh margin. */
    private static final Duration MIN_REFRESH_DELAY = Duration.ofSeconds(1);

    private final String secret;
    private final List<String> stunUrls = new ArrayList<>();
    private final List<String> turnUrls = new ArrayList<>();
    private final Duration ttl;
    private final Duration refreshBefore;
    private final Clock clock;
    private final Counters counters;

    /** An issued set of ICE servers; {@code expires} is null when no TURN credential is in it. */
    record Issued(ArrayNode iceServers, Instant expires) {
        Long expiresSeconds() {
            return expires == null ? null : expires.getEpochSecond();
        }
    }

    Credentials(String secret, List<String> urls, Duration ttl, Duration refreshBefore, Clock clock,
            Counters counters) {
        this.secret = secret;
        for (String url : urls) {
            String lower = url.toLowerCase(Locale.ROOT);
            (lower.startsWith("stun") ? stunUrls : turnUrls).add(url);
        }
        this.ttl = ttl;
        this.refreshBefore = refreshBefore;
        this.clock = clock;
        this.counters = counters;
    }

    /** Whether TURN credentials are handed out (a secret and at least one {@code turn:}/{@code turns:} URL). */
    boolean hasTurn() {
        return secret != null && !turnUrls.isEmpty();
    }

    /** ICE servers for a whole session. */
    Issued forSession(String sessionId) {
        return issue(sessionId);
    }

    /** ICE servers for the speaker's connection to one listener. */
    Issued forConnection(String speakerSessionId, String listenerPeerId) {
        return issue(speakerSessionId + "." + listenerPeerId);
    }

    private Issued issue(String user) {
        ArrayNode servers = SignalingMessages.MAPPER.createArrayNode();
        if (!stunUrls.isEmpty()) {
            ObjectNode stun = servers.addObject();
            stunUrls.forEach(stun.putArray("urls")::add);
        }
        if (!hasTurn()) {
            return new Issued(servers, null);
        }
        RestCredential credential = RestCredentials.issue(secret, user, ttl, clock);
        counters.credentialsIssued.increment();
        ObjectNode turn = servers.addObject();
        turnUrls.forEach(turn.putArray("urls")::add);
        turn.put("username", credential.username());
        turn.put("credential", credential.password());
        return new Issued(servers, credential.expiresAt());
    }

    /** How long from now until a credential expiring at {@code expires} should be replaced. */
    Duration refreshDelay(Instant expires) {
        Duration delay = Duration.between(clock.instant(), expires.minus(refreshBefore));
        return delay.compareTo(MIN_REFRESH_DELAY) < 0 ? MIN_REFRESH_DELAY : delay;
    }
}
