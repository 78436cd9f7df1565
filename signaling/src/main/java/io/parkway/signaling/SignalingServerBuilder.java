package io.parkway.signaling;

import java.io.File;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Options of a {@link SignalingServer}. Each default is stated here, once.
 */
public final class SignalingServerBuilder {

    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 8080;
    /** Classpath folder of the web demo's static files (module {@code web-demo}). */
    public static final String DEFAULT_STATIC_PREFIX = "parkway-web/";
    public static final int DEFAULT_MAX_LISTENERS = 50;
    public static final Duration DEFAULT_CREDENTIAL_TTL = Duration.ofSeconds(600);
    public static final Duration DEFAULT_CREDENTIAL_REFRESH_BEFORE = Duration.ofSeconds(60);
    public static final Duration DEFAULT_RESUME_GRACE = Duration.ofSeconds(30);
    public static final int DEFAULT_MAX_MESSAGE_BYTES = 65536;
    public static final int DEFAULT_MAX_MESSAGES_PER_SECOND = 50;
    public static final int DEFAULT_MAX_CONNECTIONS_PER_IP = 20;
    public static final int DEFAULT_MAX_ROOMS = 1000;

    InetSocketAddress listen = new InetSocketAddress(DEFAULT_HOST, DEFAULT_PORT);
    File tlsCert;
    File tlsKey;
    String turnSecret;
    final List<String> iceServers = new ArrayList<>();
    String speakerKey;
    final List<String> allowedOrigins = new ArrayList<>();
    String staticPrefix = DEFAULT_STATIC_PREFIX;
    int maxListeners = DEFAULT_MAX_LISTENERS;
    Duration credentialTtl = DEFAULT_CREDENTIAL_TTL;
    Duration credentialRefreshBefore = DEFAULT_CREDENTIAL_REFRESH_BEFORE;
    Duration resumeGrace = DEFAULT_RESUME_GRACE;
    int maxMessageBytes = DEFAULT_MAX_MESSAGE_BYTES;
    int maxMessagesPerSecond = DEFAULT_MAX_MESSAGES_PER_SECOND;
    int maxConnectionsPerIp = DEFAULT_MAX_CONNECTIONS_PER_IP;
    int maxRooms = DEFAULT_MAX_ROOMS;
    Clock clock = Clock.systemUTC();

    SignalingServerBuilder() {
    }

    /** The address to bind; port 0 picks an ephemeral port (see {@link SignalingServer#boundAddress()}). */
    public SignalingServerBuilder listen(InetSocketAddress address) {
        this.listen = Objects.requireNonNull(address, "address");
        return this;
    }

    /** Serves HTTPS and WSS with this PEM certificate chain and PEM (PKCS#8) private key. */
    public SignalingServerBuilder tls(File certChain, File privateKey) {
        this.tlsCert = Objects.requireNonNull(certChain, "certChain");
        this.tlsKey = Objects.requireNonNull(privateKey, "privateKey");
        return this;
    }

    /**
     * The TURN REST shared secret (the newest of the TURN server's {@code rest-secrets}). Null: no TURN credentials
     * are handed out and {@code turn:}/{@code turns:} URLs are left out of {@code iceServers}.
     */
    public SignalingServerBuilder turnSecret(String secret) {
        if (secret != null && secret.isEmpty()) {
            throw new IllegalArgumentException("turnSecret: empty (expected: null or at least one character)");
        }
        this.turnSecret = secret;
        return this;
    }

    /** Adds an ICE server URL handed to clients: {@code stun:}, {@code stuns:}, {@code turn:} or {@code turns:}. */
    public SignalingServerBuilder iceServer(String url) {
        Objects.requireNonNull(url, "url");
        String scheme = url.toLowerCase(Locale.ROOT);
        if (!(scheme.startsWith("stun:") || scheme.startsWith("stuns:") || scheme.startsWith("turn:")
                || scheme.startsWith("turns:"))) {
            throw new IllegalArgumentException("ice server url: " + url + " (expected: stun:, stuns:, turn: or turns:)");
        }
        iceServers.add(url);
        return this;
    }

