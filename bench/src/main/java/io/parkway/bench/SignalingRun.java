package io.parkway.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.ToLongFunction;

/**
 * The signaling load: N WebSocket sessions in R rooms (the first R sessions are the speakers, the others listeners
 * spread evenly), connected at a set rate, each joining its room; then offers, answers and candidates relayed at
 * {@code rate} messages per second per session (see {@link SignalingClient} for the exchange): a warm-up, the
 * measured window, and a drain that waits for the messages sent in the window. Reports sessions joined and still
 * held at the end, failures by reason, the relay's one-way latency and, with a server PID, the server's CPU time,
 * run-queue wait and RSS.
 *
 * <p>All sessions share one Netty client (epoll when available) with {@code threads} event loops; each session is
 * confined to its channel's loop.
 */
public final class SignalingRun {

    /** Listeners per room when the room count is not given: 50 sessions per room, the server's default room size. */
    static final int DEFAULT_SESSIONS_PER_ROOM = 50;
    private static final long DRAIN_POLL_MILLIS = 50;

    /**
     * The parameters of one run.
     *
     * @param rate relayed messages per second per session, on average over all sessions
     * @param connectRate new WebSocket connections per second during the ramp
     */
    public record Config(URI url, int sessions, int rooms, double rate, Duration warmup, Duration duration,
                         Duration drain, double connectRate, Duration joinTimeout, Duration handshakeTimeout,
                         int threads, int serverPid) {
        public Config {
            if (!"ws".equalsIgnoreCase(url.getScheme()) || url.getHost() == null) {
                throw new IllegalArgumentException("url: " + url + " (expected: ws://HOST:PORT/ws)");
            }
            if (sessions < 1) {
                throw new IllegalArgumentException("sessions: " + sessions + " (expected: at least 1)");
            }
            if (rooms < 0 || rooms > sessions) {
                throw new IllegalArgumentException("rooms: " + rooms + " (expected: 1-" + sessions
                        + ", one speaker each, or 0 for one room per " + DEFAULT_SESSIONS_PER_ROOM + " sessions)");
            }
            if (rate < 0 || connectRate <= 0 || threads < 1) {
                throw new IllegalArgumentException("rate " + rate + ", connect rate " + connectRate + ", threads "
                        + threads + " (expected: rate >= 0, connect rate > 0, threads >= 1)");
            }
        }

        /** The rooms used: as given, or one per {@link #DEFAULT_SESSIONS_PER_ROOM} sessions. */
        public int roomCount() {
            return rooms > 0 ? rooms : (sessions + DEFAULT_SESSIONS_PER_ROOM - 1) / DEFAULT_SESSIONS_PER_ROOM;
        }
    }

    /**
     * What one run measured.
     *
     * @param held sessions joined and still connected at the end of the measured window and drain
     * @param rampSeconds from the first connection attempt to the last welcome
     * @param sent relayed messages sent in the measured window (by the send time stamped into each)
     * @param received those of them that arrived, by the end of the drain
     * @param offersSkipped offers the pacer did not send (speaker without listeners, or fell behind)
     * @param seconds length of the measured window
     * @param latency one-way relay latency of the received messages, microseconds
     * @param serverRamp the server's CPU and run-queue wait during the ramp; {@link Usage#NONE} without a server PID
     * @param loadRamp this process's during the ramp
     * @param serverWindow the server's over the measured window
     * @param loadWindow this process's over the measured window
     * @param loadAverage the 1-, 5- and 15-minute load averages at the end of the window
     */
    public record Result(int sessions, int rooms, int joined, int held, double rampSeconds, JoinTimes joinTimes,
                         long sent, long received, long unstamped, long offersSkipped, double seconds,
                         Latency latency, Map<String, Long> failures, Usage serverRamp, Usage loadRamp,
                         Usage serverWindow, Usage loadWindow, Rss serverRss, String loadAverage) {
        public int failed() {
            return sessions - joined;
        }

        public int dropped() {
            return joined - held;
        }

        public long lost() {
            return sent - received;
        }

        public double connectRate() {
            return rampSeconds <= 0 ? 0 : joined / rampSeconds;
        }

        public double messagesPerSecond() {
            return seconds <= 0 ? 0 : sent / seconds;
        }

        public long failureCount() {
            return failures.values().stream().mapToLong(Long::longValue).sum();
        }

        public double serverCpuMicrosPerMessage() {
            return serverWindow.cpuMicros() < 0 || sent == 0 ? -1 : (double) serverWindow.cpuMicros() / sent;
        }

        public double serverRampCpuMicrosPerJoin() {
            return serverRamp.cpuMicros() < 0 || joined == 0 ? -1 : (double) serverRamp.cpuMicros() / joined;
        }

        /** Server RSS growth from before the ramp to after it, per joined session; -1 without a server PID. */
        public double serverRssKibPerSession() {
            return serverRss.beforeKib() < 0 || joined == 0 ? -1
                    : (double) (serverRss.connectedKib() - serverRss.beforeKib()) / joined;
        }
    }

