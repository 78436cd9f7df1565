package io.parkway.turn;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.timeout.IdleStateEvent;
import java.net.InetSocketAddress;

/**
 * The thin TCP adapter: one per client connection, after {@link io.parkway.stun.StunFrameDecoder}. The connection is
 * the 5-tuple, so it holds at most one allocation, which lives and dies with it (RFC 8656 section 3.1 and 7.2:
 * closing the connection deletes the allocation).
 *
 * <p>Confined to the connection's event loop; the allocation's relay socket is registered on the same loop.
 *
 * <p>A connection silent for {@link TurnServerBuilder#tcpIdleTimeout} while holding no allocation is closed, so
 * idle or abandoned connections cannot pile up; with an allocation, the allocation's lifetime governs instead.
 */
final class TcpConnection extends ChannelInboundHandlerAdapter implements ClientSocket {
    private final ClientPackets packets;
    private final TurnStats stats;
    private Channel channel;
    private InetSocketAddress remote;
    private InetSocketAddress local;
    private Allocation allocation;
    private DeferredFlush flush;

    TcpConnection(ClientPackets packets, TurnStats stats) {
        this.packets = packets;
        this.stats = stats;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        channel = ctx.channel();
        remote = (InetSocketAddress) channel.remoteAddress();
        local = (InetSocketAddress) channel.localAddress();
        flush = new DeferredFlush(channel);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf frame = (ByteBuf) msg;
        try {
            packets.onPacket(this, frame);
        } finally {
            frame.release();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (allocation != null) {
            allocation.close("client connection closed");
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof IdleStateEvent && allocation == null) {
            ctx.close();
            return;
        }
        ctx.fireUserEventTriggered(event);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof DecoderException) {
            stats.malformedDropped.increment(); // a stream that lost framing cannot be resynchronised
        }
        ctx.close();
    }

    @Override
    public TurnTransport transport() {
        return TurnTransport.TCP;
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return remote;
    }

    @Override
    public InetSocketAddress localAddress() {
        return local;
    }

    @Override
    public EventLoop eventLoop() {
        return channel.eventLoop();
    }

    @Override
    public ByteBufAllocator alloc() {
        return channel.alloc();
    }

    @Override
    public void write(ByteBuf message) {
        channel.write(message, channel.voidPromise());
    }

    @Override
    public void flush() {
        flush.request();
    }

    @Override
    public boolean isActive() {
        return channel.isActive();
    }

    @Override
    public boolean padsChannelData() {
        return true;
    }

    @Override
    public Allocation allocation() {
        return allocation;
    }

    @Override
    public void attach(Allocation allocation) {
        this.allocation = allocation;
    }

    @Override
    public void detach(Allocation allocation) {
        if (this.allocation == allocation) {
            this.allocation = null;
        }
    }
}
