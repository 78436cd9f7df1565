package io.parkway.bench;

import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code java -cp bench/target/classes:server/target/parkway.jar io.parkway.bench.LoadGenerator --server
 * 127.0.0.1:3478 -n 100 --pps 200 --size 170 --duration 20}: the TURN load of {@link TurnLoad} against any server,
 * with a built-in echo peer unless {@code --peer} names one. Three modes:
 * <ul>
 *   <li>load (default): one measured window at {@code --pps}; prints a summary and one {@code RESULT key=value ...}
 *       line for scripts;</li>
 *   <li>{@code --rates 200,400,...}: a rate sweep over the same allocations, one {@code STEP key=value ...} line per
 *       rate and a {@code SWEEP ...} line with the highest rate whose loss stayed below {@code --max-loss} and which
 *       the generator itself offered in full;</li>
 *   <li>{@code --idle}: sets the allocations up, prints {@code HOLDING ...}, holds them without sending (refreshing
 *       allocation, permission and channel every {@code --refresh} seconds) for {@code --hold} seconds or until
 *       {@code --hold-file} is deleted, then deletes them and prints {@code RESULT mode=idle ...}.</li>
 * </ul>
 */
@Command(name = "parkway-load", mixinStandardHelpOptions = true,
        description = "TURN load generator: N allocations (clients over UDP, or TCP with --tcp; UDP relay) relaying "
                + "ChannelData (or Send/Data indications) to a UDP echo peer and back; a rate sweep; or idle "
                + "allocations held for memory measurements.")
public final class LoadGenerator implements Callable<Integer> {
    /** Where the report goes; tests replace it. */
    PrintStream out = System.out;

    @Option(names = "--server", required = true,
            description = "TURN server address, HOST:PORT (UDP, or TCP with --tcp)")
    String server;

    @Option(names = "--peer", description = "UDP echo peer HOST:PORT (default: a built-in epoll echo on 127.0.0.1)")
    String peer;

    @Option(names = {"-n", "--allocations"}, defaultValue = "100",
            description = "allocations (default ${DEFAULT-VALUE})")
    int allocations;

    @Option(names = "--pps", defaultValue = "200",
            description = "packets/s per allocation, each way (default ${DEFAULT-VALUE})")
    int pps;

    @Option(names = "--size", defaultValue = "170", description = "payload bytes (default ${DEFAULT-VALUE})")
    int size;

    @Option(names = "--warmup", defaultValue = "3", description = "seconds of load before measuring; in a sweep, "
            + "before the first step (default ${DEFAULT-VALUE})")
    double warmup;

    @Option(names = "--duration", defaultValue = "20",
            description = "measured seconds, per step in a sweep (default ${DEFAULT-VALUE})")
    double duration;

    @Option(names = "--drain", defaultValue = "1",
            description = "seconds to wait for packets in flight (default ${DEFAULT-VALUE})")
    double drain;

    @Option(names = "--user", defaultValue = "bench")
    String user;

    @Option(names = "--password", defaultValue = "bench")
    String password;

    @Option(names = "--rest-secret", description = "TURN REST shared secret (instead of --user/--password)")
    String restSecret;

    @Option(names = "--send-indications", description = "Send/Data indications instead of ChannelBind + ChannelData")
    boolean sendIndications;

    @Option(names = "--tcp", description = "each client over its own TCP connection to the server (STUN/ChannelData "
            + "framing, ChannelData padded to 4 bytes, RFC 8656 section 12.5); the relay stays UDP")
    boolean tcp;

    @Option(names = "--threads", defaultValue = "1",
            description = "event loop threads for the allocations (default ${DEFAULT-VALUE})")
    int threads;

    @Option(names = "--setup-concurrency", defaultValue = "32",
            description = "allocations set up at once (default ${DEFAULT-VALUE})")
    int setupConcurrency;

