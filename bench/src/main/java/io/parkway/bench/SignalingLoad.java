package io.parkway.bench;

import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code java -cp bench/target/classes:server/target/parkway.jar io.parkway.bench.SignalingLoad --url
 * ws://127.0.0.1:8080/ws --sessions 10000 --duration 20}: the signaling load of {@link SignalingRun} against any
 * Parkway signaling server (development mode: rooms are made by joining them). Prints a summary and one
 * {@code RESULT key=value ...} line for scripts; exits 1 when a session failed, dropped or a message was lost.
 */
@Command(name = "parkway-signaling-load", mixinStandardHelpOptions = true,
        description = "Signaling load generator: N WebSocket sessions joining rooms (one speaker each) and relaying "
                + "offers, answers and ICE candidates through the server; reports sessions held and relay latency.")
public final class SignalingLoad implements Callable<Integer> {
    @Option(names = "--url", defaultValue = "ws://127.0.0.1:8080/ws",
            description = "signaling WebSocket URL (default ${DEFAULT-VALUE})")
    URI url;

    @Option(names = {"-n", "--sessions"}, defaultValue = "1000",
            description = "WebSocket sessions (default ${DEFAULT-VALUE})")
    int sessions;

    @Option(names = "--rooms", defaultValue = "0",
            description = "rooms, one speaker each, listeners spread evenly (default: one room per "
                    + SignalingRun.DEFAULT_SESSIONS_PER_ROOM + " sessions)")
    int rooms;

    @Option(names = "--rate", defaultValue = "1",
            description = "relayed messages/s per session on average; one offer/answer/candidate exchange is 4 "
                    + "messages (default ${DEFAULT-VALUE})")
    double rate;

    @Option(names = "--connect-rate", defaultValue = "200",
            description = "new connections/s during the ramp (default ${DEFAULT-VALUE})")
    double connectRate;

    @Option(names = "--warmup", defaultValue = "3",
            description = "seconds of load before measuring (default ${DEFAULT-VALUE})")
    double warmup;

    @Option(names = "--duration", defaultValue = "20", description = "measured seconds (default ${DEFAULT-VALUE})")
    double duration;

    @Option(names = "--drain", defaultValue = "3",
            description = "at most this many seconds to wait for messages in flight (default ${DEFAULT-VALUE})")
    double drain;

    @Option(names = "--join-timeout", defaultValue = "60",
            description = "seconds after the last connection attempt to wait for every welcome "
                    + "(default ${DEFAULT-VALUE})")
    double joinTimeout;

    @Option(names = "--handshake-timeout", defaultValue = "10",
            description = "seconds for TCP connect and for the WebSocket handshake, each (default ${DEFAULT-VALUE})")
    double handshakeTimeout;

    @Option(names = "--threads", defaultValue = "1",
            description = "client event loop threads; more only when the load has more than one core "
                    + "(default ${DEFAULT-VALUE})")
    int threads;

    @Option(names = "--server-pid", defaultValue = "0",
            description = "PID whose CPU time and RSS (/proc) are read around the ramp and the measured window")
    int serverPid;

