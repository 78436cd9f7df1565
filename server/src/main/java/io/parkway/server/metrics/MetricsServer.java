package io.parkway.server.metrics;

import static java.util.Objects.requireNonNull;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.compression.StandardCompressionOptions;
import io.netty.handler.codec.http.HttpContentCompressor;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP/1.1 endpoint of {@code metrics.listen}: {@code /metrics} for Prometheus, {@code /healthz} and
 * {@code /readyz} for probes (see {@link MetricsHandler}). It runs on its own one-thread NIO event loop, so a scrape
 * never delays a relayed packet, and a slow relay never delays a scrape.
 */
public final class MetricsServer implements AutoCloseable {

    private static final Logger logger = LoggerFactory.getLogger(MetricsServer.class);

    /** Requests carry no body; anything larger than this is refused with 413. */
    private static final int MAX_REQUEST_BYTES = 8 * 1024;
    /** Connections idle this long are closed (Prometheus keeps its connection busier than this). */
    private static final int IDLE_SECONDS = 120;
    /** Responses smaller than this are sent uncompressed even when gzip is accepted. */
    private static final int COMPRESSION_THRESHOLD_BYTES = 1024;

    private final EventLoopGroup group;
    private final Channel channel;
    private final HttpAddress address;

    private MetricsServer(EventLoopGroup group, Channel channel) {
        this.group = group;
        this.channel = channel;
        this.address = new HttpAddress((InetSocketAddress) channel.localAddress());
    }

    /**
     * Binds {@code listen} and serves {@code metrics}; logs one line with the URL.
     *
     * @throws java.net.BindException (undeclared, from Netty) when the address cannot be bound
     */
    public static MetricsServer start(HttpAddress listen, ParkwayMetrics metrics) throws InterruptedException {
        requireNonNull(listen, "listen");
        MetricsHandler handler = new MetricsHandler(requireNonNull(metrics, "metrics"));
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("parkway-metrics"),
                NioIoHandler.newFactory());
        try {
            Channel channel = new ServerBootstrap()
                    .group(group)
                    .channel(NioServerSocketChannel.class)
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ChannelPipeline p = ch.pipeline();
                            p.addLast(new IdleStateHandler(0, 0, IDLE_SECONDS, TimeUnit.SECONDS));
                            p.addLast(new HttpServerCodec());
                            p.addLast(new HttpContentCompressor(COMPRESSION_THRESHOLD_BYTES,
                                    StandardCompressionOptions.gzip(), StandardCompressionOptions.deflate()));
                            p.addLast(new HttpServerKeepAliveHandler());
                            p.addLast(new HttpObjectAggregator(MAX_REQUEST_BYTES));
                            p.addLast(handler);
                        }
                    })
                    .bind(listen.address())
                    .sync()
                    .channel();
            MetricsServer server = new MetricsServer(group, channel);
            logger.info("metrics on {} (also /healthz and /readyz)", server.address.uri("/metrics"));
            if (!server.address.address().getAddress().isLoopbackAddress()) {
                logger.warn("metrics listen on {}, not loopback: anyone who can reach it can read the metrics;"
                        + " restrict it with a firewall", server.address);
            }
            return server;
        } catch (RuntimeException | InterruptedException e) {
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            throw e;
        } catch (Exception e) { // a checked BindException, rethrown by Netty without a declaration
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            throw e;
        }
    }

    /** The address bound, with an ephemeral port resolved. */
    public HttpAddress address() {
        return address;
    }

    /** Closes the listening socket, then open connections and the event loop; waits for both. Idempotent. */
    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
