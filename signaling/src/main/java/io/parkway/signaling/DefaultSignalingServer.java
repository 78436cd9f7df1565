package io.parkway.signaling;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The {@link SignalingServer}: Netty HTTP/1.1 + WebSocket on NIO event loops, the room logic on one more loop. */
final class DefaultSignalingServer implements SignalingServer {

    private static final Logger logger = LoggerFactory.getLogger(DefaultSignalingServer.class);

    /** Largest HTTP request body (the API's bodies are tiny). */
    static final int MAX_HTTP_CONTENT = 16 * 1024;
    private static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(5);

    final SignalingServerBuilder options;
    final Counters counters = new Counters();
    final Origins origins;
    final ConnectionLimits limits;
    final StaticFiles files;
    private final Credentials credentials;
    Hub hub;
    HttpApi api;
    private DefaultEventLoop roomLoop;
    private EventLoopGroup ioGroup;
    private ChannelGroup channels;
    private Channel serverChannel;
    private volatile InetSocketAddress boundAddress;
    private volatile boolean draining;
    /** The TLS context for new connections; swapped by {@link #reloadCertificates()}. */
    private volatile SslContext ssl;
    private boolean started;
    private boolean closed;

    DefaultSignalingServer(SignalingServerBuilder builder) {
        // Copy the builder so later changes to it do not reach a running server.
        SignalingServerBuilder copy = new SignalingServerBuilder();
        copy.listen = builder.listen;
        copy.tlsCert = builder.tlsCert;
        copy.tlsKey = builder.tlsKey;
        copy.turnSecret = builder.turnSecret;
        copy.iceServers.addAll(builder.iceServers);
        copy.speakerKey = builder.speakerKey;
        copy.allowedOrigins.addAll(builder.allowedOrigins);
        copy.staticPrefix = builder.staticPrefix;
        copy.maxListeners = builder.maxListeners;
        copy.credentialTtl = builder.credentialTtl;
        copy.credentialRefreshBefore = builder.credentialRefreshBefore;
        copy.resumeGrace = builder.resumeGrace;
        copy.maxMessageBytes = builder.maxMessageBytes;
        copy.maxMessagesPerSecond = builder.maxMessagesPerSecond;
        copy.maxConnectionsPerIp = builder.maxConnectionsPerIp;
        copy.maxRooms = builder.maxRooms;
        copy.clock = builder.clock;
        this.options = copy;
        this.origins = new Origins(copy.allowedOrigins);
        this.limits = new ConnectionLimits(copy.maxConnectionsPerIp);
        this.files = new StaticFiles(copy.staticPrefix, DefaultSignalingServer.class.getClassLoader());
        this.credentials = new Credentials(copy.turnSecret, copy.iceServers, copy.credentialTtl,
                copy.credentialRefreshBefore, copy.clock, counters);
    }

    @Override
    public synchronized SignalingServer start() throws InterruptedException {
        if (started) {
            throw new IllegalStateException("signaling server: already started (expected: start() once)");
        }
        started = true;
        ssl = options.tlsCert == null ? null : sslContext();
        if (!credentials.hasTurn()) {
            logger.warn("Signaling hands out no TURN credentials ({}): clients get STUN only and cannot be relayed",
                    options.turnSecret == null ? "no TURN REST secret" : "no turn: URL");
        }
        roomLoop = new DefaultEventLoop(new DefaultThreadFactory("parkway-signaling-rooms", true));
        ioGroup = new MultiThreadIoEventLoopGroup(Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors())),
                new DefaultThreadFactory("parkway-signaling-io", true), NioIoHandler.newFactory());
        channels = new DefaultChannelGroup("parkway-signaling", GlobalEventExecutor.INSTANCE);
        hub = new Hub(roomLoop, credentials, counters, options);
        if (draining) {
            hub.drain();
        }
        api = new HttpApi(hub, credentials);
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(ioGroup)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        channels.add(ch);
                        ChannelPipeline p = ch.pipeline();
                        SslContext current = ssl; // a reload swaps it for the connections that follow
                        if (current != null) {
                            p.addLast("tls", current.newHandler(ch.alloc()));
                        }
                        p.addLast("limits", limits);
                        p.addLast("http", new HttpServerCodec());
                        p.addLast("http-aggregator", new HttpObjectAggregator(MAX_HTTP_CONTENT));
                        p.addLast("router", new HttpHandler(DefaultSignalingServer.this));
                    }
                });
        try {
            serverChannel = bootstrap.bind(options.listen).sync().channel();
        } catch (RuntimeException | InterruptedException e) {
            shutdown();
            throw e;
        }
        boundAddress = (InetSocketAddress) serverChannel.localAddress();
        logger.info("Signaling listening on {}://{}:{}", ssl == null ? "http" : "https",
                boundAddress.getAddress().getHostAddress(), boundAddress.getPort());
        return this;
    }

    @Override
    public boolean reloadCertificates() {
        if (options.tlsCert == null) {
            return false;
        }
        ssl = sslContext();
        logger.info("Signaling TLS certificate reloaded from {}", options.tlsCert);
        return true;
    }

    private SslContext sslContext() {
        try {
            return SslContextBuilder.forServer(options.tlsCert, options.tlsKey).build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new IllegalArgumentException("tls: cannot load " + options.tlsCert + " and " + options.tlsKey
                    + " (expected: a PEM certificate chain and a PEM PKCS#8 private key): " + e.getMessage(), e);
        }
    }

    @Override
    public InetSocketAddress boundAddress() {
        return boundAddress;
    }

    @Override
    public SignalingStats stats() {
        return counters;
    }

    @Override
    public void drain() {
        draining = true;
        Hub h = hub;
        if (h != null) {
            h.drain();
        }
    }

    @Override
    public boolean isDraining() {
        return draining;
    }

    @Override
    public synchronized void close() {
        if (closed || !started) {
            closed = true;
            return;
        }
        closed = true;
        shutdown();
        logger.info("Signaling stopped");
    }

    /** The listening socket, then every connection, then the room loop and the I/O loops. */
    private void shutdown() {
        if (serverChannel != null) {
            serverChannel.close().syncUninterruptibly();
        }
        if (channels != null) {
            channels.close().awaitUninterruptibly(SHUTDOWN_TIMEOUT.toMillis());
        }
        if (roomLoop != null) {
            roomLoop.submit(hub::clear).awaitUninterruptibly(SHUTDOWN_TIMEOUT.toMillis());
            roomLoop.shutdownGracefully(0, SHUTDOWN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                    .awaitUninterruptibly(SHUTDOWN_TIMEOUT.toMillis());
        }
        if (ioGroup != null) {
            ioGroup.shutdownGracefully(0, SHUTDOWN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                    .awaitUninterruptibly(SHUTDOWN_TIMEOUT.toMillis());
        }
    }
}