    public static void main(String[] args) {
        System.exit(new CommandLine(new SignalingLoad()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        SignalingRun.Config config = new SignalingRun.Config(url, sessions, rooms, rate, seconds(warmup),
                seconds(duration), seconds(drain), connectRate, seconds(joinTimeout), seconds(handshakeTimeout),
                threads, serverPid);
        double speakerRate = SignalingRun.maxSpeakerMessagesPerSecond(config);
        System.out.printf(Locale.ROOT, "load: %d sessions in %d rooms, %.2f relayed messages/s per session "
                        + "(%.0f/s in all; the busiest speaker sends %.1f/s, the server's default limit per "
                        + "connection is 50/s), connecting %.0f/s, %.1f s warm-up + "
                        + "%.1f s measured%n", sessions, config.roomCount(), rate, rate * sessions, speakerRate,
                connectRate, warmup, duration);
        SignalingRun.Result r = SignalingRun.run(config);
        print(r, rate * sessions, connectRate);
        boolean clean = r.joined() == r.sessions() && r.held() == r.sessions() && r.lost() == 0
                && r.failureCount() == 0;
        return clean ? 0 : 1;
    }

    static void print(SignalingRun.Result r, double targetRate, double targetConnectRate) {
        System.out.printf(Locale.ROOT, "sessions: %d joined of %d in %d rooms, %d failed; ramp %.2f s = %.0f joins/s "
                        + "(target %.0f/s)%n", r.joined(), r.sessions(), r.rooms(), r.failed(), r.rampSeconds(),
                r.connectRate(), targetConnectRate);
        SignalingRun.JoinTimes j = r.joinTimes();
        System.out.printf(Locale.ROOT, "join us (connection attempt to welcome): p50 %d p99 %d max %d; p50/p99 of "
                        + "TCP connect %d/%d, WebSocket handshake %d/%d, join to welcome %d/%d%n", j.totalP50(),
                j.totalP99(), j.totalMax(), j.connectP50(), j.connectP99(), j.upgradeP50(), j.upgradeP99(),
                j.welcomeP50(), j.welcomeP99());
        System.out.printf(Locale.ROOT, "held at the end: %d (%d dropped after joining)%n", r.held(), r.dropped());
        System.out.printf(Locale.ROOT, "relayed: %d sent in %.1f s = %.0f/s (target %.0f/s), %d received, %d lost, "
                        + "%d unstamped, %d offers skipped%n", r.sent(), r.seconds(), r.messagesPerSecond(), targetRate,
                r.received(), r.lost(), r.unstamped(), r.offersSkipped());
        SignalingRun.Latency l = r.latency();
        System.out.printf(Locale.ROOT, "relay latency us (one-way, sender to receiver through the server): p50 %d "
                + "p99 %d max %d mean %.0f%n", l.p50(), l.p99(), l.max(), l.mean());
        double ramp = r.rampSeconds();
        double window = r.seconds();
        if (r.serverWindow().cpuMicros() >= 0) {
            SignalingRun.Rss rss = r.serverRss();
            System.out.printf(Locale.ROOT, "server: window %.1f %% of a core (%.1f us CPU per relayed message), "
                            + "run-queue wait %.1f %%; ramp %.2f CPU s (%.0f us per join), run-queue wait %.1f %%; "
                            + "RSS %d KiB before, %d KiB connected (%.1f KiB per session), %d KiB at the end%n",
                    r.serverWindow().cpuPercent(window), r.serverCpuMicrosPerMessage(),
                    r.serverWindow().waitPercent(window), r.serverRamp().cpuMicros() / 1e6,
                    r.serverRampCpuMicrosPerJoin(), r.serverRamp().waitPercent(ramp), rss.beforeKib(),
                    rss.connectedKib(), r.serverRssKibPerSession(), rss.endKib());
        }
        System.out.printf(Locale.ROOT, "load generator: window %.1f %% of a core, run-queue wait %.1f %%; ramp %.1f %% "
                        + "of a core, run-queue wait %.1f %%; load average %s%n", r.loadWindow().cpuPercent(window),
                r.loadWindow().waitPercent(window), r.loadRamp().cpuPercent(ramp), r.loadRamp().waitPercent(ramp),
                r.loadAverage());
        Map<String, Long> failures = r.failures();
        System.out.println("failures: " + (failures.isEmpty() ? "none" : failures.entrySet().stream()
                .map(e -> e.getValue() + " x " + e.getKey()).collect(Collectors.joining("; "))));
        System.out.printf(Locale.ROOT, "RESULT sessions=%d rooms=%d joined=%d failed=%d held=%d dropped=%d "
                        + "ramp_s=%.3f connect_rate=%.1f join_p50_us=%d join_p99_us=%d sent=%d received=%d lost=%d "
                        + "seconds=%.3f msg_rate=%.1f lat_p50_us=%d lat_p99_us=%d lat_max_us=%d lat_mean_us=%.1f "
                        + "failures=%d server_cpu_us=%d server_cpu_pct=%.2f server_wait_pct=%.2f cpu_us_per_msg=%.2f "
                        + "ramp_cpu_us=%d ramp_wait_pct=%.2f rss_before_kib=%d rss_connected_kib=%d rss_end_kib=%d "
                        + "load_cpu_pct=%.2f load_wait_pct=%.2f loadavg1=%s%n",
                r.sessions(), r.rooms(), r.joined(), r.failed(), r.held(), r.dropped(), ramp, r.connectRate(),
                j.totalP50(), j.totalP99(), r.sent(), r.received(), r.lost(), window, r.messagesPerSecond(), l.p50(),
                l.p99(), l.max(), l.mean(), r.failureCount(), r.serverWindow().cpuMicros(),
                r.serverWindow().cpuPercent(window), r.serverWindow().waitPercent(window),
                r.serverCpuMicrosPerMessage(), r.serverRamp().cpuMicros(), r.serverRamp().waitPercent(ramp),
                r.serverRss().beforeKib(), r.serverRss().connectedKib(), r.serverRss().endKib(),
                r.loadWindow().cpuPercent(window), r.loadWindow().waitPercent(window), r.loadAverage().split(" ")[0]);
    }

    private static Duration seconds(double s) {
        return Duration.ofMillis(Math.round(s * 1000));
    }
}
