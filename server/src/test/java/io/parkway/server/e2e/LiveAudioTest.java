package io.parkway.server.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.parkway.server.e2e.Browsers.Browser;
import io.parkway.testing.Chromium;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * The live-audio story end to end, in Chromium's own WebRTC stack: a speaker goes live from the web demo with a
 * 440 Hz tone as microphone, three listeners (three browsers, so three separate contexts) press "Listen" and hear it,
 * with every {@code RTCPeerConnection} forced through Parkway's TURN relay ({@code ?relay=1} makes the pages use
 * {@code iceTransportPolicy: 'relay'}). Then a listener's signaling socket drops and it resumes without a reload;
 * hostile clients (a speaker without the room's key, an oversized frame, a spoofed {@code from}) are refused or
 * ignored while the broadcast goes on; and "Stop" ends it for everyone.
 *
 * <p>The tests share one stack and one broadcast and run in order; each later test needs the broadcast the first one
 * started, and is skipped when it is not live. Screenshots of the speaker and a listener while live go to
 * {@code target/screenshots/}. Skipped with a loud message without Debian's chromium and chromium-driver, failed
 * when {@code CI=true}. All traffic is on 127.0.0.1 (see {@link Browsers}).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LiveAudioTest {

    private static final double TONE_HZ = 440;
    private static final double TOLERANCE_HZ = 20;
    /** Issue 3: each listener hears the tone within 3 s of pressing "Listen". */
    private static final Duration LISTEN_BUDGET = Duration.ofSeconds(3);
    /** How long a listener is watched after pressing "Listen", so a miss of the budget reports the actual time. */
    private static final Duration LISTEN_OBSERVE = Duration.ofSeconds(15);
    private static final Duration STATE_TIMEOUT = Duration.ofSeconds(15);
    /** Build artifacts: {@code server/target/screenshots/} (surefire sets {@code basedir} to the module). */
    private static final Path SCREENSHOTS = Paths.get(System.getProperty("basedir", "."), "target", "screenshots");
    private static final int LISTENERS = 3;

    private static String missingBrowser;
    private static Stack stack;
    private static Browsers browsers;
    private static Browser speaker;
    private static final List<Browser> listeners = new ArrayList<>();
    private static String room;
    private static String speakerKey;
    /** Set by the first test once all three listeners hear the tone; the later tests need it. */
    private static volatile boolean broadcastLive;
    private static final List<String> timings = new ArrayList<>();

    @RegisterExtension
    static final TestWatcher DIAGNOSTICS = new TestWatcher() {
        @Override
        public void testFailed(ExtensionContext context, Throwable cause) {
            dumpDiagnostics(context.getDisplayName());
        }
    };

    @BeforeAll
    static void start() throws Exception {
        missingBrowser = Chromium.missing("LiveAudioTest");
        if (missingBrowser != null) {
            return;
        }
        Path tone = ToneWav.write(TONE_HZ, 30, 0.5);
        stack = Stack.start();
        JsonNode created = stack.createRoom();
        room = created.path("room").asText();
        speakerKey = created.path("speakerKey").asText();
        browsers = new Browsers();
        speaker = browsers.start("speaker", tone);
        for (int i = 1; i <= LISTENERS; i++) {
            listeners.add(browsers.start("listener-" + i, null));
        }
        // The speaker's key travels in the fragment, as the demo's "start a broadcast" link carries it.
        speaker.driver.get(stack.url("/speak/" + room + "?relay=1#key=" + speakerKey));
        for (Browser listener : listeners) {
            listener.driver.get(stack.url("/listen/" + room + "?relay=1"));
        }
    }

    @AfterAll
    static void stop() {
        if (!timings.isEmpty()) {
            System.out.println("LiveAudioTest timings:\n  " + String.join("\n  ", timings));
        }
        try {
            if (browsers != null) {
                browsers.close();
            }
        } finally {
            if (stack != null) {
                stack.close();
            }
        }
    }

    @BeforeEach
    void requireBrowser() {
        Assumptions.assumeTrue(missingBrowser == null, missingBrowser);
    }

    @Test
    @Order(1)
    void threeListenersHearTheSpeakerThroughTurnWithinThreeSecondsOfListen() throws Exception {
        awaitState(speaker, "idle");
        speaker.clickButton("Go live");
        awaitState(speaker, "live");

        for (Browser listener : listeners) {
            awaitState(listener, "idle");
            assertEquals(Boolean.TRUE, listener.js("return typeof window.parkwayDominantFrequency === 'function'"),
                    listener + ": window.parkwayDominantFrequency");
            long clicked = System.nanoTime();
            listener.clickButton("Listen");
            long[] liveAt = {-1};
            long[] heardAt = {-1};
            // Watches both the page state and the sound until both arrived (audio can reach the analyser a moment
            // before the page calls itself live), for up to LISTEN_OBSERVE so a miss of the budget reports the time.
            Awaitility.await(listener + " hears " + TONE_HZ + " Hz and shows live")
                    .atMost(LISTEN_OBSERVE)
                    .pollDelay(Duration.ZERO)
                    .pollInterval(Duration.ofMillis(50))
                    .until(() -> {
                        if (liveAt[0] < 0 && "live".equals(listener.state())) {
                            liveAt[0] = System.nanoTime();
                        }
                        failOnError(listener);
                        if (heardAt[0] < 0 && isTone(frequency(listener))) {
                            heardAt[0] = System.nanoTime();
                        }
                        return liveAt[0] >= 0 && heardAt[0] >= 0;
                    });
            long heardMs = (heardAt[0] - clicked) / 1_000_000;
            String timing = listener + ": Listen -> live " + (liveAt[0] - clicked) / 1_000_000
                    + " ms, -> " + TONE_HZ + " Hz " + heardMs + " ms (budget " + LISTEN_BUDGET.toMillis() + " ms)";
            timings.add(timing);
            System.out.println(timing);
            assertTrue(heardMs <= LISTEN_BUDGET.toMillis(), listener + " heard the tone " + heardMs
                    + " ms after pressing Listen (expected: within " + LISTEN_BUDGET.toMillis() + " ms)");
        }

        // Everyone still hears it once all three are connected (no listener lost audio to a later one).
        for (Browser listener : listeners) {
            awaitTone(listener);
        }
        await("speaker shows 3 listeners").until(() -> "3".equals(speaker.dataset().get("listeners")));
        assertEquals("3", speaker.js("return document.getElementById('listener-count').textContent.trim()"),
                "visible listener count");

        // Every connection is relayed by Parkway: the pages report a relay path, and the server counted packets.
        for (Browser listener : listeners) {
            await(listener + " reports its connection path")
                    .until(() -> String.valueOf(listener.dataset().get("path")).startsWith("relay"));
        }
        await("speaker reports a relay path for each listener").until(() -> {
            List<?> peers = (List<?>) speaker.js("return window.parkwaySpeaker.peers.map(p => p.path)");
            return peers.size() == LISTENERS && peers.stream().allMatch(p -> String.valueOf(p).startsWith("relay"));
        });
        long toClient = stack.turn.stats().relayedPacketsToClient();
        long toPeer = stack.turn.stats().relayedPacketsToPeer();
        assertTrue(toClient > 0, "packets Parkway relayed to clients: " + toClient + " (expected: > 0)");
        assertTrue(toPeer > 0, "packets Parkway relayed to peers: " + toPeer + " (expected: > 0)");
        stack.assertOnlyLoopback();

        Path speakerShot = speaker.screenshot(SCREENSHOTS.resolve("speaker-live.png"));
        Path listenerShot = listeners.get(0).screenshot(SCREENSHOTS.resolve("listener-live.png"));
        System.out.println("screenshots: " + speakerShot.toAbsolutePath() + ", " + listenerShot.toAbsolutePath());
        broadcastLive = true;
    }

    @Test
    @Order(2)
    void aListenerWhoseSocketDropsResumesAndHearsTheToneAgainWithoutReloading() {
        requireBroadcast();
        Browser listener = listeners.get(0);
        String marker = "e2e-" + System.nanoTime();
        listener.js("window.__e2eMarker = arguments[0];"
                + "window.__e2eStates = [];"
                + "new MutationObserver(() => window.__e2eStates.push(document.body.dataset.state))"
                + "  .observe(document.body, {attributes: true, attributeFilter: ['data-state']});", marker);
        Object timeOrigin = listener.js("return performance.timeOrigin");
        Object peerId = listener.js("return window.parkwayListener.peerId");
        Object socketsBefore = stack.signaling.stats().connections();

        long dropped = System.nanoTime();
        listener.js("window.parkwayListener.dropSignaling()");
        await(listener + " shows reconnecting")
                .until(() -> ((List<?>) listener.js("return window.__e2eStates")).contains("reconnecting"));
        awaitState(listener, "live");
        long liveMs = (System.nanoTime() - dropped) / 1_000_000;
        awaitTone(listener);
        timings.add(listener + ": socket dropped -> live again " + liveMs + " ms, states " + listener.js(
                "return window.__e2eStates"));

        assertEquals(marker, listener.js("return window.__e2eMarker"), "a window marker survives (no reload)");
        assertEquals(timeOrigin, listener.js("return performance.timeOrigin"), "performance.timeOrigin (no reload)");
        assertEquals(peerId, listener.js("return window.parkwayListener.peerId"),
                "the resumed session keeps its peerId");
        await("a new socket replaces the dropped one")
                .until(() -> socketsBefore.equals(stack.signaling.stats().connections()));
        await("speaker still shows 3 listeners").until(() -> "3".equals(speaker.dataset().get("listeners")));
        for (Browser other : listeners) {
            awaitTone(other);
        }
    }

    @Test
    @Order(3)
    void hostileClientsAreRefusedAndTheBroadcastGoesOn() throws Exception {
        requireBroadcast();
        // A second speaker without the room's key (and one with a wrong key): unauthorized.
        try (RawClient intruder = new RawClient(stack.ws())) {
            intruder.send("{\"type\":\"join\",\"room\":\"" + room + "\",\"role\":\"speaker\"}");
            intruder.error("unauthorized");
            intruder.send("{\"type\":\"join\",\"room\":\"" + room + "\",\"role\":\"speaker\",\"key\":\"k-wrong\"}");
            intruder.error("unauthorized");
        }
        assertEquals("live", speaker.state(), "the real speaker is still live");

        // An oversized frame: too-large, then the server closes the socket with 1009.
        try (RawClient big = new RawClient(stack.ws())) {
            String padding = "x".repeat(70_000);
            big.send("{\"type\":\"join\",\"room\":\"" + room + "\",\"role\":\"listener\",\"pad\":\"" + padding + "\"}");
            big.error("too-large");
            assertEquals(1009, big.closeCode(), "close code after too-large");
        }

        // A listener that claims to be another listener: the speaker receives its messages stamped with the
        // sender's own peerId, so the victim's connection is untouched.
        Browser victim = listeners.get(1);
        String victimId = (String) victim.js("return window.parkwayListener.peerId");
        speaker.js("window.__e2eReceived = [];"
                + "window.parkwaySpeaker.signaling.addEventListener('message', e => window.__e2eReceived.push(e.detail.msg));");
        try (RawClient spoofer = new RawClient(stack.ws())) {
            spoofer.send("{\"type\":\"join\",\"room\":\"" + room + "\",\"role\":\"listener\"}");
            JsonNode welcome = spoofer.next("welcome");
            String spooferId = welcome.path("peerId").asText();
            String speakerId = welcome.path("speaker").path("peerId").asText();
            assertNotEquals("", speakerId, "welcome.speaker.peerId in " + welcome);
            spoofer.send("{\"type\":\"candidate\",\"to\":\"" + speakerId + "\",\"from\":\"" + victimId + "\","
                    + "\"candidate\":{\"candidate\":\"candidate:1 1 udp 1 127.0.0.1 9 typ host\",\"sdpMid\":\"0\","
                    + "\"sdpMLineIndex\":0}}");
            spoofer.send("{\"type\":\"answer\",\"to\":\"" + speakerId + "\",\"from\":\"" + victimId + "\","
                    + "\"sdp\":\"v=0\\r\\n\"}");
            await("speaker receives the spoofer's answer").until(() -> received("answer").isPresent());
            Map<?, ?> answer = received("answer").orElseThrow();
            Map<?, ?> candidate = received("candidate").orElseThrow();
            assertEquals(spooferId, answer.get("from"), "answer stamped with the sender's peerId: " + answer);
            assertEquals(spooferId, candidate.get("from"), "candidate stamped with the sender's peerId: " + candidate);
            // Leaving (not just closing, which the server would hold for the resume grace) frees its place.
            spoofer.send("{\"type\":\"leave\"}");
        }
        assertEquals("connected", speaker.js("return (window.parkwaySpeaker.peers.find(p => p.peerId === arguments[0])"
                + " || {}).state", victimId), "the speaker's connection to the victim " + victimId);
        await("speaker back to 3 listeners").until(() -> "3".equals(speaker.dataset().get("listeners")));
        for (Browser listener : listeners) {
            assertEquals("live", listener.state(), listener + " state");
            awaitTone(listener);
        }
    }

    @Test
    @Order(4)
    void stopEndsTheBroadcastForEveryListener() {
        requireBroadcast();
        speaker.clickButton("Stop");
        awaitState(speaker, "stopped");
        for (Browser listener : listeners) {
            awaitState(listener, "ended");
        }
        broadcastLive = false;
        stack.assertOnlyLoopback();
    }

    // --- helpers ---

    private static void requireBroadcast() {
        Assumptions.assumeTrue(broadcastLive, "the broadcast of the first test is not live");
    }

    private static ConditionFactory await(String what) {
        return Awaitility.await(what)
                .atMost(STATE_TIMEOUT)
                .pollInterval(Duration.ofMillis(100))
                .ignoreExceptionsMatching(e -> e instanceof org.openqa.selenium.JavascriptException);
    }

    private static void awaitState(Browser browser, String state) {
        await(browser + " data-state=" + state).until(() -> {
            failOnError(browser);
            return state.equals(browser.state());
        });
    }

    /** Waits (a few seconds at most) until {@code browser} hears the tone. */
    private static void awaitTone(Browser browser) {
        Awaitility.await(browser + " hears " + TONE_HZ + " Hz")
                .atMost(Duration.ofSeconds(5))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> isTone(frequency(browser)));
    }

    private static double frequency(Browser browser) {
        Object hz = browser.js("return window.parkwayDominantFrequency ? window.parkwayDominantFrequency() : -1");
        return hz instanceof Number n ? n.doubleValue() : -1;
    }

    private static boolean isTone(double hz) {
        return Math.abs(hz - TONE_HZ) <= TOLERANCE_HZ;
    }

    /** Stops waiting early when a page reached its error state (the wait would only time out). */
    private static void failOnError(Browser browser) {
        if ("error".equals(browser.state())) {
            throw new AssertionError(browser + " is in state error: " + browser.js(
                    "return (document.getElementById('error') || {}).textContent || null"));
        }
    }

    private static Optional<Map<?, ?>> received(String type) {
        for (Object o : (List<?>) speaker.js("return window.__e2eReceived")) {
            if (o instanceof Map<?, ?> m && type.equals(m.get("type"))) {
                return Optional.of(m);
            }
        }
        return Optional.empty();
    }

    private static void dumpDiagnostics(String test) {
        StringBuilder sb = new StringBuilder("\n===== LiveAudioTest diagnostics: ").append(test).append(" =====\n");
        if (browsers != null) {
            for (Browser b : browsers.all()) {
                sb.append("--- ").append(b).append('\n');
                append(sb, "url", () -> b.driver.getCurrentUrl());
                append(sb, "dataset", b::dataset);
                append(sb, "dominant frequency", () -> frequency(b));
                append(sb, "client", () -> b.js("const c = window.parkwaySpeaker || window.parkwayListener;"
                        + "return c ? JSON.stringify({state: c.state, signaling: c.signalingState, peerId: c.peerId,"
                        + " error: c.error, stats: c.stats, peers: c.peers}) : null"));
                append(sb, "console", () -> String.join("\n    ", b.consoleLog()));
            }
        }
        if (stack != null) {
            sb.append("--- servers\n").append(stack.describe()).append('\n');
        }
        if (!timings.isEmpty()) {
            sb.append("--- timings\n  ").append(String.join("\n  ", timings)).append('\n');
        }
        System.err.println(sb);
    }

    private static void append(StringBuilder sb, String what, Callable<Object> value) {
        try {
            sb.append("  ").append(what).append(": ").append(value.call()).append('\n');
        } catch (Exception | AssertionError e) {
            sb.append("  ").append(what).append(": (unavailable: ").append(e).append(")\n");
        }
    }
}
