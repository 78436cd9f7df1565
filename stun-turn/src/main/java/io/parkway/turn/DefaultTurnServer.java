package io.parkway.turn;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelException;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.unix.UnixChannelOption;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import io.parkway.stun.StunFrameDecoder;
import io.parkway.turn.auth.NonceCodec;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The {@link TurnServer} built by {@link TurnServerBuilder}. */
final class DefaultTurnServer implements TurnServer {
    private static final Logger logger = LoggerFactory.getLogger(DefaultTurnServer.class);

    private final List<ListenAddress> listen;
    private final TurnServerBuilder settings;
    private final int threads;
    private final TurnServerContext context;
    private final ClientPackets packets;
    private final List<Channel> listeners = new ArrayList<>();
    private final List<ListenAddress> bound = new ArrayList<>();
    private EventLoopGroup group;
    private boolean closed;

    DefaultTurnServer(TurnServerBuilder b) {
        this.listen = List.copyOf(b.listen);
        this.settings = b;
        // One loop per processor: the relay never blocks, so more loops than cores only add wake-ups and split the
        // batches that recvmmsg/sendmmsg and the deferred flush amortise system calls over.
        this.threads = b.eventLoopThreads > 0 ? b.eventLoopThreads : Runtime.getRuntime().availableProcessors();
        InetAddress relay = b.relayAddress != null ? b.relayAddress : listen.get(0).address().getAddress();
        if (relay.isAnyLocalAddress()) {
            throw new IllegalArgumentException("relay address: " + relay.getHostAddress()
                    + " (expected: a specific local IP; set it when listening on a wildcard address)");
        }
        PeerPolicy policy = policyOf(b, relay);
        NonceCodec nonces = new NonceCodec(b.clock, b.nonceLifetime);
        Authenticator authenticator = new Authenticator(b.realm, b.users, b.restSecrets, nonces, b.clock);
        this.context = new TurnServerContext(b, relay, authenticator, policy);
        this.packets = new ClientPackets(context);
    }

    /** The configured policy (the default when none) plus the relay's own addresses. */
    private static PeerPolicy policyOf(TurnServerBuilder b, InetAddress relay) {
        PeerPolicy policy = b.peerPolicy != null ? b.peerPolicy : PeerPolicy.defaults();
        List<InetAddress> own = new ArrayList<>();
        own.add(relay);
        if (b.externalAddress != null) {
            own.add(b.externalAddress);
        }
        return policy.withRelayAddresses(own);
    }

    @Override
    public synchronized List<String> reload(TurnServerBuilder next) {
        List<String> restartNeeded = new ArrayList<>();
        if (!next.listen.equals(settings.listen)) {
            restartNeeded.add("listen");
        }
        if (!java.util.Objects.equals(next.relayAddress, settings.relayAddress)) {
            restartNeeded.add("relay address");
        }
        if (!java.util.Objects.equals(next.externalAddress, settings.externalAddress)) {
            restartNeeded.add("external address");
        }
        if (next.minRelayPort != settings.minRelayPort || next.maxRelayPort != settings.maxRelayPort) {
            restartNeeded.add("relay ports");
        }
        if (!next.realm.equals(settings.realm)) {
            restartNeeded.add("realm");
        }
        context.reload(next, policyOf(next, context.relayAddress));
        logger.debug("reloaded: {} static users, {} REST secrets, peers {}, {} allocations per user, max {}{}",
                next.users.size(), next.restSecrets.size(), context.peerPolicy(), next.allocationsPerUser,
                next.maxAllocations, restartNeeded.isEmpty() ? "" : "; needs a restart to change: " + restartNeeded);
        return restartNeeded;
    }

    @Override
    public void drain() {
        if (!context.draining) {
            context.draining = true;
            logger.info("draining: new allocations refused, {} active keep relaying", context.stats.allocationsActive());
        }
    }

    @Override
    public synchronized boolean isReady() {
        if (group == null || closed || context.draining) {
            return false;
        }
        for (Channel ch : listeners) {
            if (!ch.isActive()) {
                return false;
            }
        }
        return bound.size() == listen.size();
    }