    /** Microseconds. */
    public record Latency(long p50, long p99, long max, double mean) {
        static Latency of(Histogram h) {
            return new Latency(h.quantile(0.5), h.quantile(0.99), h.max(), h.mean());
        }
    }

    /** A server's VmRSS before the ramp, after it, and after the measured window, KiB; -1 without a server PID. */
    public record Rss(long beforeKib, long connectedKib, long endKib) {
    }

    /**
     * CPU time (utime + stime, {@link ProcStat}) and run-queue wait (runnable but not running, {@link
     * SignalingSchedStat}) of one process over one phase, in microseconds; -1 when unknown.
     */
    public record Usage(long cpuMicros, long waitMicros) {
        static final Usage NONE = new Usage(-1, -1);

        static Usage now(int pid) {
            return pid <= 0 ? NONE : new Usage(ProcStat.cpuMicros(pid), SignalingSchedStat.waitMicros(pid));
        }

        Usage since(Usage start) {
            return new Usage(cpuMicros < 0 || start.cpuMicros < 0 ? -1 : cpuMicros - start.cpuMicros,
                    waitMicros < 0 || start.waitMicros < 0 ? -1 : waitMicros - start.waitMicros);
        }

        /** CPU time as a percentage of one core over {@code seconds}; -1 when unknown. */
        public double cpuPercent(double seconds) {
            return cpuMicros < 0 || seconds <= 0 ? -1 : cpuMicros / (seconds * 1e4);
        }

        /** Run-queue wait as a percentage of {@code seconds} (summed over threads, so it may pass 100). */
        public double waitPercent(double seconds) {
            return waitMicros < 0 || seconds <= 0 ? -1 : waitMicros / (seconds * 1e4);
        }
    }

    /**
     * How long joined sessions took, in microseconds, from the connection attempt to the TCP connection ({@code
     * connect}), from there to the end of the WebSocket handshake ({@code upgrade}), from there to the welcome ({@code
     * welcome}), and in all ({@code total}).
     */
    public record JoinTimes(long connectP50, long connectP99, long upgradeP50, long upgradeP99, long welcomeP50,
                            long welcomeP99, long totalP50, long totalP99, long totalMax) {
    }

    private SignalingRun() {
    }

