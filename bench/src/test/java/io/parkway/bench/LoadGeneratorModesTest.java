package io.parkway.bench;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parkway.turn.IpRange;
import io.parkway.turn.ListenAddress;
import io.parkway.turn.PeerPolicy;
import io.parkway.turn.TurnServer;
import io.parkway.turn.TurnTransport;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The command line's sweep and idle modes against an in-process Parkway, checked for the lines compare.sh reads
 * (STEP, SWEEP, HOLDING, RESULT). Whether a sweep step passes depends on timing, so only the structure is asserted.
 */
@Timeout(60)
class LoadGeneratorModesTest {
    private static TurnServer server;
    private static String udp;

    @BeforeAll
    static void start() throws InterruptedException {
        server = TurnServer.builder()
                .realm("parkway.test")
                .listen(ListenAddress.parse("udp://127.0.0.1:0"))
                .relayAddress(InetAddress.getLoopbackAddress())
                .user("bench", "bench")
                .peerPolicy(PeerPolicy.builder().allow(IpRange.parse("127.0.0.0/8")).build())
                .build()
                .start();
        InetSocketAddress a = server.boundAddresses().stream().filter(l -> l.transport() == TurnTransport.UDP)
                .map(ListenAddress::address).findFirst().orElseThrow();
        udp = "127.0.0.1:" + a.getPort();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static final class Run {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int exit;

        String output() {
            return bytes.toString(StandardCharsets.UTF_8);
        }
    }

    private static Run run(String... args) {
        Run r = new Run();
        LoadGenerator generator = new LoadGenerator();
        generator.out = new PrintStream(r.bytes, true, StandardCharsets.UTF_8);
        r.exit = new CommandLine(generator).execute(args);
        return r;
    }

    private static long count(String text, String regex) {
        return Pattern.compile(regex, Pattern.MULTILINE).matcher(text).results().count();
    }

    @Test
    void sweepPrintsAStepLinePerRateAndTheMaximum() {
        Run r = run("--server", udp, "-n", "2", "--rates", "20,40", "--stop-after", "2", "--warmup", "0",
                "--step-warmup", "0", "--duration", "0.5", "--drain", "0.3");
        String out = r.output();
        assertEquals(0, r.exit, out);
        assertEquals(2, count(out, "^STEP .*pps=(20|40) .*pass=[01]$"), out);
        Matcher sweep = Pattern.compile("^SWEEP max_pps=(\\d+) .*limited_by=(none|loss|generator)$",
                Pattern.MULTILINE).matcher(out);
        assertTrue(sweep.find(), out);
        assertTrue(List.of("0", "20", "40").contains(sweep.group(1)), out);
        assertTrue(out.contains("released: 2"), out);
    }

    @Test
    void idleHoldsUntilTheHoldFileIsDeleted(@TempDir Path dir) throws Exception {
        Path hold = Files.createFile(dir.resolve("hold"));
        Run[] run = new Run[1];
        CompletableFuture<Void> done = CompletableFuture.runAsync(() -> run[0] = run("--server", udp, "-n", "3",
                "--idle", "--hold", "60", "--hold-file", hold.toString(), "--refresh", "0.2"));
        await("allocations held").atMost(Duration.ofSeconds(30))
                .until(() -> server.stats().allocationsActive() == 3 && server.stats().allocationsRefreshed() >= 3);
        assertFalse(done.isDone(), "still holding while the hold file exists");
        Files.delete(hold);
        done.get();
        String out = run[0].output();
        assertEquals(0, run[0].exit, out);
        assertEquals(1, count(out, "^HOLDING ready=3 setup_errors=0 errors=none$"), out);
        assertEquals(1, count(out, "^RESULT mode=idle ready=3 setup_errors=0 .* refresh_errors=0 release_errors=0$"),
                out);
        await("allocations released").atMost(Duration.ofSeconds(30))
                .until(() -> server.stats().allocationsActive() == 0);
    }
}
