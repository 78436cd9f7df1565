package io.parkway.bench;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code java -cp bench/target/classes:server/target/parkway.jar io.parkway.bench.LoadGenerator --server
 * 127.0.0.1:3478 -n 100 --pps 200 --size 170 --duration 20}: the TURN load of {@link TurnLoad} against any server,
 * with a built-in echo peer unless {@code --peer} names one. Prints a summary and one {@code RESULT key=value ...}
 * line for scripts.
 */
@Command(name = "parkway-load", mixinStandardHelpOptions = true,
        description = "TURN UDP load generator: N allocations relaying ChannelData (or Send/Data indications) "
                + "to a UDP echo peer and back.")
public final class LoadGenerator implements Callable<Integer> {
    @Option(names = "--server", required = true, description = "TURN server UDP address, HOST:PORT")
    String server;

    @Option(names = "--peer", description = "UDP echo peer HOST:PORT (default: a built-in epoll echo on 127.0.0.1)")
    String peer;

    @Option(names = {"-n", "--allocations"}, defaultValue = "100", description = "allocations (default ${DEFAULT-VALUE})")
    int allocations;

    @Option(names = "--pps", defaultValue = "200", description = "packets/s per allocation, each way (default ${DEFAULT-VALUE})")
    int pps;

    @Option(names = "--size", defaultValue = "170", description = "payload bytes (default ${DEFAULT-VALUE})")
    int size;

    @Option(names = "--warmup", defaultValue = "3", description = "seconds of load before measuring (default ${DEFAULT-VALUE})")
    double warmup;

    @Option(names = "--duration", defaultValue = "20", description = "measured seconds (default ${DEFAULT-VALUE})")
    double duration;

    @Option(names = "--drain", defaultValue = "1", description = "seconds to wait for packets in flight (default ${DEFAULT-VALUE})")
    double drain;

    @Option(names = "--user", defaultValue = "bench")
    String user;

    @Option(names = "--password", defaultValue = "bench")
    String password;

    @Option(names = "--rest-secret", description = "TURN REST shared secret (instead of --user/--password)")
    String restSecret;

    @Option(names = "--send-indications", description = "Send/Data indications instead of ChannelBind + ChannelData")
    boolean sendIndications;

    @Option(names = "--threads", defaultValue = "1", description = "event loop threads for the allocations (default ${DEFAULT-VALUE})")
    int threads;

    @Option(names = "--setup-concurrency", defaultValue = "32", description = "allocations set up at once (default ${DEFAULT-VALUE})")
    int setupConcurrency;

    @Option(names = "--server-pid", defaultValue = "0", description = "PID whose CPU time (/proc) is read around the measured window")
    int serverPid;

    public static void main(String[] args) {
        System.exit(new CommandLine(new LoadGenerator()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        EchoServer echo = peer == null ? EchoServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                : null;
        try {
            InetSocketAddress peerAddress = echo != null ? echo.address() : parse(peer);
            TurnLoad.Config config = new TurnLoad.Config(parse(server), peerAddress, allocations, pps, size,
                    seconds(warmup), seconds(duration), seconds(drain), user, password, restSecret, sendIndications,
                    threads, setupConcurrency, serverPid);
            TurnLoad.Result r = TurnLoad.run(config);
            print(config, r);
            return r.allocationsReady() == 0 ? 1 : 0;
        } finally {
            if (echo != null) {
                echo.close();
            }
        }
    }

    static void print(TurnLoad.Config c, TurnLoad.Result r) {
        double target = (double) c.allocations() * c.pps();
        System.out.printf(Locale.ROOT, "allocations: %d ready, %d failed, set-up %.0f/s (%.2f s)%n",
                r.allocationsReady(), r.setupErrors(), r.setupRate(), r.setupSeconds());
        System.out.printf(Locale.ROOT, "offered: %d packets in %.1f s = %.0f pps client->peer (target %.0f), "
                + "%d not offered (socket not writable)%n", r.sent(), r.seconds(), r.sent() / r.seconds(), target,
                r.sendErrors());
        System.out.printf(Locale.ROOT, "received back: %d, loss %.3f%%, bad packets %d%n", r.received(),
                r.lossPercent(), r.badPackets());
        System.out.printf(Locale.ROOT, "RTT us: p50 %d p99 %d max %d mean %.0f jitter %.0f%n", r.rttP50Micros(),
                r.rttP99Micros(), r.rttMaxMicros(), r.rttMeanMicros(), r.jitterMicros());
        if (r.serverCpuMicros() >= 0) {
            System.out.printf(Locale.ROOT, "server: %.3f CPU s, %.2f us per relayed packet (%d relayed: client->peer "
                    + "+ peer->client), RSS %d KiB%n", r.serverCpuMicros() / 1e6, r.cpuMicrosPerRelayed(),
                    r.relayed(), r.serverRssKib());
        }
        System.out.printf(Locale.ROOT, "RESULT ready=%d setup_errors=%d setup_rate=%.1f sent=%d received=%d "
                        + "loss_pct=%.4f not_offered=%d bad=%d seconds=%.3f rtt_p50_us=%d rtt_p99_us=%d rtt_max_us=%d "
                        + "rtt_mean_us=%.1f jitter_us=%.1f relayed=%d cpu_us=%d cpu_us_per_pkt=%.3f rss_kib=%d%n",
                r.allocationsReady(), r.setupErrors(), r.setupRate(), r.sent(), r.received(), r.lossPercent(),
                r.sendErrors(), r.badPackets(), r.seconds(), r.rttP50Micros(), r.rttP99Micros(), r.rttMaxMicros(),
                r.rttMeanMicros(), r.jitterMicros(), r.relayed(), r.serverCpuMicros(), r.cpuMicrosPerRelayed(),
                r.serverRssKib());
    }

    private static Duration seconds(double s) {
        return Duration.ofMillis(Math.round(s * 1000));
    }

    static InetSocketAddress parse(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        String host = hostPort.substring(0, colon).replace("[", "").replace("]", "");
        return new InetSocketAddress(host, Integer.parseInt(hostPort.substring(colon + 1)));
    }
}
