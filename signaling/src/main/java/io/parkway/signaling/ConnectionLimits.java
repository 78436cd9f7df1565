package io.parkway.signaling;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.AttributeKey;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Counts TCP connections per client IP. A connection beyond {@code max-connections-per-ip} is marked {@link
 * #OVER_LIMIT}; the HTTP handler answers its first request with 429 and closes it.
 */
@ChannelHandler.Sharable
final class ConnectionLimits extends ChannelInboundHandlerAdapter {

    static final AttributeKey<Boolean> OVER_LIMIT = AttributeKey.valueOf(ConnectionLimits.class, "overLimit");

    private final int maxPerIp;
    private final ConcurrentHashMap<InetAddress, Integer> counts = new ConcurrentHashMap<>();

    ConnectionLimits(int maxPerIp) {
        this.maxPerIp = maxPerIp;
    }

    int maxPerIp() {
        return maxPerIp;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        InetAddress ip = ip(ctx);
        if (ip != null) {
            int count = counts.merge(ip, 1, Integer::sum);
            if (count > maxPerIp) {
                ctx.channel().attr(OVER_LIMIT).set(Boolean.TRUE);
            }
        }
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        InetAddress ip = ip(ctx);
        if (ip != null) {
            counts.computeIfPresent(ip, (k, count) -> count <= 1 ? null : count - 1);
        }
        ctx.fireChannelInactive();
    }

    static boolean isOverLimit(ChannelHandlerContext ctx) {
        return Boolean.TRUE.equals(ctx.channel().attr(OVER_LIMIT).get());
    }

    private static InetAddress ip(ChannelHandlerContext ctx) {
        return ctx.channel().remoteAddress() instanceof InetSocketAddress address ? address.getAddress() : null;
    }
}
