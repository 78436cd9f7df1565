package io.parkway.server;

import static io.parkway.server.ConfigReader.get;
import static io.parkway.server.ConfigReader.item;

import com.fasterxml.jackson.databind.JsonNode;
import io.parkway.server.ParkwayConfig.Signaling;
import io.parkway.server.ParkwayConfig.Tls;
import io.parkway.server.ParkwayConfig.WebAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the {@code signaling:} section for {@link ConfigLoader}: every problem is recorded, none thrown. Cross-key
 * rules: an {@code https://} listen address needs {@code tls.cert} and {@code tls.key} (and they need it), and
 * {@code credential-refresh-before} is less than {@code credential-ttl}.
 */
final class SignalingConfig {

    private static final long MAX_SECONDS = 365L * 24 * 3600;
    private static final int MAX_SECRET_LENGTH = 1024;
    private static final String ORIGIN_EXPECTED = "an origin such as https://example.com or http://127.0.0.1:8080";

    private SignalingConfig() {
    }

    static Signaling read(ConfigReader r, JsonNode s, Signaling d) {
        int before = r.problemCount();
        WebAddress listen = d.listen();
        JsonNode listenNode = get(s, "listen");
        if (listenNode != null) {
            if (listenNode.isTextual()) {
                try {
                    listen = WebAddress.parse(listenNode.textValue());
                } catch (IllegalArgumentException e) {
                    r.problem("signaling.listen", listenNode.textValue(), e, WebAddress.EXPECTED);
                }
            } else {
                r.problem("signaling.listen", listenNode, WebAddress.EXPECTED);
            }
        }
        Tls tls = d.tls();
        JsonNode tlsNode = get(s, "tls");
        if (tlsNode != null && r.mapping(tlsNode, "signaling.tls", ConfigLoader.SIGNALING_TLS_KEYS)) {
            tls = new Tls(file(r, get(tlsNode, "cert"), "signaling.tls.cert", d.tls().cert()),
                    file(r, get(tlsNode, "key"), "signaling.tls.key", d.tls().key()));
        }
        String speakerKey = r.secret(get(s, "speaker-key"), "signaling.speaker-key", MAX_SECRET_LENGTH);
        List<String> origins = origins(r, get(s, "allowed-origins"), "signaling.allowed-origins");
        Long maxListeners = r.integer(get(s, "max-listeners"), "signaling.max-listeners", 1, 100_000,
                "a whole number");
        Long ttl = r.integer(get(s, "credential-ttl"), "signaling.credential-ttl", 1, MAX_SECONDS, "whole seconds");
        Long refresh = r.integer(get(s, "credential-refresh-before"), "signaling.credential-refresh-before", 0,
                MAX_SECONDS, "whole seconds");
        Long grace = r.integer(get(s, "resume-grace"), "signaling.resume-grace", 0, MAX_SECONDS, "whole seconds");
        Long maxBytes = r.integer(get(s, "max-message-bytes"), "signaling.max-message-bytes", 1024, 16 << 20,
                "bytes");
        Long perSecond = r.integer(get(s, "max-messages-per-second"), "signaling.max-messages-per-second", 1,
                1_000_000, "a whole number");
        Long perIp = r.integer(get(s, "max-connections-per-ip"), "signaling.max-connections-per-ip", 1, 1_000_000,
                "a whole number");
        Long maxRooms = r.integer(get(s, "max-rooms"), "signaling.max-rooms", 1, 10_000_000, "a whole number");
        if (r.problemCount() > before) {
            return d;
        }
        boolean hasTls = tls.cert() != null || tls.key() != null;
        if (listen.https() && (tls.cert() == null || tls.key() == null)) {
            r.problem("signaling.tls", tls.cert() == null ? "no cert" : "no key",
                    "tls.cert and tls.key set, because signaling.listen is https://");
        } else if (!listen.https() && hasTls) {
            r.problem("signaling.listen", listen.toString(), "https://IP:PORT, because signaling.tls is set");
        }
        Duration ttlValue = ttl == null ? d.credentialTtl() : Duration.ofSeconds(ttl);
        Duration refreshValue = refresh == null ? d.credentialRefreshBefore() : Duration.ofSeconds(refresh);
        if (refreshValue.compareTo(ttlValue) >= 0) {
            r.problem("signaling.credential-refresh-before", Long.toString(refreshValue.toSeconds()),
                    "less than signaling.credential-ttl, " + ttlValue.toSeconds());
        }
        return new Signaling(listen, tls, speakerKey != null ? speakerKey : d.speakerKey(),
                origins != null ? origins : d.allowedOrigins(),
                maxListeners == null ? d.maxListeners() : maxListeners.intValue(), ttlValue, refreshValue,
                grace == null ? d.resumeGrace() : Duration.ofSeconds(grace),
                maxBytes == null ? d.maxMessageBytes() : maxBytes.intValue(),
                perSecond == null ? d.maxMessagesPerSecond() : perSecond.intValue(),
                perIp == null ? d.maxConnectionsPerIp() : perIp.intValue(),
                maxRooms == null ? d.maxRooms() : maxRooms.intValue());
    }

    private static Path file(ConfigReader r, JsonNode node, String path, Path otherwise) {
        if (node == null) {
            return otherwise;
        }
        if (!node.isTextual() || node.textValue().isBlank()) {
            r.problem(path, node, "the path of a readable PEM file");
            return otherwise;
        }
        Path file = Path.of(node.textValue().strip());
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            r.problem(path, node, "the path of a readable PEM file");
        }
        return file;
    }

    private static List<String> origins(ConfigReader r, JsonNode node, String path) {
        List<JsonNode> items = r.sequence(node, path, "a list of origins such as [ \"https://example.com\" ]");
        if (items == null) {
            return null;
        }
        List<String> origins = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            JsonNode n = items.get(i);
            if (!n.isTextual() || !isOrigin(n.textValue().strip())) {
                r.problem(item(path, i), n, ORIGIN_EXPECTED);
                continue;
            }
            origins.add(n.textValue().strip());
        }
        return origins;
    }

    /** {@code scheme://host[:port]} of http or https, without path, query or user info. */
    private static boolean isOrigin(String value) {
        try {
            URI uri = new URI(value);
            String path = uri.getRawPath();
            return ("http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme()))
                    && uri.getHost() != null && uri.getRawUserInfo() == null && uri.getRawQuery() == null
                    && uri.getRawFragment() == null && (path == null || path.isEmpty() || path.equals("/"));
        } catch (URISyntaxException e) {
            return false;
        }
    }
}