    @Option(names = "--setup-warmup", defaultValue = "0",
            description = "allocations set up and released, untimed, before the measured set-up: warms the JIT of "
                    + "this JVM and of a Java server, so the set-up rate is a steady-state one (default "
                    + "${DEFAULT-VALUE}: none)")
    int setupWarmup;

    @Option(names = "--server-pid", defaultValue = "0",
            description = "PID whose CPU time (/proc) is read around the measured window")
    int serverPid;

    @Option(names = "--rates", split = ",", description = "sweep: packets/s per allocation for each step, ascending")
    List<Integer> rates;

    @Option(names = "--max-loss", defaultValue = "0.1",
            description = "sweep: a step passes with loss below this %% (default ${DEFAULT-VALUE})")
    double maxLoss;

    @Option(names = "--stop-after", defaultValue = "2",
            description = "sweep: stop after this many failed steps in a row (default ${DEFAULT-VALUE})")
    int stopAfter;

    @Option(names = "--step-warmup", defaultValue = "1",
            description = "sweep: seconds at each later step's rate before measuring (default ${DEFAULT-VALUE})")
    double stepWarmup;

    @Option(names = "--idle",
            description = "set up, then hold the allocations idle (no data) until --hold or --hold-file ends it")
    boolean idle;

    @Option(names = "--hold", defaultValue = "600",
            description = "idle: seconds to hold at most (default ${DEFAULT-VALUE})")
    double hold;

    @Option(names = "--hold-file", description = "idle: hold while this file exists (the script deletes it when done)")
    Path holdFile;

    @Option(names = "--refresh", defaultValue = "120",
            description = "idle: seconds between refreshes of allocation, permission and channel "
                    + "(default ${DEFAULT-VALUE})")
    double refresh;

