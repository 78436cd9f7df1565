package io.parkway.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;
import io.parkway.stun.ChannelData;
import io.parkway.stun.StunAttribute;
import io.parkway.stun.StunClass;
import io.parkway.stun.StunMessage;
import io.parkway.stun.StunMethod;
import io.parkway.stun.StunParseException;
import io.parkway.stun.StunWriter;
import io.parkway.stun.TransactionId;
import io.parkway.turn.auth.LongTermKey;
import io.parkway.turn.auth.RestCredential;
import io.parkway.turn.auth.RestCredentials;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The TURN load: N UDP allocations, each authenticated (static user or TURN REST secret), with a permission and (unless
 * Send indications are asked for) a channel to one UDP echo peer; each sends {@code pps} packets per second of
 * {@code payload} bytes, stamped with {@link System#nanoTime()}, which the peer echoes back through the relay.
 *
 * <p>Each allocation is one Netty channel, driven entirely on its event loop (set-up state machine, pacing timer,
 * receive path), so its counters and RTT histogram need no locks; they are read on that loop at the end.
 */
public final class TurnLoad {
    /** The parameters of one run. */
    public record Config(InetSocketAddress server, InetSocketAddress peer, int allocations, int pps, int payload,
                         Duration warmup, Duration duration, Duration drain, String user, String password,
                         String restSecret, boolean sendIndications, int threads, int setupConcurrency,
                         int serverPid) {
        public Config {
            if (payload < 16) {
                throw new IllegalArgumentException("payload: " + payload + " (expected: >= 16)");
            }
        }
    }

    /** What one run measured. CPU and RSS are those of {@code serverPid}, or -1 without one. */
    public record Result(int allocationsReady, double setupSeconds, long setupErrors, long sent, long received,
                         long sendErrors, long badPackets, double seconds, long rttP50Micros, long rttP99Micros,
                         long rttMaxMicros, double rttMeanMicros, double jitterMicros, long serverCpuMicros,
                         long serverRssKib) {
        public double setupRate() {
            return setupSeconds <= 0 ? 0 : allocationsReady / setupSeconds;
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
    }

    private static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(5);
    private static final long RETRANSMIT_MILLIS = 500;
    private static final int MAX_TRANSMISSIONS = 7;
    private static final int CHANNEL = 0x4000;

    private TurnLoad() {
    }

    public static Result run(Config config) throws InterruptedException {
        boolean epoll = Epoll.isAvailable();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(Math.max(1, config.threads()),
                epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        List<Client> clients = new ArrayList<>();
        try {
            String user = config.user();
            String password = config.password();
            Bootstrap b = new Bootstrap().group(group)
                    .channel(epoll ? EpollDatagramChannel.class : NioDatagramChannel.class)
                    .option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                    .option(ChannelOption.SO_RCVBUF, 1 << 20)
                    .option(ChannelOption.SO_SNDBUF, 1 << 20);
            for (int i = 0; i < config.allocations(); i++) {
                if (config.restSecret() != null) {
                    RestCredential c = RestCredentials.issue(config.restSecret(), "bench" + i, Duration.ofHours(1),
                            Clock.systemUTC());
                    user = c.username();
                    password = c.password();
                }
                Client client = new Client(config, user, password);
                Channel ch = b.clone().handler(client).bind(new InetSocketAddress(
                        config.server().getAddress(), 0)).sync().channel();
                client.channel = ch;
                clients.add(client);
            }

            // Set-up: every allocation through Allocate (401), Allocate, CreatePermission, ChannelBind.
            Semaphore inFlight = new Semaphore(Math.max(1, config.setupConcurrency()));
            long setupStart = System.nanoTime();
            List<CompletableFuture<Void>> setups = new ArrayList<>();
            for (Client c : clients) {
                inFlight.acquire();
                CompletableFuture<Void> f = new CompletableFuture<>();
                f.whenComplete((v, e) -> inFlight.release());
                c.setup = f;
                c.channel.eventLoop().execute(c::startSetup);
                setups.add(f);
            }
            int ready = 0;
            long setupErrors = 0;
            for (CompletableFuture<Void> f : setups) {
                try {
                    f.get(30, TimeUnit.SECONDS);
                    ready++;
                } catch (ExecutionException | TimeoutException e) {
                    setupErrors++;
                    if (setupErrors <= 5) {
                        System.err.println("set-up failed: " + (e.getCause() != null ? e.getCause() : e));
                    }
                }
            }
            double setupSeconds = (System.nanoTime() - setupStart) / 1e9;
            List<Client> active = clients.stream().filter(Client::isReady).toList();

            // Load: warm-up (not counted), then the measured window, then a drain for packets in flight.
            for (Client c : active) {
                c.channel.eventLoop().execute(c::startSending);
            }
            Thread.sleep(config.warmup().toMillis());
            onLoops(active, Client::resetCounters);
            long cpu0 = config.serverPid() > 0 ? ProcStat.cpuMicros(config.serverPid()) : -1;
            long t0 = System.nanoTime();
            Thread.sleep(config.duration().toMillis());
            onLoops(active, Client::stopSending);
            double seconds = (System.nanoTime() - t0) / 1e9;
            Thread.sleep(config.drain().toMillis());
            long cpu1 = config.serverPid() > 0 ? ProcStat.cpuMicros(config.serverPid()) : -1;
            long rss = config.serverPid() > 0 ? ProcStat.rssKib(config.serverPid()) : -1;

            long[] totals = new long[4];
            Histogram rtt = new Histogram();
            double[] jitter = new double[2];
            onLoops(active, c -> {
                synchronized (totals) {
                    totals[0] += c.sent;
                    totals[1] += c.received;
                    totals[2] += c.sendErrors;
                    totals[3] += c.badPackets;
                    rtt.add(c.rtt);
                    jitter[0] += c.jitter;
                    jitter[1]++;
                }
            });
            onLoops(active, Client::deallocate);
            Thread.sleep(200);
            return new Result(ready, setupSeconds, setupErrors, totals[0], totals[1], totals[2], totals[3], seconds,
                    rtt.quantile(0.5), rtt.quantile(0.99), rtt.max(), rtt.mean(),
                    jitter[1] == 0 ? 0 : jitter[0] / jitter[1], cpu0 < 0 ? -1 : cpu1 - cpu0, rss);
        } finally {
            for (Client c : clients) {
                if (c.channel != null) {
                    c.channel.close();
                }
            }
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    private static void onLoops(List<Client> clients, java.util.function.Consumer<Client> action)
            throws InterruptedException {
        List<Future<?>> done = new ArrayList<>();
        for (Client c : clients) {
            done.add(c.channel.eventLoop().submit(() -> action.accept(c)));
        }
        for (Future<?> f : done) {
            f.await();
        }
    }

    /** One allocation. Every method runs on its channel's event loop. */
    private static final class Client extends SimpleChannelInboundHandler<DatagramPacket> {
        private final Config config;
        private final String user;
        private final String password;
        private final InetSocketAddress server;
        private final InetSocketAddress peer;
        Channel channel;
        CompletableFuture<Void> setup;

        private String realm;
        private String nonce;
        private byte[] key;
        private int method = -1;
        private TransactionId transaction;
        private int transmissions;
        private boolean ready;

        private ScheduledFuture<?> pacer;
        private long sendStart;
        private long due;
        private int seq;
        long sent;
        long received;
        long sendErrors;
        long badPackets;
        final Histogram rtt = new Histogram();
        private long lastTransit = -1;
        private long countFrom = System.nanoTime() - TimeUnit.DAYS.toNanos(1);
        double jitter;

        Client(Config config, String user, String password) {
            this.config = config;
            this.user = user;
            this.password = password;
            this.server = config.server();
            this.peer = config.peer();
        }

        boolean isReady() {
            return ready;
        }

        void startSetup() {
            request(StunMethod.ALLOCATE);
        }

        private void request(int m) {
            method = m;
            transaction = TransactionId.random();
            transmissions = 0;
            transmit();
        }

        private void transmit() {
            transmissions++;
            ByteBuf out = channel.alloc().ioBuffer(256);
            StunWriter w = StunWriter.begin(out, method, StunClass.REQUEST, transaction);
            if (method == StunMethod.ALLOCATE) {
                w.uint32(StunAttribute.REQUESTED_TRANSPORT, 17L << 24);
            } else if (method == StunMethod.CREATE_PERMISSION) {
                w.address(StunAttribute.XOR_PEER_ADDRESS, peer);
            } else if (method == StunMethod.CHANNEL_BIND) {
                w.uint32(StunAttribute.CHANNEL_NUMBER, (long) CHANNEL << 16);
                w.address(StunAttribute.XOR_PEER_ADDRESS, peer);
            } else if (method == StunMethod.REFRESH) {
                w.uint32(StunAttribute.LIFETIME, 0);
            }
            if (nonce != null) {
                w.string(StunAttribute.USERNAME, user).string(StunAttribute.REALM, realm)
                        .string(StunAttribute.NONCE, nonce).messageIntegrity(key);
            }
            w.fingerprint();
            channel.writeAndFlush(new DatagramPacket(out, server), channel.voidPromise());
            if (method != StunMethod.REFRESH) {
                TransactionId t = transaction;
                int n = transmissions;
                channel.eventLoop().schedule(() -> {
                    if (t.equals(transaction) && transmissions == n && !setup.isDone()) {
                        if (n >= MAX_TRANSMISSIONS) {
                            setup.completeExceptionally(new TimeoutException(StunMethod.name(method) + " timed out"));
                        } else {
                            transmit();
                        }
                    }
                }, RETRANSMIT_MILLIS, TimeUnit.MILLISECONDS);
            }
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
            ByteBuf buf = packet.content();
            if (ChannelData.isChannelData(buf)) {
                int length = ChannelData.length(buf);
                if (buf.readableBytes() < ChannelData.HEADER_LENGTH + length || length < 12) {
                    badPackets++;
                    return;
                }
                arrived(buf, buf.readerIndex() + ChannelData.HEADER_LENGTH);
                return;
            }
            StunMessage m;
            try {
                m = StunMessage.decode(buf);
            } catch (StunParseException e) {
                badPackets++;
                return;
            }
            if (m.method() == StunMethod.DATA && m.messageClass() == StunClass.INDICATION) {
                int i = m.indexOf(StunAttribute.DATA);
                if (i < 0 || m.valueLength(i) < 12) {
                    badPackets++;
                    return;
                }
                arrived(buf, m.valueIndex(i));
                return;
            }
            if (!m.transactionId().equals(transaction) || setup == null || setup.isDone()) {
                return;
            }
            if (m.messageClass() == StunClass.ERROR_RESPONSE) {
                int code = m.errorCode();
                if ((code == 401 && nonce == null) || code == 438) {
                    nonce = m.string(StunAttribute.NONCE);
                    if (code == 401) {
                        realm = m.string(StunAttribute.REALM);
                        key = LongTermKey.md5(user, realm, password);
                    }
                    request(method);
                } else {
                    setup.completeExceptionally(new IllegalStateException(
                            StunMethod.name(method) + " error " + code));
                }
                return;
            }
            if (m.messageClass() != StunClass.SUCCESS_RESPONSE) {
                return;
            }
            if (method == StunMethod.ALLOCATE) {
                request(StunMethod.CREATE_PERMISSION);
            } else if (method == StunMethod.CREATE_PERMISSION && !config.sendIndications()) {
                request(StunMethod.CHANNEL_BIND);
            } else {
                transaction = null;
                ready = true;
                setup.complete(null);
            }
        }

        private void arrived(ByteBuf buf, int payloadIndex) {
            long now = System.nanoTime();
            long stamp = buf.getLong(payloadIndex);
            long transit = now - stamp;
            if (transit < 0 || transit > TimeUnit.SECONDS.toNanos(60)) {
                badPackets++;
                return;
            }
            if (stamp - countFrom < 0) {
                return; // sent before the measured window (warm-up)
            }
            received++;
            rtt.record(transit / 1000);
            if (lastTransit >= 0) {
                // RFC 3550 interarrival jitter estimate, in microseconds.
                jitter += (Math.abs(transit - lastTransit) / 1000.0 - jitter) / 16;
            }
            lastTransit = transit;
        }

        void startSending() {
            sendStart = System.nanoTime();
            due = 0;
            pacer = channel.eventLoop().scheduleAtFixedRate(this::tick, 0, TICK_NANOS, TimeUnit.NANOSECONDS);
        }

        void stopSending() {
            if (pacer != null) {
                pacer.cancel(false);
            }
        }

        void resetCounters() {
            countFrom = System.nanoTime();
            sent = 0;
            received = 0;
            sendErrors = 0;
            badPackets = 0;
            rtt.clear();
        }

        private void tick() {
            long now = System.nanoTime();
            long target = (now - sendStart) * config.pps() / 1_000_000_000L;
            int burst = 0;
            while (due < target && burst < 64) {
                due++;
                burst++;
                if (!channel.isWritable()) {
                    sendErrors++;
                    continue;
                }
                channel.write(new DatagramPacket(packet(now), server), channel.voidPromise());
                sent++;
            }
            if (due < target) {
                due = target; // fell behind: do not burst to catch up, the packets are counted as not offered
            }
            if (burst > 0) {
                channel.flush();
            }
        }

        private ByteBuf packet(long now) {
            int size = config.payload();
            if (!config.sendIndications()) {
                ByteBuf out = channel.alloc().directBuffer(ChannelData.HEADER_LENGTH + size);
                ChannelData.writeHeader(out, CHANNEL, size);
                writePayload(out, now, size);
                return out;
            }
            ByteBuf payload = channel.alloc().heapBuffer(size);
            writePayload(payload, now, size);
            ByteBuf out = channel.alloc().directBuffer(64 + size);
            try {
                StunWriter.begin(out, StunMethod.SEND, StunClass.INDICATION, TransactionId.random())
                        .address(StunAttribute.XOR_PEER_ADDRESS, peer).bytes(StunAttribute.DATA, payload);
            } finally {
                payload.release();
            }
            return out;
        }

        private void writePayload(ByteBuf out, long now, int size) {
            out.writeLong(now);
            out.writeInt(seq++);
            out.writeZero(size - 12);
        }

        void deallocate() {
            if (ready) {
                request(StunMethod.REFRESH);
            }
        }
    }
}
