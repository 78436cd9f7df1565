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
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.Future;
import io.parkway.stun.StunFrameDecoder;
import io.parkway.turn.auth.RestCredential;
import io.parkway.turn.auth.RestCredentials;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * The TURN load: N allocations, each authenticated (static user or TURN REST secret), with a permission and (unless
 * Send indications are asked for) a channel to one UDP echo peer. Each client talks to the server over its own UDP
 * socket, or with {@link Config#tcp()} over its own TCP connection (STUN and ChannelData framed over the stream, RFC
 * 8656 section 12.5); the relay is UDP either way. In a {@linkplain #measure measured window} each allocation sends
 * {@code pps} packets per second of {@code payload} bytes, stamped with {@link System#nanoTime()}, which the peer
 * echoes back through the relay; {@linkplain #startRefreshing refreshing} keeps idle allocations alive instead.
 *
 * <p>Use: {@link #start}, {@link #setUp}, then any number of {@link #measure} windows (a rate sweep) or a hold,
 * then {@link #close}, which deletes the allocations (paced, like the set-up) and shuts the event loops down. Each
 * allocation ({@link LoadClient}) is confined to its event loop; this class calls it only through that loop.
 */
public final class TurnLoad implements AutoCloseable {
    /** What the load is made of. */
    public record Config(InetSocketAddress server, InetSocketAddress peer, int allocations, int payload, String user,
                         String password, String restSecret, boolean sendIndications, boolean tcp, int threads,
                         int setupConcurrency, int serverPid) {
        public Config {
            if (payload < 16) {
                throw new IllegalArgumentException("payload: " + payload + " (expected: >= 16)");
            }
            if (allocations < 1 || threads < 1 || setupConcurrency < 1) {
                throw new IllegalArgumentException("allocations, threads, setup concurrency: " + allocations + ", "
                        + threads + ", " + setupConcurrency + " (expected: >= 1 each)");
            }
        }
    }

    /** One measured window: {@code pps} per allocation each way, after a warm-up, followed by a drain. */
    public record Window(int pps, Duration warmup, Duration duration, Duration drain) {
    }

    /** The set-up: allocations ready, failed ones by cause ("allocate 508", "channel_bind timeout", ...). */
    public record Setup(int ready, int failed, double seconds, SortedMap<String, Integer> errors) {
        public double rate() {
            return seconds <= 0 ? 0 : ready / seconds;
        }

        /** The errors as {@code allocate_508:3,bind_...:1}, or {@code none}; no spaces, for RESULT lines. */
        public String errorsKey() {
            if (errors.isEmpty()) {
                return "none";
            }
            StringBuilder b = new StringBuilder();
            errors.forEach((k, v) -> b.append(b.length() == 0 ? "" : ",").append(k.replaceAll("[^A-Za-z0-9.]+", "_"))
                    .append(':').append(v));
            return b.toString();
        }
    }

    /**
     * What one window measured. Server CPU and RSS are those of {@code serverPid} (-1 without one), over the window
     * plus the drain; the generator's own CPU is over the window alone. {@code udpRcvbufErrors} is the machine-wide
     * count of UDP datagrams dropped for a full receive buffer during the window (/proc/net/snmp), any process.
     */
    public record Result(Setup setup, int pps, long sent, long received, long notOffered, long badPackets,
                         double seconds, long rttP50Micros, long rttP99Micros, long rttMaxMicros, double rttMeanMicros,
                         double jitterMicros, long serverCpuMicros, long serverRssKib, long loadCpuMicros,
                         long udpRcvbufErrors) {
        public long target() {
            return Math.round((double) setup.ready() * pps * seconds);
        }

        public double lossPercent() {
            return sent == 0 ? 0 : 100.0 * (sent - received) / sent;
        }

        /** Packets the relay moved: client to peer (offered) plus peer to client (received back). */
        public long relayed() {
            return sent + received;
        }

        public double cpuMicrosPerRelayed() {
            return serverCpuMicros < 0 || relayed() == 0 ? -1 : (double) serverCpuMicros / relayed();
        }

        /** Whether the generator offered (nearly) the whole target rate: sent at least 99 % of it. */
        public boolean offeredTarget() {
            return sent >= 0.99 * target();
        }
    }

    private final Config config;
    private final EventLoopGroup group;
    private final Bootstrap bootstrap;
    private final List<LoadClient> clients = new ArrayList<>();
    private Setup setup;
    private Release release;
    /** The local address UDP clients bind to; null: the server's address (the same loopback address, say). */
    private java.net.InetAddress clientAddress;

    private TurnLoad(Config config) {
        this.config = config;
        boolean epoll = Epoll.isAvailable();
        group = new MultiThreadIoEventLoopGroup(config.threads(),
                epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        Bootstrap b = new Bootstrap().group(group).option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT);
        if (config.tcp()) {
            b.channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
                    .option(ChannelOption.TCP_NODELAY, true)
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000);
        } else {
            b.channel(epoll ? EpollDatagramChannel.class : NioDatagramChannel.class)
                    .option(ChannelOption.SO_RCVBUF, 1 << 20)
                    .option(ChannelOption.SO_SNDBUF, 1 << 20);
        }
        bootstrap = b;
    }

    /** Binds UDP clients to {@code address} instead of the server's address; call before {@link #setUp}. */
    public TurnLoad clientAddress(java.net.InetAddress address) {
        this.clientAddress = address;
        return this;
    }

    /** The event loops; no socket yet. */
    public static TurnLoad start(Config config) {
        return new TurnLoad(config);
    }

    /** Runs {@link #setUp}, one {@link #measure} window and {@link #close}. */
    public static Result run(Config config, Window window) throws InterruptedException {
        try (TurnLoad load = start(config)) {
            load.setUp();
            return load.measure(window);
        }
    }

    /**
     * Opens every client socket and runs Allocate (401, then authenticated), CreatePermission and ChannelBind on it,
     * at most {@link Config#setupConcurrency()} allocations at once (socket opening included). Waits for all.
     */
    public Setup setUp() throws InterruptedException {
        Semaphore inFlight = new Semaphore(config.setupConcurrency());
        List<CompletableFuture<Void>> futures = new ArrayList<>();
        String user = config.user();
        String password = config.password();
        long start = System.nanoTime();
        for (int i = 0; i < config.allocations(); i++) {
            if (config.restSecret() != null) {
                RestCredential c = RestCredentials.issue(config.restSecret(), "bench" + i, Duration.ofHours(1),
                        Clock.systemUTC());
                user = c.username();
                password = c.password();
            }
            inFlight.acquire();
            LoadClient client = new LoadClient(config, user, password);
            clients.add(client);
            CompletableFuture<Void> done = new CompletableFuture<>();
            done.whenComplete((v, e) -> inFlight.release());
            futures.add(done);
            ChannelFuture open;
            if (config.tcp()) {
                open = bootstrap.clone().handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new StunFrameDecoder(), client);
                    }
                }).connect(config.server());
            } else {
                open = bootstrap.clone().handler(client)
                        .bind(new InetSocketAddress(clientAddress != null ? clientAddress
                                : config.server().getAddress(), 0));
            }
            open.addListener(f -> {
                if (f.isSuccess()) {
                    client.setUp(open.channel(), done);
                } else {
                    done.completeExceptionally(new LoadClient.SetupFailure(
                            (config.tcp() ? "connect " : "bind ") + describe(f.cause())));
                }
            });
        }
        int ready = 0;
        SortedMap<String, Integer> errors = new TreeMap<>();
        for (CompletableFuture<Void> f : futures) {
            try {
                f.get(5, TimeUnit.MINUTES);
                ready++;
            } catch (ExecutionException e) {
                errors.merge(e.getCause().getMessage(), 1, Integer::sum);
            } catch (TimeoutException e) {
                errors.merge("no answer in 5 min", 1, Integer::sum);
            }
        }
        setup = new Setup(ready, config.allocations() - ready, (System.nanoTime() - start) / 1e9,
                Collections.unmodifiableSortedMap(errors));
        return setup;
    }

    /** The set-up's outcome, or null before {@link #setUp}. */
    public Setup setup() {
        return setup;
    }

    /**
     * Sends {@link Window#pps()} packets/s each way per ready allocation for the warm-up (not counted), then for the
     * measured window, then waits for the drain. Packets stamped before the window are not counted when they arrive.
     */
    public Result measure(Window w) throws InterruptedException {
        List<LoadClient> active = active();
        onLoops(active, c -> c.startSending(w.pps()));
        Thread.sleep(w.warmup().toMillis());
        onLoops(active, LoadClient::resetCounters);
        int pid = config.serverPid();
        int self = (int) ProcessHandle.current().pid();
        long cpu0 = pid > 0 ? ProcStat.cpuMicros(pid) : -1;
        long load0 = ProcStat.cpuMicros(self);
        long udp0 = ProcStat.udpRcvbufErrors();
        long t0 = System.nanoTime();
        Thread.sleep(w.duration().toMillis());
        onLoops(active, LoadClient::stopSending);
        double seconds = (System.nanoTime() - t0) / 1e9;
        long load1 = ProcStat.cpuMicros(self);
        Thread.sleep(w.drain().toMillis());
        long cpu1 = pid > 0 ? ProcStat.cpuMicros(pid) : -1;
        long rss = pid > 0 ? ProcStat.rssKib(pid) : -1;
        long udp1 = ProcStat.udpRcvbufErrors();

        long[] totals = new long[4];
        Histogram rtt = new Histogram();
        double[] jitter = new double[2];
        onLoops(active, c -> {
            if (c.rtt == null) {
                return; // never sent: its set-up failed
            }
            synchronized (totals) {
                totals[0] += c.sent;
                totals[1] += c.received;
                totals[2] += c.notOffered;
                totals[3] += c.badPackets;
                rtt.add(c.rtt);
                jitter[0] += c.jitter;
                jitter[1]++;
            }
        });
        return new Result(setup, w.pps(), totals[0], totals[1], totals[2], totals[3], seconds, rtt.quantile(0.5),
                rtt.quantile(0.99), rtt.max(), rtt.mean(), jitter[1] == 0 ? 0 : jitter[0] / jitter[1],
                cpu0 < 0 ? -1 : cpu1 - cpu0, rss, load1 - load0, udp0 < 0 ? -1 : udp1 - udp0);
    }

    /** Refreshes every ready allocation, its permission and its channel every {@code interval}, until stopped. */
    public void startRefreshing(Duration interval) throws InterruptedException {
        onLoops(active(), c -> c.startRefreshing(interval.toMillis()));
    }

    public void stopRefreshing() throws InterruptedException {
        onLoops(clients, LoadClient::stopRefreshing);
    }

    /** Refreshes that succeeded, failed, and the last failure ("refresh 437", ...) or null. */
    public record Refreshes(long done, long failed, String lastError) {
    }

    public Refreshes refreshes() throws InterruptedException {
        long[] n = new long[2];
        String[] last = new String[1];
        onLoops(clients, c -> {
            synchronized (n) {
                n[0] += c.refreshes;
                n[1] += c.refreshErrors;
                if (c.lastRefreshError != null) {
                    last[0] = c.lastRefreshError;
                }
            }
        });
        return new Refreshes(n[0], n[1], last[0]);
    }

    /** The release: clients done (allocation deleted, already gone, or never granted), and why the rest were not. */
    public record Release(int released, SortedMap<String, Integer> errors) {
    }

    /**
     * Deletes every allocation the server granted (Refresh with LIFETIME 0, RFC 8656 section 7.3), paced and
     * retransmitted like the set-up, and waits for the answers. Without this, an allocation left on the server would
     * answer 437 to the next run's client that happens to get the same source port. Once only.
     */
    public Release release() throws InterruptedException {
        if (release != null) {
            return release;
        }
        Semaphore inFlight = new Semaphore(config.setupConcurrency());
        List<CompletableFuture<Void>> pending = new ArrayList<>();
        for (LoadClient c : clients) {
            Channel ch = c.channel();
            if (ch == null) {
                continue;
            }
            inFlight.acquire();
            CompletableFuture<Void> done = new CompletableFuture<>();
            done.whenComplete((v, e) -> inFlight.release());
            pending.add(done);
            ch.eventLoop().execute(() -> c.release(done));
        }
        int released = 0;
        SortedMap<String, Integer> errors = new TreeMap<>();
        for (CompletableFuture<Void> f : pending) {
            try {
                f.get(1, TimeUnit.MINUTES);
                released++;
            } catch (ExecutionException e) {
                errors.merge(e.getCause().getMessage(), 1, Integer::sum);
            } catch (TimeoutException e) {
                errors.merge("no answer in 1 min", 1, Integer::sum);
            }
        }
        release = new Release(released, Collections.unmodifiableSortedMap(errors));
        return release;
    }

    /** {@link #release} unless done, then closes every socket and shuts the event loops down. */
    @Override
    public void close() throws InterruptedException {
        try {
            release();
        } finally {
            for (LoadClient c : clients) {
                if (c.channel() != null) {
                    c.channel().close();
                }
            }
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    private List<LoadClient> active() {
        return clients.stream().filter(c -> c.channel() != null).toList();
    }

    private static String describe(Throwable cause) {
        String message = String.valueOf(cause.getMessage());
        // "connect(..) failed: Connection refused: /127.0.0.1:3478" -> without the address, so causes aggregate.
        return message.replaceAll(": /?[0-9a-fA-F.:\\[\\]%]+$", "");
    }

    private static void onLoops(List<LoadClient> clients, Consumer<LoadClient> action) throws InterruptedException {
        List<Future<?>> done = new ArrayList<>();
        for (LoadClient c : clients) {
            done.add(c.channel().eventLoop().submit(() -> action.accept(c)));
        }
        for (Future<?> f : done) {
            f.await();
        }
    }
}
