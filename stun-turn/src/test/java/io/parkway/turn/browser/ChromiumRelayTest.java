package io.parkway.turn.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.parkway.testing.Chromium;
import io.parkway.turn.IpRange;
import io.parkway.turn.ListenAddress;
import io.parkway.turn.PeerPolicy;
import io.parkway.turn.TurnServer;
import io.parkway.turn.TurnStats;
import io.parkway.turn.TurnTransport;
import io.parkway.turn.auth.RestCredential;
import io.parkway.turn.auth.RestCredentials;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.slf4j.LoggerFactory;

/**
 * Chromium's own WebRTC stack relays audio through Parkway: two {@code RTCPeerConnection}s in one page
 * ({@code browser/relay.html}), both restricted to relay candidates ({@code iceTransportPolicy: 'relay'}), connect
 * through one server with a static long-term credential and with a TURN REST credential, over UDP and over TCP to the
 * server. Each case checks the selected candidate pair is relay-to-relay, that audio RTP arrives, and that the
 * server's own counters saw the packets.
 *
 * <p>Uses Debian's {@code /usr/bin/chromium} and {@code /usr/bin/chromedriver} with explicit paths, so Selenium
 * Manager never runs and nothing is downloaded. Without them the test is skipped with a loud message, or fails when
 * {@code CI=true}. All traffic stays on 127.0.0.1 ({@code --allow-loopback-in-peer-connection} lets Chromium use the
 * loopback relay candidates; the relay policy keeps it from sending anywhere but the TURN server).
 */
class ChromiumRelayTest {

    private static final String REALM = "parkway.test";
    private static final String USER = "alice";
    private static final String PASSWORD = "wonderland";
    private static final String REST_SECRET = "s3cret";
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(30);
    /** Audio RTP packets pc2 must receive; Opus at 20 ms makes 50 packets a second. */
    private static final long MIN_PACKETS = 50;

    private static TurnServer server;
    private static HttpServer http;
    private static ChromeDriver driver;
    private static Path profile;
    private static int udpPort;
    private static int tcpPort;
    private static String missingBrowser;
    private static ch.qos.logback.classic.Level savedServerLogLevel;
    /** Log events of the server, for {@link #assertOnlyLoopbackClients()}. */
    private static final Queue<ILoggingEvent> SERVER_LOG = new ConcurrentLinkedQueue<>();
    private static final AppenderBase<ILoggingEvent> SERVER_LOG_APPENDER = new AppenderBase<>() {
        @Override
        protected void append(ILoggingEvent event) {
            SERVER_LOG.add(event);
        }
    };

    @BeforeAll
    static void start() throws Exception {
        missingBrowser = Chromium.missing("ChromiumRelayTest");
        if (missingBrowser != null) {
            return;
        }
        SERVER_LOG_APPENDER.start();
        savedServerLogLevel = serverLogger().getLevel();
        if (!serverLogger().isInfoEnabled()) {
            serverLogger().setLevel(ch.qos.logback.classic.Level.INFO); // the guard reads INFO events
        }
        serverLogger().addAppender(SERVER_LOG_APPENDER);
        server = TurnServer.builder()
                .realm(REALM)
                .listen(ListenAddress.parse("udp://127.0.0.1:0"))
                .listen(ListenAddress.parse("tcp://127.0.0.1:0"))
                .relayAddress(InetAddress.getByName("127.0.0.1"))
                .user(USER, PASSWORD)
                .restSecrets(List.of(REST_SECRET))
                .peerPolicy(PeerPolicy.builder().allow(IpRange.parse("127.0.0.0/8")).build())
                .build()
                .start();
        for (ListenAddress bound : server.boundAddresses()) {
            if (bound.transport() == TurnTransport.UDP) {
                udpPort = bound.address().getPort();
            } else if (bound.transport() == TurnTransport.TCP) {
                tcpPort = bound.address().getPort();
            }
        }
        assertTrue(udpPort > 0 && tcpPort > 0, "bound addresses: " + server.boundAddresses()
                + " (expected: one udp:// and one tcp://)");

        http = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 0);
        http.createContext("/", ChromiumRelayTest::servePage);
        http.start();