    public SignalingServerBuilder iceServers(List<String> urls) {
        urls.forEach(this::iceServer);
        return this;
    }

    /**
     * The operator's speaker key. Null (the default) is development mode: joining a room that does not exist creates
     * it and anyone may speak in it. Set: rooms are created only by {@code POST /api/rooms} with this key as bearer
     * token, and speakers need the room's key (or this one).
     */
    public SignalingServerBuilder speakerKey(String key) {
        if (key != null && key.isEmpty()) {
            throw new IllegalArgumentException("speakerKey: empty (expected: null or at least one character)");
        }
        this.speakerKey = key;
        return this;
    }

    /** Origins (scheme://host[:port]) allowed to open the WebSocket and call the API; empty (the default): any. */
    public SignalingServerBuilder allowedOrigins(List<String> origins) {
        allowedOrigins.clear();
        for (String origin : origins) {
            allowedOrigins.add(Origins.normalize(Objects.requireNonNull(origin, "origin")));
        }
        return this;
    }

    /** Classpath folder of the static files, e.g. {@code parkway-web/}. */
    public SignalingServerBuilder staticPrefix(String prefix) {
        Objects.requireNonNull(prefix, "prefix");
        if (prefix.startsWith("/") || prefix.contains("..")) {
            throw new IllegalArgumentException("staticPrefix: " + prefix + " (expected: a relative classpath folder)");
        }
        this.staticPrefix = prefix.isEmpty() || prefix.endsWith("/") ? prefix : prefix + "/";
        return this;
    }

    public SignalingServerBuilder maxListeners(int max) {
        this.maxListeners = positive("maxListeners", max);
        return this;
    }

    /** How long each TURN credential is valid; at least one second. */
    public SignalingServerBuilder credentialTtl(Duration ttl) {
        this.credentialTtl = atLeast("credentialTtl", ttl, Duration.ofSeconds(1));
        return this;
    }

    /** How long before a credential expires the server sends a fresh one; less than the TTL. */
    public SignalingServerBuilder credentialRefreshBefore(Duration before) {
        this.credentialRefreshBefore = atLeast("credentialRefreshBefore", before, Duration.ZERO);
        return this;
    }

    /** How long a session whose socket dropped is kept for a resume; zero removes it at once. */
    public SignalingServerBuilder resumeGrace(Duration grace) {
        this.resumeGrace = atLeast("resumeGrace", grace, Duration.ZERO);
        return this;
    }

    public SignalingServerBuilder maxMessageBytes(int max) {
        this.maxMessageBytes = positive("maxMessageBytes", max);
        return this;
    }

    public SignalingServerBuilder maxMessagesPerSecond(int max) {
        this.maxMessagesPerSecond = positive("maxMessagesPerSecond", max);
        return this;
    }

    public SignalingServerBuilder maxConnectionsPerIp(int max) {
        this.maxConnectionsPerIp = positive("maxConnectionsPerIp", max);
        return this;
    }

    public SignalingServerBuilder maxRooms(int max) {
        this.maxRooms = positive("maxRooms", max);
        return this;
    }

    /** The clock of credential expiry times. */
    public SignalingServerBuilder clock(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
        return this;
    }

    public SignalingServer build() {
        if (credentialRefreshBefore.compareTo(credentialTtl) >= 0) {
            throw new IllegalArgumentException("credentialRefreshBefore: " + credentialRefreshBefore
                    + " (expected: less than credentialTtl " + credentialTtl + ")");
        }
        return new DefaultSignalingServer(this);
    }

    private static int positive(String name, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(name + ": " + value + " (expected: at least 1)");
        }
        return value;
    }

    private static Duration atLeast(String name, Duration value, Duration min) {
        Objects.requireNonNull(value, name);
        if (value.compareTo(min) < 0) {
            throw new IllegalArgumentException(name + ": " + value + " (expected: at least " + min + ")");
        }
        return value;
    }
}