    @Override
    public synchronized TurnServer start() throws InterruptedException {
        if (group != null) {
            throw new IllegalStateException("already started");
        }
        group = new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory("parkway-turn"),
                Transports.ioHandlerFactory());
        try {
            for (ListenAddress address : listen) {
                List<Channel> channels = address.transport() == TurnTransport.UDP ? bindUdp(address)
                        : List.of(bindTcp(address).sync().channel());
                listeners.addAll(channels);
                ListenAddress actual = new ListenAddress(address.transport(),
                        (InetSocketAddress) channels.get(0).localAddress());
                bound.add(actual);
                logger.info("listening on {} ({}{})", actual, Transports.name(),
                        channels.size() > 1 ? ", " + channels.size() + " sockets with SO_REUSEPORT" : "");
            }
        } catch (RuntimeException | InterruptedException e) {
            close();
            throw e;
        }
        logger.info("relay address {} ports {}-{}{}", context.relayAddress.getHostAddress(),
                context.relayPorts.min, context.relayPorts.max,
                context.advertisedRelayAddress.equals(context.relayAddress) ? ""
                        : ", advertised as " + context.advertisedRelayAddress.getHostAddress());
        return this;
    }

    /**
     * Binds one UDP socket per event loop to the address with {@code SO_REUSEPORT} (native transports): the kernel
     * spreads clients over the sockets by a hash of their address, so each client always reaches the same socket,
     * and its allocation and relay socket live on that socket's loop. With NIO, or one loop, a single socket.
     */
    private List<Channel> bindUdp(ListenAddress address) throws InterruptedException {
        List<EventLoop> loops = new ArrayList<>();
        for (EventExecutor e : group) {
            loops.add((EventLoop) e);
        }
        boolean reusePort = Transports.KIND != Transports.Kind.NIO && loops.size() > 1;
        InetSocketAddress at = address.address();
        if (reusePort && at.getPort() != 0) {
            ensureUnused(at);
        }
        List<Channel> channels = new ArrayList<>();
        try {
            channels.add(udpBootstrap(loops.get(0), reusePort).bind(at).sync().channel());
            InetSocketAddress actual = (InetSocketAddress) channels.get(0).localAddress();
            for (int i = 1; reusePort && i < loops.size(); i++) {
                channels.add(udpBootstrap(loops.get(i), true).bind(actual).sync().channel());
            }
        } catch (RuntimeException | InterruptedException e) {
            channels.forEach(Channel::close);
            throw e;
        }
        return channels;
    }

    private Bootstrap udpBootstrap(EventLoop loop, boolean reusePort) {
        Bootstrap b = Transports.listenerOptions(new Bootstrap())
                .group(loop)
                .channel(Transports.datagramChannel())
                .option(ChannelOption.SO_RCVBUF, 4 * 1024 * 1024)
                .option(ChannelOption.SO_SNDBUF, 4 * 1024 * 1024)
                .handler(new UdpListener(packets));
        return reusePort ? b.option(UnixChannelOption.SO_REUSEPORT, true) : b;
    }

    /**
     * Fails like a plain bind when the port is taken. Sockets with {@code SO_REUSEPORT} of the same user may share a
     * port, so without this check a second Parkway started by mistake on the same port would silently take a share of
     * the clients instead of failing with "Address already in use". A plain socket's bind fails when any socket
     * holds the port, ours included.
     */
    private static void ensureUnused(InetSocketAddress at) {
        try (DatagramSocket probe = new DatagramSocket(null)) {
            probe.bind(at);
        } catch (IOException e) {
            throw new ChannelException("bind(" + at + ") failed: " + e.getMessage(), e);
        }
    }

    private ChannelFuture bindTcp(ListenAddress address) {
        return new ServerBootstrap()
                .group(group)
                .channel(Transports.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast("idle", new IdleStateHandler(
                                        settings.tcpIdleTimeout.toMillis(), 0, 0, TimeUnit.MILLISECONDS))
                                .addLast("frames", new StunFrameDecoder())
                                .addLast("turn", new TcpConnection(packets, context.stats));
                    }
                })
                .bind(address.address());
    }

    @Override
    public synchronized List<ListenAddress> boundAddresses() {
        return Collections.unmodifiableList(new ArrayList<>(bound));
    }

    @Override
    public TurnStats stats() {
        return context.stats;
    }

    @Override
    public synchronized void close() {
        if (closed || group == null) {
            closed = true;
            return;
        }
        closed = true;
        for (Channel ch : listeners) {
            ch.close().awaitUninterruptibly();
        }
        context.closeAll();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
        logger.info("stopped");
    }
}
