package io.parkway.server;

import static io.parkway.server.ConfigReader.child;
import static io.parkway.server.ConfigReader.get;
import static io.parkway.server.ConfigReader.item;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.netty.util.NetUtil;
import io.parkway.server.ParkwayConfig.Peers;
import io.parkway.server.ParkwayConfig.PortRange;
import io.parkway.server.ParkwayConfig.Relay;
import io.parkway.server.ParkwayConfig.Turn;
import io.parkway.server.metrics.HttpAddress;
import io.parkway.turn.IpRange;
import io.parkway.turn.ListenAddress;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a {@link ParkwayConfig} from YAML, strictly: an unknown key, a value of the wrong type or out of range, and a
 * broken cross-key rule each become one line of the {@link ConfigException}, and every such line is reported at
 * once. Keys that are missing (or null) take their value from {@link ParkwayConfig#defaults()}.
 *
 * <p>The YAML is parsed as a tree and walked here, rather than bound to classes, so that each problem names its key
 * path ({@code turn.listen[1]}) and nothing is silently converted (a quoted number is not a number, a number is not
 * a password).
 */
public final class ConfigLoader {

    static final List<String> ROOT_KEYS = List.of("realm", "turn", "log", "drain-timeout", "metrics", "signaling");
    static final List<String> TURN_KEYS = List.of("listen", "relay", "users", "rest-secrets", "rest-secret-grace",
            "peers", "allocation-lifetime", "max-allocation-lifetime", "allocations-per-user",
            "allocations-per-rest-credential", "max-allocations");
    static final List<String> RELAY_KEYS = List.of("address", "external-address", "ports");
    static final List<String> PEERS_KEYS = List.of("allow", "deny");
    static final List<String> LOG_KEYS = List.of("level");
    static final List<String> METRICS_KEYS = List.of("listen");
    static final List<String> SIGNALING_KEYS = List.of("listen", "tls", "speaker-key", "allowed-origins",
            "max-listeners", "credential-ttl", "credential-refresh-before", "resume-grace", "max-message-bytes",
            "max-messages-per-second", "max-connections-per-ip", "max-rooms");
    static final List<String> SIGNALING_TLS_KEYS = List.of("cert", "key");

    /**
     * The schema that {@link EnvironmentOverrides} resolves {@code PARKWAY_…} names against: every mapping (section)
     * of the document by key path ({@code ""} is the root) with its keys; a key that is not itself a section is a
     * value. A new section must be listed here (a test checks that every key of the shipped conf/parkway.yaml is).
     */
    static final Map<String, List<String>> SECTIONS = Map.of(
            "", ROOT_KEYS, "turn", TURN_KEYS, "turn.relay", RELAY_KEYS, "turn.peers", PEERS_KEYS, "log", LOG_KEYS,
            "metrics", METRICS_KEYS, "signaling", SIGNALING_KEYS, "signaling.tls", SIGNALING_TLS_KEYS);
    /** Keys whose value is a sequence; an environment override gives them as comma-separated items. */
    static final Set<String> SEQUENCE_KEYS = Set.of("turn.listen", "turn.rest-secrets", "turn.peers.allow",
            "turn.peers.deny", "signaling.allowed-origins");
    /** Keys whose value is a mapping of names to strings; an environment override gives {@code NAME:VALUE,…}. */
    static final Set<String> MAPPING_KEYS = Set.of("turn.users");

    /** RFC 8489 section 14.9: REALM MUST be fewer than 128 characters. */
    private static final int MAX_REALM_LENGTH = 127;
    /** RFC 8489 section 14.3: USERNAME MUST be fewer than 509 bytes. */
    private static final int MAX_USER_NAME_LENGTH = 508;
    private static final int MAX_SECRET_LENGTH = 1024;
    /** The longest duration in seconds a key accepts: one year. */
    private static final long MAX_SECONDS = 365L * 24 * 3600;

    private static final String LISTEN_EXPECTED = "udp://IP:PORT or tcp://IP:PORT";
    private static final String CIDR_EXPECTED = "ADDRESS/PREFIX such as 10.0.0.0/8 or fc00::/7";
    private static final String PORTS_EXPECTED = "MIN-MAX within 1-65535";
    private static final Pattern PORTS = Pattern.compile("(\\d{1,9})\\s*-\\s*(\\d{1,9})");

    private static final YAMLMapper YAML = YAMLMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    private ConfigLoader() {
    }

    /** Reads and validates the YAML file {@code file}. */
    public static ParkwayConfig load(Path file) throws ConfigException {
        return load(file, Map.of());
    }

    /**
     * Reads the YAML file {@code file}, applies the {@code PARKWAY_…} variables of {@code environment} over it (see
     * {@link EnvironmentOverrides}; other variables are ignored) and validates the result.
     */
    public static ParkwayConfig load(Path file, Map<String, String> environment) throws ConfigException {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new ConfigException(file.toString(),
                    List.of("config file: " + file + " (expected: an existing file)"));
        } catch (IOException e) {
            throw new ConfigException(file.toString(),
                    List.of("config file: " + file + " (expected: a readable UTF-8 file; " + e + ")"));
        }
        return validate(tree(text, file.toString()), file.toString(), ParkwayConfig.defaults(), environment);
    }

    /** Validates the YAML document {@code yaml}; {@code source} names it in the exception. */
    public static ParkwayConfig parse(String yaml, String source) throws ConfigException {
        return validate(tree(yaml, source), source, ParkwayConfig.defaults(), Map.of());
    }

    /**
     * {@code base} (such as the development defaults) with the {@code PARKWAY_…} variables of {@code environment}
     * applied over it, validated as if they were a file's keys.
     */
    public static ParkwayConfig overlay(ParkwayConfig base, String source, Map<String, String> environment)
            throws ConfigException {
        return validate(null, source, base, environment);
    }

    private static JsonNode tree(String yaml, String source) throws ConfigException {
        try {
            return YAML.readTree(yaml);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String where = at == null ? "" : " line " + at.getLineNr() + ", column " + at.getColumnNr();
            throw new ConfigException(source,
                    List.of("YAML" + where + ": " + firstLine(e.getOriginalMessage())
                            + " (expected: well-formed YAML)"));
        }
    }

    /**
     * The first line of a parser message: SnakeYAML appends the offending line of the document, which may hold a
     * password or secret, and problems end up in logs (on reload) and in the journal (stderr under systemd).
     */
    private static String firstLine(String message) {
        if (message == null) {
            return "unreadable";
        }
        int newline = message.indexOf('\n');
        return (newline < 0 ? message : message.substring(0, newline)).strip();
    }

    /**
     * Applies the environment overrides over {@code root} (null: an empty document) and reads the result, every key
     * missing from both taking its value from {@code d}.
     */
    private static ParkwayConfig validate(JsonNode root, String source, ParkwayConfig d,
            Map<String, String> environment) throws ConfigException {
        ConfigReader r = new ConfigReader();
        root = EnvironmentOverrides.from(environment).apply(root, r);
        if (root == null || root.isMissingNode() || root.isNull()) {
            if (r.problemCount() > 0) {
                throw new ConfigException(source, r.problems());
            }
            return d;
        }
        String realm = null;
        Turn turn = d.turn();
        ParkwayConfig.Log log = d.log();
        Long drainTimeout = null;
        ParkwayConfig.Metrics metrics = d.metrics();
        ParkwayConfig.Signaling signaling = d.signaling();
        if (r.mapping(root, "", ROOT_KEYS)) {
            realm = r.string(get(root, "realm"), "realm", MAX_REALM_LENGTH);
            JsonNode t = get(root, "turn");
            if (t != null && r.mapping(t, "turn", TURN_KEYS)) {
                turn = turn(r, t, d.turn());
            }
            JsonNode l = get(root, "log");
            if (l != null && r.mapping(l, "log", LOG_KEYS)) {
                log = new ParkwayConfig.Log(or(logLevel(r, get(l, "level"), "log.level"), d.log().level()));
            }
            drainTimeout = r.integer(get(root, "drain-timeout"), "drain-timeout", 0, MAX_SECONDS, "whole seconds");
            JsonNode m = get(root, "metrics");
            if (m != null && r.mapping(m, "metrics", METRICS_KEYS)) {
                metrics = new ParkwayConfig.Metrics(
                        or(httpAddress(r, get(m, "listen"), "metrics.listen"), d.metrics().listen()));
            }
            JsonNode s = get(root, "signaling");
            if (s != null && r.mapping(s, "signaling", SIGNALING_KEYS)) {
                signaling = SignalingConfig.read(r, s, d.signaling());
            }
        }
        if (r.problemCount() > 0) {
            throw new ConfigException(source, r.problems());
        }
        return new ParkwayConfig(or(realm, d.realm()), turn, log,
                drainTimeout == null ? d.drainTimeout() : Duration.ofSeconds(drainTimeout), metrics, signaling);
    }

    private static HttpAddress httpAddress(ConfigReader r, JsonNode node, String path) {
        if (node == null) {
            return null;
        }
        if (node.isTextual()) {
            try {
                return HttpAddress.parse(node.textValue());
            } catch (IllegalArgumentException e) {
                r.problem(path, node.textValue(), e, HttpAddress.EXPECTED);
                return null;
            }
        }
        r.problem(path, node, HttpAddress.EXPECTED);
        return null;
    }

    private static ParkwayConfig.LogLevel logLevel(ConfigReader r, JsonNode node, String path) {
        if (node == null) {
            return null;
        }
        if (node.isTextual()) {
            for (ParkwayConfig.LogLevel level : ParkwayConfig.LogLevel.values()) {
                if (level.name().equalsIgnoreCase(node.textValue().strip())) {
                    return level;
                }
            }
        }
        r.problem(path, node, "one of " + java.util.Arrays.stream(ParkwayConfig.LogLevel.values())
                .map(Enum::name).collect(java.util.stream.Collectors.joining(", ")));
        return null;
    }

    private static Turn turn(ConfigReader r, JsonNode t, Turn d) {
        int before = r.problemCount();
        List<ListenAddress> listen = or(listen(r, get(t, "listen"), "turn.listen"), d.listen());

        Relay relay = d.relay();
        JsonNode relayNode = get(t, "relay");
        if (relayNode != null && r.mapping(relayNode, "turn.relay", RELAY_KEYS)) {
            relay = new Relay(
                    or(ip(r, get(relayNode, "address"), "turn.relay.address", "a local IP literal"),
                            d.relay().address()),
                    or(ip(r, get(relayNode, "external-address"), "turn.relay.external-address",
                            "the public IP literal of this host, or null"), d.relay().externalAddress()),
                    or(ports(r, get(relayNode, "ports"), "turn.relay.ports"), d.relay().ports()));
        }
        if (r.problemCount() == before) {
            checkAdvertisable(r, relay, listen);
        }
        Map<String, String> users = or(users(r, get(t, "users"), "turn.users"), d.users());
        List<String> secrets = or(secrets(r, get(t, "rest-secrets"), "turn.rest-secrets"), d.restSecrets());
        Long grace = r.integer(get(t, "rest-secret-grace"), "turn.rest-secret-grace", 0, MAX_SECONDS,
                "whole seconds");

        Peers peers = d.peers();
        JsonNode peersNode = get(t, "peers");
        if (peersNode != null && r.mapping(peersNode, "turn.peers", PEERS_KEYS)) {
            peers = new Peers(or(ranges(r, get(peersNode, "allow"), "turn.peers.allow"), d.peers().allow()),
                    or(ranges(r, get(peersNode, "deny"), "turn.peers.deny"), d.peers().deny()));
        }

        JsonNode lifetimeNode = get(t, "allocation-lifetime");
        JsonNode maxLifetimeNode = get(t, "max-allocation-lifetime");
        Long lifetime = r.integer(lifetimeNode, "turn.allocation-lifetime", 1, Integer.MAX_VALUE, "whole seconds");
        Long maxLifetime = r.integer(maxLifetimeNode, "turn.max-allocation-lifetime", 1, Integer.MAX_VALUE,
                "whole seconds");
        Duration life = lifetime == null ? d.allocationLifetime() : Duration.ofSeconds(lifetime);
        Duration maxLife = maxLifetime == null ? d.maxAllocationLifetime() : Duration.ofSeconds(maxLifetime);
        boolean lifetimesRead = (lifetimeNode == null || lifetime != null)
                && (maxLifetimeNode == null || maxLifetime != null);
        if (lifetimesRead && maxLife.compareTo(life) < 0) {
            if (maxLifetimeNode != null) {
                r.problem("turn.max-allocation-lifetime", maxLifetimeNode,
                        "at least turn.allocation-lifetime, " + life.toSeconds());
            } else {
                r.problem("turn.allocation-lifetime", lifetimeNode,
                        "at most turn.max-allocation-lifetime, " + maxLife.toSeconds());
            }
        }

        Long perUser = r.integer(get(t, "allocations-per-user"), "turn.allocations-per-user", 1, Integer.MAX_VALUE,
                "a whole number");
        Long max = r.integer(get(t, "max-allocations"), "turn.max-allocations", 1, Integer.MAX_VALUE,
                "a whole number");
        Long perRest = r.integer(get(t, "allocations-per-rest-credential"), "turn.allocations-per-rest-credential",
                1, Integer.MAX_VALUE, "a whole number");

        return new Turn(listen, relay, users, secrets, peers, life, maxLife,
                perUser == null ? d.allocationsPerUser() : perUser.intValue(),
                max == null ? d.maxAllocations() : max.intValue(),
                grace == null ? d.restSecretGrace() : Duration.ofSeconds(grace),
                perRest == null ? d.allocationsPerRestCredential() : perRest.intValue());
    }

    private static List<ListenAddress> listen(ConfigReader r, JsonNode node, String path) {
        List<JsonNode> items = r.sequence(node, path, "a list of " + LISTEN_EXPECTED);
        if (items == null) {
            return null;
        }
        if (items.isEmpty()) {
            r.problem(path, node, "at least one " + LISTEN_EXPECTED);
            return null;
        }
        int before = r.problemCount();
        List<ListenAddress> listen = new ArrayList<>();
        Set<ListenAddress> seen = new HashSet<>();
        for (int i = 0; i < items.size(); i++) {
            JsonNode n = items.get(i);
            if (!n.isTextual()) {
                r.problem(item(path, i), n, LISTEN_EXPECTED);
                continue;
            }
            try {
                ListenAddress a = ListenAddress.parse(n.textValue());
                if (a.address().getPort() != 0 && !seen.add(a)) {
                    r.problem(item(path, i), n, "each address once");
                }
                listen.add(a);
            } catch (IllegalArgumentException e) {
                r.problem(item(path, i), n.textValue(), e, LISTEN_EXPECTED);
            }
        }
        return r.problemCount() == before ? listen : null;
    }

    /**
     * XOR-RELAYED-ADDRESS must be an address peers can send to (RFC 8656 section 7.3,
     * https://datatracker.ietf.org/doc/html/rfc8656#section-7.3): a wildcard relay address needs an external one.
     */
    private static void checkAdvertisable(ConfigReader r, Relay relay, List<ListenAddress> listen) {
        if (relay.externalAddress() != null) {
            if (relay.externalAddress().isAnyLocalAddress() || relay.externalAddress().isMulticastAddress()) {
                r.problem("turn.relay.external-address", relay.externalAddress().getHostAddress(),
                        "a unicast IP peers can reach");
            }
            return;
        }
        if (relay.address() != null && relay.address().isAnyLocalAddress()) {
            r.problem("turn.relay.address", relay.address().getHostAddress(),
                    "a specific local IP, or turn.relay.external-address set");
        } else if (relay.address() == null && listen.get(0).address().getAddress().isAnyLocalAddress()) {
            r.problem("turn.relay.address", "null, so the IP of turn.listen[0], " + listen.get(0),
                    "a specific local IP, or turn.relay.external-address set");
        }
    }

    private static InetAddress ip(ConfigReader r, JsonNode node, String path, String expected) {
        if (node == null) {
            return null;
        }
        byte[] bytes = node.isTextual() ? NetUtil.createByteArrayFromIpAddressString(node.textValue().strip()) : null;
        if (bytes == null) {
            r.problem(path, node, expected + "; host names are not resolved");
            return null;
        }
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new AssertionError("4 or 16 bytes", e); // only thrown for other lengths
        }
    }

    private static PortRange ports(ConfigReader r, JsonNode node, String path) {
        if (node == null) {
            return null;
        }
        Matcher m = node.isTextual() ? PORTS.matcher(node.textValue().strip()) : null;
        if (m != null && m.matches()) {
            int min = Integer.parseInt(m.group(1));
            int max = Integer.parseInt(m.group(2));
            if (min >= 1 && max <= 65535 && min <= max) {
                return new PortRange(min, max);
            }
        }
        r.problem(path, node, PORTS_EXPECTED);
        return null;
    }

    private static Map<String, String> users(ConfigReader r, JsonNode node, String path) {
        String expected = "a mapping of user name to password, such as { alice: wonderland }";
        if (node != null && !node.isObject()) {
            r.problem(path, ConfigReader.redacted(node), expected);
            return null;
        }
        var entries = r.entries(node, path, expected);
        if (entries == null) {
            return null;
        }
        Map<String, String> users = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : entries) {
            String name = e.getKey();
            if (name.isEmpty() || name.length() > MAX_USER_NAME_LENGTH) {
                r.problem(path, "user name \"" + name + "\"", "1-" + MAX_USER_NAME_LENGTH + " characters");
                continue;
            }
            String password = r.secret(e.getValue(), child(path, name), MAX_SECRET_LENGTH);
            if (password != null) {
                users.put(name, password);
            }
        }
        return users;
    }

    private static List<String> secrets(ConfigReader r, JsonNode node, String path) {
        String expected = "a list of secrets, newest first, such as [ \"s3cret\" ]";
        if (node != null && !node.isArray()) {
            r.problem(path, ConfigReader.redacted(node), expected);
            return null;
        }
        List<JsonNode> items = r.sequence(node, path, expected);
        if (items == null) {
            return null;
        }
        List<String> secrets = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            String s = r.secret(items.get(i), item(path, i), MAX_SECRET_LENGTH);
            if (s != null) {
                secrets.add(s);
            }
        }
        return secrets;
    }

    private static List<IpRange> ranges(ConfigReader r, JsonNode node, String path) {
        List<JsonNode> items = r.sequence(node, path, "a list of CIDRs such as [ 10.0.0.0/8, fc00::/7 ]");
        if (items == null) {
            return null;
        }
        List<IpRange> ranges = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            JsonNode n = items.get(i);
            if (!n.isTextual()) {
                r.problem(item(path, i), n, CIDR_EXPECTED);
                continue;
            }
            try {
                ranges.add(IpRange.parse(n.textValue()));
            } catch (IllegalArgumentException e) {
                r.problem(item(path, i), n.textValue(), e, CIDR_EXPECTED);
            }
        }
        return ranges;
    }

    private static <T> T or(T value, T otherwise) {
        return value != null ? value : otherwise;
    }
}