        profile = Files.createTempDirectory("parkway-chromium-");
        driver = startDriver(profile);
    }

    @BeforeEach
    void requireBrowser() {
        // Aborting here rather than in @BeforeAll makes each case show as skipped in the report.
        Assumptions.assumeTrue(missingBrowser == null, missingBrowser);
    }

    @AfterAll
    static void stop() throws IOException {
        try {
            if (driver != null) {
                driver.quit();
            }
        } finally {
            if (http != null) {
                http.stop(0);
            }
            if (server != null) {
                server.close();
            }
            serverLogger().detachAppender(SERVER_LOG_APPENDER);
            serverLogger().setLevel(savedServerLogLevel);
            SERVER_LOG_APPENDER.stop();
            if (profile != null) {
                try (Stream<Path> files = Files.walk(profile)) {
                    files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        }
    }

    static Stream<Arguments> cases() {
        RestCredential rest = RestCredentials.issue(REST_SECRET, "bob", Duration.ofHours(1), Clock.systemUTC());
        return Stream.of(
                Arguments.of(Named.of("static user over UDP", "udp"), USER, PASSWORD),
                Arguments.of(Named.of("REST credential over UDP", "udp"), rest.username(), rest.password()),
                Arguments.of(Named.of("static user over TCP", "tcp"), USER, PASSWORD));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void relaysAudioBetweenTwoPeerConnections(String transport, String username, String credential) {
        int port = transport.equals("udp") ? udpPort : tcpPort;
        String turnUrl = "turn:127.0.0.1:" + port + "?transport=" + transport;
        SERVER_LOG.clear();
        long toPeerBefore = server.stats().relayedPacketsToPeer();
        long toClientBefore = server.stats().relayedPacketsToClient();
        try {
            driver.get(pageUrl(turnUrl, username, credential));

            Awaitility.await("both peer connections connected through " + turnUrl)
                    .atMost(CONNECT_TIMEOUT)
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> {
                        failOnPageError();
                        Object states = script("return window.relay ? [window.relay.pc1.connectionState,"
                                + " window.relay.pc2.connectionState] : []");
                        if (((List<?>) states).contains("failed")) {
                            throw new IllegalStateException("a peer connection failed: " + states);
                        }
                        return List.of("connected", "connected").equals(states);
                    });

            Awaitility.await("pc2 receives more than " + MIN_PACKETS + " audio packets")
                    .atMost(CONNECT_TIMEOUT)
                    .pollInterval(Duration.ofMillis(250))
                    .until(() -> packets(stats("pc2"), "inboundAudio") > MIN_PACKETS);

            for (String pc : List.of("pc1", "pc2")) {
                Map<String, Object> stats = stats(pc);
                Map<?, ?> pair = (Map<?, ?>) stats.get("pair");
                assertNotNull(pair, pc + " selected candidate pair in " + stats);
                Map<?, ?> local = (Map<?, ?>) pair.get("local");
                Map<?, ?> remote = (Map<?, ?>) pair.get("remote");
                assertNotNull(local, pc + " local candidate in " + pair);
                assertNotNull(remote, pc + " remote candidate in " + pair);
                assertEquals("relay", local.get("candidateType"), pc + " local candidate " + local);
                assertEquals("127.0.0.1", local.get("address"), pc + " local candidate " + local);
                assertEquals(transport, local.get("relayProtocol"), pc + " local candidate " + local);
                assertEquals("relay", remote.get("candidateType"), pc + " remote candidate " + remote);
                assertEquals("127.0.0.1", remote.get("address"), pc + " remote candidate " + remote);
            }
            long sent = packets(stats("pc1"), "outboundAudio");
            assertTrue(sent > 0, "pc1 audio packets sent: " + sent + " (expected: > 0)");

            TurnStats after = server.stats();
            long toPeer = after.relayedPacketsToPeer() - toPeerBefore;
            long toClient = after.relayedPacketsToClient() - toClientBefore;
            assertTrue(toPeer > 0, "packets Parkway relayed to peers: " + toPeer + " (expected: > 0)");
            assertTrue(toClient > 0, "packets Parkway relayed to clients: " + toClient + " (expected: > 0)");
            assertTrue(after.allocationsActive() > 0,
                    "active allocations: " + after.allocationsActive() + " (expected: > 0)");
            assertOnlyLoopbackClients();
        } catch (RuntimeException | AssertionError e) {
            dumpDiagnostics(turnUrl);
            throw e;
        } finally {
            // Closes both peer connections, so their allocations are released before the next case.
            driver.get("about:blank");
        }
    }

    /**
     * Chromium sends to the TURN server from a socket on every interface unless told otherwise, and Parkway answers
     * to the source address, which would be the machine's non-loopback address (the network rule of the test suite
     * forbids that). The {@code webrtc.ip_handling_policy} preference keeps Chromium on one unbound socket; this
     * checks it worked, from the client addresses Parkway logged (e.g. for each allocation it created).
     */
    private static void assertOnlyLoopbackClients() {
        for (ILoggingEvent event : SERVER_LOG) {
            Object[] args = event.getArgumentArray();
            for (Object arg : args == null ? new Object[0] : args) {
                if (arg instanceof InetSocketAddress address && address.getAddress() != null) {
                    assertTrue(address.getAddress().isLoopbackAddress(),
                            "Parkway talked to " + address + " (expected: loopback only; did Chromium ignore"
                                    + " webrtc.ip_handling_policy?): " + event.getFormattedMessage());
                }
            }
        }
    }

    private static ch.qos.logback.classic.Logger serverLogger() {
        return (ch.qos.logback.classic.Logger) LoggerFactory.getLogger("io.parkway.turn");
    }

    private static ChromeDriver startDriver(Path userDataDir) {
        // Both paths explicit: Selenium Manager is never consulted, nothing is downloaded. Loopback only: without the
        // ip_handling_policy preference Chromium allocates from every interface, and Parkway answers to the machine's
        // non-loopback address; with it Chromium uses one socket bound to the wildcard address, whose source towards
        // 127.0.0.1 is 127.0.0.1 (see assertOnlyLoopbackClients).
        ChromeOptions options = Chromium.loopbackOnly(Chromium.options(userDataDir));
        ChromeDriver d = new ChromeDriver(Chromium.service().build(), options);
        d.manage().timeouts().scriptTimeout(Duration.ofSeconds(10));
        return d;
    }

    private static void servePage(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!exchange.getRequestURI().getPath().equals("/relay.html")) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            byte[] body;
            try (InputStream in = ChromiumRelayTest.class.getResourceAsStream("/browser/relay.html")) {
                if (in == null) {
                    exchange.sendResponseHeaders(500, -1);
                    return;
                }
                body = in.readAllBytes();
            }
            exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
            exchange.getResponseHeaders().set("Cache-Control", "no-store");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    private static String pageUrl(String turnUrl, String username, String credential) {
        return "http://127.0.0.1:" + http.getAddress().getPort() + "/relay.html"
                + "?urls=" + encode(turnUrl) + "&username=" + encode(username) + "&credential=" + encode(credential);
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static Object script(String js) {
        return ((JavascriptExecutor) driver).executeScript(js);
    }

    private static void failOnPageError() {
        Object error = script("return window.relay ? window.relay.error : null");
        if (error != null) {
            throw new IllegalStateException("page error: " + error);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> stats(String pc) {
        Object result = ((JavascriptExecutor) driver).executeAsyncScript(
                "const done = arguments[arguments.length - 1];"
                        + "window.relay.stats().then(s => done(s), e => done({error: String(e)}));");
        Map<String, Object> all = (Map<String, Object>) result;
        if (all.containsKey("error")) {
            throw new IllegalStateException("getStats: " + all.get("error"));
        }
        return (Map<String, Object>) all.get(pc);
    }

    private static long packets(Map<String, Object> stats, String key) {
        Map<?, ?> rtp = (Map<?, ?>) stats.get(key);
        return rtp == null ? 0 : ((Number) rtp.get("packets")).longValue();
    }

    private static void dumpDiagnostics(String turnUrl) {
        StringBuilder sb = new StringBuilder("\n===== ChromiumRelayTest diagnostics for ").append(turnUrl).append(" =====\n");
        try {
            sb.append("-- page log:\n").append(script("return window.relay ? window.relay.log.join('\\n') : '(none)'"))
                    .append('\n');
        } catch (RuntimeException e) {
            sb.append("-- page log unavailable: ").append(e).append('\n');
        }
        try {
            sb.append("-- getStats: ").append(((JavascriptExecutor) driver).executeAsyncScript(
                    "const done = arguments[arguments.length - 1];"
                            + "window.relay.stats().then(s => done(JSON.stringify(s)), e => done(String(e)));"))
                    .append('\n');
        } catch (RuntimeException e) {
            sb.append("-- getStats unavailable: ").append(e).append('\n');
        }
        try {
            sb.append("-- browser console:\n");
            for (LogEntry entry : driver.manage().logs().get(LogType.BROWSER)) {
                sb.append("  ").append(entry).append('\n');
            }
        } catch (RuntimeException e) {
            sb.append("-- browser console unavailable: ").append(e).append('\n');
        }
        TurnStats s = server.stats();
        sb.append("-- server: allocationsActive=").append(s.allocationsActive())
                .append(" allocationsCreated=").append(s.allocationsCreated())
                .append(" toPeer=").append(s.relayedPacketsToPeer())
                .append(" toClient=").append(s.relayedPacketsToClient())
                .append(" unroutableDropped=").append(s.unroutableDropped())
                .append(" malformedDropped=").append(s.malformedDropped())
                .append(" peerDenied=").append(s.peerDenied())
                .append(" errorsByCode=").append(s.errorResponsesByCode())
                .append(" authFailures=").append(s.authFailuresByReason())
                .append('\n');
        System.err.println(sb);
    }
}
