package io.parkway.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parkway.testing.CoturnTools;
import io.parkway.testing.EchoPeer;
import io.parkway.turn.auth.RestCredential;
import io.parkway.turn.auth.RestCredentials;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reload and drain of {@code parkway serve} as a separate JVM, driven by real signals ({@code kill -HUP},
 * {@code kill -TERM}), with coturn's {@code turnutils_uclient} keeping a relay flowing through it to
 * {@code turnutils_peer} and a minimal TURN client probing what new clients get. Every run also checks that no
 * password, secret or credential reached the process's output (the log), and that Netty's detector saw no leak.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class LifecycleProcessTest {

    private static final String OLD_SECRET = "old-rest-secret-7f3a9c";
    private static final String NEW_SECRET = "new-rest-secret-b81d2e";
    private static final String PASSWORD = "wonderland-4c1e";
    /** The last line of a drain: what was left. */
    private static final Pattern STOPPED = Pattern.compile(".* stopped after draining [\\d.]+s: (no allocations left"
            + "|\\d+ allocations? (was|were) still active, closed \\(.+\\))");

    /** One UDP listener on an ephemeral port, loopback peers allowed, DEBUG logging (the most a log can show). */
    private static String config(String secret, int drainTimeout) {
        return """
                turn:
                  listen: [ "udp://127.0.0.1:0" ]
                  users: { alice: %s }
                  rest-secrets: [ "%s" ]
                  rest-secret-grace: 0
                  peers: { allow: [ 127.0.0.0/8 ] }
                  allocations-per-user: 1000
                log: { level: DEBUG }
                drain-timeout: %d
                """.formatted(PASSWORD, secret, drainTimeout);
    }

    /** Replaces the file at once, as an editor's save or a config management tool does. */
    private static void write(Path config, String text) throws IOException {
        Path next = Files.writeString(config.resolveSibling(config.getFileName() + ".next"), text);
        Files.move(next, config, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static RestCredential issue(String secret, String user) {
        return RestCredentials.issue(secret, user, Duration.ofHours(1), Clock.systemUTC());
    }

    @Test
    void sighupRotatesTheRestSecretWhileARelayFlowsWithoutLoss(@TempDir Path dir) throws Exception {
        CoturnTools tools = CoturnTools.require();
        Path config = dir.resolve("parkway.yaml");
        write(config, config(OLD_SECRET, 1));
        List<String> secrets = new ArrayList<>(List.of(OLD_SECRET, NEW_SECRET, PASSWORD));
        try (EchoPeer peer = EchoPeer.start(tools.peer());
                ParkwayProcess parkway = ParkwayProcess.serve(config, Map.of())) {
            int port = parkway.port("udp");
            RestCredential listener = issue(OLD_SECRET, "listener");
            secrets.add(listener.password());
            try (Uclient uclient = Uclient.start(tools.uclient(), port, peer, 1500, listener.username(),
                    listener.password())) {
                uclient.awaitReceived(100);

                write(config, config(NEW_SECRET, 1));
                parkway.signal("HUP");
                String reloaded = parkway.awaitLine("SIGHUP: reloaded");
                assertTrue(reloaded.contains("applied turn.rest-secrets (1 added, 1 removed; values not shown)")
                        && !reloaded.contains("needs a restart"), reloaded);
                long atReload = uclient.received();
                assertTrue(uclient.isAlive(), () -> "uclient ended before the reload, which then proves nothing:\n"
                        + uclient.describe());

                assertEquals(0, uclient.awaitExit(Duration.ofMinutes(2)), uclient::describe);
                assertTrue(uclient.output().contains("Total lost packets 0 "), uclient::describe);
                assertEquals(0, uclient.lost(), uclient::describe);
                assertTrue(uclient.received() > atReload, () -> "nothing relayed after the reload at " + atReload
                        + ":\n" + uclient.describe());
            }

            // With turn.rest-secret-grace 0 the old secret is gone at once; the new one works.
            RestCredential stale = issue(OLD_SECRET, "late");
            RestCredential fresh = issue(NEW_SECRET, "late");
            secrets.addAll(List.of(stale.password(), fresh.password()));
            try (MiniTurnClient client = new MiniTurnClient(port, stale.username(), stale.password())) {
                assertEquals(401, client.allocate().code(), "Allocate with a credential from the removed secret");
            }
            try (MiniTurnClient client = new MiniTurnClient(port, fresh.username(), fresh.password())) {
                assertTrue(client.allocate().success(), "Allocate with a credential from the new secret");
                assertTrue(client.refresh(0).success(), "Refresh 0 deletes it");
            }

            parkway.signal("TERM");
            assertEquals(0, parkway.awaitExit(Duration.ofMinutes(1)), parkway::output);
            List<String> lines = parkway.lines();
            assertTrue(STOPPED.matcher(lines.get(lines.size() - 1)).matches(), parkway::output);
            // The full session's log: start, allocations, relaying, a reload, auth failures, drain, stop.
            parkway.assertNeverPrinted(secrets);
            parkway.assertNoLeaks();
        }
    }

    @Test
    void badConfigOnSighupIsLoggedAndTheRunningOneStays(@TempDir Path dir) throws Exception {
        Path config = dir.resolve("parkway.yaml");
        write(config, config(OLD_SECRET, 0));
        try (ParkwayProcess parkway = ParkwayProcess.serve(config, Map.of())) {
            int port = parkway.port("udp");
            try (MiniTurnClient alice = new MiniTurnClient(port, "alice", PASSWORD)) {
                assertTrue(alice.allocate().success());

                write(config, """
                        turn:
                          listen: [ "udp://127.0.0.1:0" ]
                          users: { alice: 98765432 }
                          allocation-lifetime: -5
                          colour: blue
                        """);
                parkway.signal("HUP");
                String refused = parkway.awaitLine("not reloaded");
                assertTrue(refused.contains("ERROR") && refused.contains(config + " not reloaded, the running"
                        + " configuration stays: 3 problems: "), refused);
                assertTrue(refused.contains("turn.users.alice: a number (not shown) (expected: a string of"
                        + " 1-1024 characters; quote it)"), refused);
                assertTrue(refused.contains("turn.allocation-lifetime: -5 (expected: whole seconds"), refused);
                assertTrue(refused.contains("turn.colour: unknown key"), refused);
                assertFalse(parkway.output().contains("98765432"), parkway::output);
                assertTrue(parkway.isAlive(), parkway::output);

                // Still the old configuration: the old password allocates, the existing allocation refreshes.
                assertTrue(alice.refresh(600).success(), "Refresh of the allocation made before the reload");
                try (MiniTurnClient again = new MiniTurnClient(port, "alice", PASSWORD)) {
                    assertTrue(again.allocate().success(), "Allocate with the running configuration's password");
                }

                // A good file later is applied, and says what changed against what runs.
                write(config, config(OLD_SECRET, 0).replace("allocations-per-user: 1000", "allocations-per-user: 7"));
                parkway.signal("HUP");
                String reloaded = parkway.awaitLine("SIGHUP: reloaded");
                assertTrue(reloaded.contains("applied turn.allocations-per-user 1000 -> 7"), reloaded);
            }
            parkway.signal("TERM");
            assertEquals(0, parkway.awaitExit(Duration.ofMinutes(1)), parkway::output);
            parkway.assertNeverPrinted(List.of(OLD_SECRET, PASSWORD));
            parkway.assertNoLeaks();
        }
    }

    @Test
    void sigtermDrainsRefusingNewAllocationsWhileTheRelayKeepsFlowing(@TempDir Path dir) throws Exception {
        CoturnTools tools = CoturnTools.require();
        Path config = dir.resolve("parkway.yaml");
        write(config, config(OLD_SECRET, 120));
        try (EchoPeer peer = EchoPeer.start(tools.peer());
                ParkwayProcess parkway = ParkwayProcess.serve(config, Map.of())) {
            int port = parkway.port("udp");
            RestCredential listener = issue(OLD_SECRET, "listener");
            try (Uclient uclient = Uclient.start(tools.uclient(), port, peer, 600, listener.username(),
                    listener.password())) {
                uclient.awaitReceived(50);

                parkway.signal("TERM");
                parkway.awaitLine("SIGTERM: draining for up to 120s");
                try (MiniTurnClient late = new MiniTurnClient(port, "alice", PASSWORD)) {
                    assertEquals(503, late.allocate().code(), "Allocate while draining");
                }
                long atDrain = uclient.received();
                assertTrue(uclient.isAlive(), () -> "uclient ended before the drain began:\n" + uclient.describe());

                assertEquals(0, uclient.awaitExit(Duration.ofMinutes(2)), uclient::describe);
                assertTrue(uclient.output().contains("Total lost packets 0 "), uclient::describe);
                assertTrue(uclient.received() > atDrain, uclient::describe);
            }
            // uclient abandons a probe allocation of its own, which would hold the drain for its 120 s: a second
            // SIGTERM cuts the wait short (if the drain had already ended, the process is gone and kill fails).
            if (parkway.isAlive()) {
                try {
                    parkway.signal("TERM");
                } catch (AssertionError exitedMeanwhile) {
                    assertFalse(parkway.isAlive(), exitedMeanwhile.getMessage());
                }
            }
            assertEquals(0, parkway.awaitExit(Duration.ofMinutes(1)), parkway::output);
            List<String> lines = parkway.lines();
            String last = lines.get(lines.size() - 1);
            assertTrue(STOPPED.matcher(last).matches(), parkway::output);
            parkway.assertNeverPrinted(List.of(OLD_SECRET, PASSWORD, listener.password()));
            parkway.assertNoLeaks();
        }
    }

    @Test
    void drainEndsAsSoonAsTheLastAllocationEnds(@TempDir Path dir) throws Exception {
        Path config = dir.resolve("parkway.yaml");
        write(config, config(OLD_SECRET, 300));
        try (ParkwayProcess parkway = ParkwayProcess.serve(config, Map.of());
                MiniTurnClient alice = new MiniTurnClient(parkway.port("udp"), "alice", PASSWORD)) {
            assertTrue(alice.allocate().success());
            parkway.signal("TERM");
            parkway.awaitLine("draining: new allocations refused, 1 active keep relaying");
            try (MiniTurnClient late = new MiniTurnClient(parkway.port("udp"), "alice", PASSWORD)) {
                assertEquals(503, late.allocate().code(), "Allocate while draining");
            }
            assertTrue(parkway.isAlive(), "an allocation is active: still draining");
            assertTrue(alice.refresh(0).success(), "Refresh 0 (delete) while draining");

            assertEquals(0, parkway.awaitExit(Duration.ofMinutes(1)), parkway::output);
            List<String> lines = parkway.lines();
            assertTrue(lines.get(lines.size() - 1).matches(".* stopped after draining [\\d.]+s: no allocations left"),
                    parkway::output);
            parkway.assertNoLeaks();
        }
    }

    @Test
    void drainTimeoutClosesWhatIsLeftAndSaysSo(@TempDir Path dir) throws Exception {
        Path config = dir.resolve("parkway.yaml");
        write(config, config(OLD_SECRET, 1));
        try (ParkwayProcess parkway = ParkwayProcess.serve(config, Map.of());
                MiniTurnClient alice = new MiniTurnClient(parkway.port("udp"), "alice", PASSWORD)) {
            assertTrue(alice.allocate().success());
            parkway.signal("INT");
            assertEquals(0, parkway.awaitExit(Duration.ofMinutes(1)), parkway::output);
            List<String> lines = parkway.lines();
            assertTrue(lines.get(lines.size() - 1).matches(".* stopped after draining [\\d.]+s: 1 allocation was"
                    + " still active, closed \\(drain-timeout 1s reached\\)"), parkway::output);
            assertTrue(parkway.output().contains("SIGINT: draining for up to 1s"), parkway::output);
            parkway.assertNoLeaks();
        }
    }
}