    public static Result run(Config config) throws InterruptedException {
        int rooms = config.roomCount();
        int sessions = config.sessions();
        SignalingCounters counters = new SignalingCounters();
        CountDownLatch settled = new CountDownLatch(sessions);
        List<SignalingClient> clients = plan(config, rooms, counters, settled);
        int serverPid = config.serverPid();
        long rssBefore = serverPid > 0 ? ProcStat.rssKib(serverPid) : -1;
        int selfPid = (int) ProcessHandle.current().pid();

        boolean epoll = Epoll.isAvailable();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(config.threads(),
                new DefaultThreadFactory("signaling-load", true),
                epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        List<Channel> channels = new ArrayList<>(sessions);
        try {
            // Ramp: one connection attempt every 1/connectRate seconds; each session joins once its handshake is done.
            WebSocketClientProtocolConfig ws = WebSocketClientProtocolConfig.newBuilder()
                    .webSocketUri(config.url())
                    .version(WebSocketVersion.V13)
                    .allowExtensions(false)
                    .maxFramePayloadLength(1 << 20)
                    .handleCloseFrames(false) // SignalingClient records the server's close code
                    .handshakeTimeoutMillis(config.handshakeTimeout().toMillis())
                    .generateOriginHeader(false) // not a browser
                    .withUTF8Validator(false)
                    .build();
            Bootstrap bootstrap = new Bootstrap().group(group)
                    .channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
                    .option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                    .option(ChannelOption.TCP_NODELAY, true)
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) config.handshakeTimeout().toMillis())
                    .remoteAddress(config.url().getHost(), port(config.url()));
            Usage serverBeforeRamp = Usage.now(serverPid);
            Usage selfBeforeRamp = Usage.now(selfPid);
            long rampStart = System.nanoTime();
            for (int i = 0; i < sessions; i++) {
                long wait = rampStart + (long) (i * 1e9 / config.connectRate()) - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
                SignalingClient client = clients.get(i);
                client.attemptNanos = System.nanoTime(); // read on the channel's loop, after the connect hands over
                ChannelFuture connect = bootstrap.clone().handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(64 * 1024),
                                new WebSocketClientProtocolHandler(ws), new WebSocketFrameAggregator(1 << 20),
                                client);
                    }
                }).connect();
                connect.addListener(f -> {
                    if (!f.isSuccess()) {
                        client.connectFailed(f.cause());
                    }
                });
                channels.add(connect.channel());
            }
            if (!settled.await(config.joinTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
                long s = config.joinTimeout().toSeconds();
                onLoops(clients, channels, c -> c.timedOut(s));
            }
            long lastJoin = max(clients, channels, c -> c.joinedNanos == 0 ? rampStart : c.joinedNanos);
            int joined = (int) sum(clients, channels, c -> c.isJoined() ? 1 : 0);
            Usage serverRamp = Usage.now(serverPid).since(serverBeforeRamp);
            Usage loadRamp = Usage.now(selfPid).since(selfBeforeRamp);
            long rssConnected = serverPid > 0 ? ProcStat.rssKib(serverPid) : -1;

            // Load: warm-up (not counted), the measured window, then a drain for its messages still in flight.
            Map<EventExecutor, SignalingPacer> pacers = new HashMap<>();
            group.forEach(loop -> pacers.put(loop, new SignalingPacer(loop)));
            onLoops(clients, channels, c -> {
                if (c.speaker) {
                    pacers.get(c.eventLoop()).add(c);
                }
            });
            Thread.sleep(config.warmup().toMillis());
            long t0 = counters.startWindow();
            Usage server0 = Usage.now(serverPid);
            Usage self0 = Usage.now(selfPid);
            Thread.sleep(config.duration().toMillis());
            double seconds = (counters.endWindow() - t0) / 1e9;
            for (Map.Entry<EventExecutor, SignalingPacer> p : pacers.entrySet()) {
                p.getKey().submit(p.getValue()::stop).sync();
            }
            Usage serverWindow = Usage.now(serverPid).since(server0);
            Usage loadWindow = Usage.now(selfPid).since(self0);
            String loadAverage = loadAverage();
            drain(counters, config.drain());
            long rssEnd = serverPid > 0 ? ProcStat.rssKib(serverPid) : -1;

            int held = (int) sum(clients, channels, c -> c.isHeld() ? 1 : 0);
            long skipped = sum(clients, channels, c -> c.offersSkipped);
            Histogram latency = counters.mergedLatency();
            Histogram[] join = {new Histogram(), new Histogram(), new Histogram(), new Histogram()};
            onLoops(clients, channels, c -> {
                synchronized (join) {
                    if (c.joinedNanos != 0) {
                        join[0].record((c.activeNanos - c.attemptNanos) / 1000);
                        join[1].record((c.upgradedNanos - c.activeNanos) / 1000);
                        join[2].record((c.joinedNanos - c.upgradedNanos) / 1000);
                        join[3].record((c.joinedNanos - c.attemptNanos) / 1000);
                    }
                }
            });
            return new Result(sessions, rooms, joined, held, (lastJoin - rampStart) / 1e9, new JoinTimes(
                    join[0].quantile(0.5), join[0].quantile(0.99), join[1].quantile(0.5), join[1].quantile(0.99),
                    join[2].quantile(0.5), join[2].quantile(0.99), join[3].quantile(0.5), join[3].quantile(0.99),
                    join[3].max()), counters.sent.sum(), counters.received.sum(), counters.unstamped.sum(), skipped,
                    seconds, Latency.of(latency), counters.failures(), serverRamp, loadRamp, serverWindow, loadWindow,
                    new Rss(rssBefore, rssConnected, rssEnd), loadAverage);
        } finally {
            onLoops(clients, channels, SignalingClient::close);
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).sync();
        }
    }

    /**
     * Sessions 0..R-1 are the speakers of rooms 0..R-1; session i >= R listens in room (i - R) mod R. Each speaker
     * offers at {@code rate * roomSize / 4} per second: one exchange is four relayed messages, so the room as a whole
     * relays {@code rate} messages per second per session.
     */
    private static List<SignalingClient> plan(Config config, int rooms, SignalingCounters counters,
            CountDownLatch settled) {
        int[] roomSize = new int[rooms];
        for (int i = 0; i < config.sessions(); i++) {
            roomSize[room(i, rooms)]++;
        }
        String prefix = "bench-" + Long.toString(ThreadLocalRandom.current().nextLong(1L << 40), 36) + "-";
        List<SignalingClient> clients = new ArrayList<>(config.sessions());
        for (int i = 0; i < config.sessions(); i++) {
            int r = room(i, rooms);
            boolean speaker = i < rooms;
            double offersPerSecond = speaker ? config.rate() * roomSize[r] / 4.0 : 0;
            clients.add(new SignalingClient(prefix + r, speaker, offersPerSecond, counters, settled));
        }
        return clients;
    }

    private static int room(int session, int rooms) {
        return session < rooms ? session : (session - rooms) % rooms;
    }

    /** Messages per second the busiest speaker sends: two per offer (the offer and a candidate). */
    static double maxSpeakerMessagesPerSecond(Config config) {
        int rooms = config.roomCount();
        int largest = 1 + (config.sessions() - rooms + rooms - 1) / rooms;
        return 2 * config.rate() * largest / 4.0;
    }

    /** Waits until every message sent has arrived and the count stands still, or {@code limit} passed. */
    private static void drain(SignalingCounters counters, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        long lastSent = -1;
        while (System.nanoTime() - deadline < 0) {
            long sent = counters.sent.sum();
            if (sent == lastSent && counters.received.sum() >= sent) {
                return;
            }
            lastSent = sent;
            Thread.sleep(DRAIN_POLL_MILLIS);
        }
    }

    /** Runs {@code action} for each session on its event loop and waits for all of them. */
    private static void onLoops(List<SignalingClient> clients, List<Channel> channels, Consumer<SignalingClient> action)
            throws InterruptedException {
        sum(clients, channels, c -> {
            action.accept(c);
            return 0;
        });
    }

    private static long sum(List<SignalingClient> clients, List<Channel> channels, ToLongFunction<SignalingClient> f)
            throws InterruptedException {
        long total = 0;
        for (Future<Long> done : submit(clients, channels, f)) {
            total += result(done);
        }
        return total;
    }

    private static long max(List<SignalingClient> clients, List<Channel> channels, ToLongFunction<SignalingClient> f)
            throws InterruptedException {
        long max = Long.MIN_VALUE;
        for (Future<Long> done : submit(clients, channels, f)) {
            max = Math.max(max, result(done));
        }
        return max;
    }

    private static List<Future<Long>> submit(List<SignalingClient> clients, List<Channel> channels,
            ToLongFunction<SignalingClient> f) {
        List<Future<Long>> futures = new ArrayList<>(channels.size());
        for (int i = 0; i < channels.size(); i++) {
            SignalingClient c = clients.get(i);
            futures.add(channels.get(i).eventLoop().submit(() -> f.applyAsLong(c)));
        }
        return futures;
    }

    private static long result(Future<Long> future) throws InterruptedException {
        try {
            return future.get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("a session's event loop task failed", e.getCause());
        }
    }

    private static int port(URI url) {
        return url.getPort() > 0 ? url.getPort() : 80;
    }

    /** The 1-, 5- and 15-minute load averages from /proc/loadavg, or "-" elsewhere. */
    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "-";
        }
    }
}