    public static void main(String[] args) {
        System.exit(new CommandLine(new LoadGenerator()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        EchoServer echo = peer == null ? EchoServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                : null;
        try {
            InetSocketAddress peerAddress = echo != null ? echo.address() : parse(peer);
            TurnLoad.Config config = new TurnLoad.Config(parse(server), peerAddress, allocations, size, user, password,
                    restSecret, sendIndications, tcp, threads, setupConcurrency, serverPid);
            for (int done = 0; done < setupWarmup; ) {
                int n = Math.min(setupWarmup - done, Math.max(1, allocations));
                TurnLoad.Config warm = new TurnLoad.Config(config.server(), peerAddress, n, size, user, password,
                        restSecret, sendIndications, tcp, threads, setupConcurrency, -1);
                try (TurnLoad load = TurnLoad.start(warm).clientAddress(warmupClientAddress(config.server()))) {
                    TurnLoad.Setup s = load.setUp();
                    out.printf(Locale.ROOT, "set-up warm-up: %d ready, %d failed, %.0f/s (not counted)%n", s.ready(),
                            s.failed(), s.rate());
                    printRelease(load.release());
                }
                done += n;
            }
            try (TurnLoad load = TurnLoad.start(config)) {
                TurnLoad.Setup setup = load.setUp();
                printSetup(setup);
                if (setup.ready() == 0) {
                    out.println("RESULT mode=failed ready=0 setup_errors=" + setup.failed() + " errors="
                            + setup.errorsKey());
                    return 1;
                }
                if (idle) {
                    hold(load, setup);
                } else if (rates != null && !rates.isEmpty()) {
                    sweep(load);
                } else {
                    TurnLoad.Result r = load.measure(new TurnLoad.Window(pps, seconds(warmup), seconds(duration),
                            seconds(drain)));
                    print(r);
                    out.println("RESULT " + keyValues(r));
                }
                printRelease(load.release());
            }
            return 0;
        } finally {
            if (echo != null) {
                echo.close();
            }
        }
    }

    private void sweep(TurnLoad load) throws InterruptedException {
        List<TurnLoad.Result> steps = new ArrayList<>();
        int failedInRow = 0;
        TurnLoad.Result best = null;
        String limitedBy = "none";
        for (int i = 0; i < rates.size() && failedInRow < stopAfter; i++) {
            TurnLoad.Result r = load.measure(new TurnLoad.Window(rates.get(i), seconds(i == 0 ? warmup : stepWarmup),
                    seconds(duration), seconds(drain)));
            steps.add(r);
            // Loss at or above the threshold fails the step as the relay's, even if the generator also fell short:
            // the relay lost packets at a rate below the step's. Otherwise a shortfall is the generator's.
            boolean lossy = r.lossPercent() >= maxLoss;
            boolean pass = !lossy && r.offeredTarget();
            out.printf(Locale.ROOT, "step %d: %d pps x %d allocations: offered %.0f of %.0f pps, loss %.3f%%,"
                    + " %s%n", i + 1, r.pps(), r.setup().ready(), r.sent() / r.seconds(),
                    (double) r.target() / r.seconds(), r.lossPercent(),
                    pass ? "pass" : lossy ? "FAIL (loss)" : "FAIL (generator did not offer the rate)");
            out.println("STEP " + keyValues(r) + " pass=" + (pass ? 1 : 0));
            out.flush();
            if (pass) {
                best = r;
                failedInRow = 0;
                limitedBy = "none";
            } else {
                if (failedInRow == 0) {
                    limitedBy = lossy ? "loss" : "generator";
                }
                failedInRow++;
            }
        }
        if (best == null) {
            out.println("SWEEP max_pps=0 max_relayed_pps=0 limited_by=" + limitedBy);
            return;
        }
        out.printf(Locale.ROOT, "SWEEP max_pps=%d max_relayed_pps=%.0f max_offered_relayed_pps=%d "
                        + "cpu_us_per_pkt=%.3f server_cpu_pct=%.1f load_cpu_pct=%.1f limited_by=%s%n", best.pps(),
                best.relayed() / best.seconds(), 2L * best.setup().ready() * best.pps(), best.cpuMicrosPerRelayed(),
                best.serverCpuMicros() / best.seconds() / 1e4, best.loadCpuMicros() / best.seconds() / 1e4, limitedBy);
    }

    private void hold(TurnLoad load, TurnLoad.Setup setup) throws Exception {
        load.startRefreshing(seconds(refresh));
        out.printf(Locale.ROOT, "HOLDING ready=%d setup_errors=%d errors=%s%n", setup.ready(), setup.failed(),
                setup.errorsKey());
        out.flush();
        long end = System.nanoTime() + seconds(hold).toNanos();
        while (System.nanoTime() - end < 0 && (holdFile == null || Files.exists(holdFile))) {
            Thread.sleep(100);
        }
        load.stopRefreshing();
        TurnLoad.Refreshes r = load.refreshes();
        out.printf(Locale.ROOT, "refreshes: %d done, %d failed%s%n", r.done(), r.failed(),
                r.lastError() == null ? "" : " (last: " + r.lastError() + ")");
        TurnLoad.Release released = load.release();
        printRelease(released);
        out.printf(Locale.ROOT, "RESULT mode=idle ready=%d setup_errors=%d setup_rate=%.1f setup_seconds=%.2f "
                        + "errors=%s refreshes=%d refresh_errors=%d release_errors=%d%n", setup.ready(),
                setup.failed(), setup.rate(), setup.seconds(), setup.errorsKey(), r.done(), r.failed(),
                released.errors().values().stream().mapToInt(Integer::intValue).sum());
    }

    /**
     * Warm-up clients bind to another loopback address than the measured ones when the server is on IPv4 loopback:
     * their sockets are closed after the release, and a measured client reusing one of their source ports would meet
     * a server still holding (or still deleting) the warm-up allocation of that 5-tuple and get 437 (seen with coturn).
     */
    private static InetAddress warmupClientAddress(InetSocketAddress server) {
        byte[] a = server.getAddress().getAddress();
        if (a.length == 4 && a[0] == 127) {
            try {
                return InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) (a[3] == 3 ? 4 : 3)});
            } catch (java.net.UnknownHostException e) {
                throw new IllegalStateException(e);
            }
        }
        return null;
    }

    private void printRelease(TurnLoad.Release r) {
        out.printf(Locale.ROOT, "released: %d%n", r.released());
        r.errors().forEach((cause, count) -> out.printf(Locale.ROOT, "  release error: %s x %d%n", cause,
                count));
    }

    private void printSetup(TurnLoad.Setup s) {
        out.printf(Locale.ROOT, "allocations: %d ready, %d failed, set-up %.0f/s (%.2f s)%n", s.ready(),
                s.failed(), s.rate(), s.seconds());
        s.errors().forEach((cause, count) -> out.printf(Locale.ROOT, "  set-up error: %s x %d%n", cause, count));
        out.flush();
    }

    private void print(TurnLoad.Result r) {
        out.printf(Locale.ROOT, "offered: %d packets in %.1f s = %.0f pps client->peer (target %.0f), "
                + "%d not offered (socket not writable or generator late)%n", r.sent(), r.seconds(),
                r.sent() / r.seconds(), (double) r.target() / r.seconds(), r.notOffered());
        out.printf(Locale.ROOT, "received back: %d, loss %.3f%%, bad packets %d%n", r.received(),
                r.lossPercent(), r.badPackets());
        out.printf(Locale.ROOT, "RTT us: p50 %d p99 %d max %d mean %.0f jitter %.0f%n", r.rttP50Micros(),
                r.rttP99Micros(), r.rttMaxMicros(), r.rttMeanMicros(), r.jitterMicros());
        out.printf(Locale.ROOT, "generator: %.0f%% of one core (%d available); UDP receive-buffer drops "
                + "machine-wide: %d%n", r.loadCpuMicros() / r.seconds() / 1e4,
                Runtime.getRuntime().availableProcessors(), r.udpRcvbufErrors());
        if (r.serverCpuMicros() >= 0) {
            out.printf(Locale.ROOT, "server: %.3f CPU s, %.2f us per relayed packet (%d relayed: client->peer "
                    + "+ peer->client), RSS %d KiB%n", r.serverCpuMicros() / 1e6, r.cpuMicrosPerRelayed(),
                    r.relayed(), r.serverRssKib());
        }
    }

    /** The {@code key=value} list of RESULT and STEP lines (compare.sh reads these keys). */
    static String keyValues(TurnLoad.Result r) {
        TurnLoad.Setup s = r.setup();
        return String.format(Locale.ROOT, "ready=%d setup_errors=%d setup_rate=%.1f errors=%s pps=%d target=%d "
                        + "sent=%d received=%d loss_pct=%.4f not_offered=%d bad=%d seconds=%.3f rtt_p50_us=%d "
                        + "rtt_p99_us=%d rtt_max_us=%d rtt_mean_us=%.1f jitter_us=%.1f relayed=%d cpu_us=%d "
                        + "cpu_us_per_pkt=%.3f rss_kib=%d load_cpu_pct=%.1f load_cores=%d udp_rcvbuf_errors=%d",
                s.ready(), s.failed(), s.rate(), s.errorsKey(), r.pps(), r.target(), r.sent(), r.received(),
                r.lossPercent(), r.notOffered(), r.badPackets(), r.seconds(), r.rttP50Micros(), r.rttP99Micros(),
                r.rttMaxMicros(), r.rttMeanMicros(), r.jitterMicros(), r.relayed(), r.serverCpuMicros(),
                r.cpuMicrosPerRelayed(), r.serverRssKib(), r.loadCpuMicros() / r.seconds() / 1e4,
                Runtime.getRuntime().availableProcessors(), r.udpRcvbufErrors());
    }

    private static Duration seconds(double s) {
        return Duration.ofMillis(Math.round(s * 1000));
    }

    static InetSocketAddress parse(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("address: " + hostPort + " (expected: HOST:PORT, IPv6 in brackets)");
        }
        String host = hostPort.substring(0, colon).replace("[", "").replace("]", "");
        return new InetSocketAddress(host, Integer.parseInt(hostPort.substring(colon + 1)));
    }
}
