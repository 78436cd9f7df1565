package io.parkway.turn;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The thin UDP adapter: one per listening UDP socket. Looks up the allocation of each datagram's 5-tuple in O(1)
 * (the listening socket fixes the server side, so the client address is the key) and hands the datagram to
 * {@link ClientPackets}. Writes to clients and to relay sockets are flushed once per event-loop iteration
 * ({@link DeferredFlush}).
 *
 * <p>Confined to the socket's event loop; every allocation of a UDP client lives on that loop too.
 */
final class UdpListener extends ChannelInboundHandlerAdapter {
    private final ClientPackets packets;
    private final Map<InetSocketAddress, Allocation> allocations = new HashMap<>();
    private Channel channel;
    private DeferredFlush flush;
    private InetSocketAddress local;

    UdpListener(ClientPackets packets) {
        this.packets = packets;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        channel = ctx.channel();
        local = (InetSocketAddress) channel.localAddress();
        flush = new DeferredFlush(channel);
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        DatagramPacket datagram = (DatagramPacket) msg;
        try {
            InetSocketAddress sender = datagram.sender();
            Allocation allocation = allocations.get(sender);
            ClientSocket client = allocation != null ? allocation.client : new UdpClient(sender);
            packets.onPacket(client, datagram.content());
        } finally {
            datagram.release();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // ICMP port unreachable and the like from a client: nothing to do on a shared socket.
    }

    /** Closes every allocation of this socket (it is closing). */
    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        for (Allocation a : new ArrayList<>(allocations.values())) {
            a.close("listener closed");
        }
        ctx.fireChannelInactive();
    }

    /** The path back to one UDP client through this listening socket. */
    private final class UdpClient implements ClientSocket {
        private final InetSocketAddress remote;
        /** This 5-tuple's allocation, kept here so the per-packet path needs no second map lookup. */
        private Allocation attached;

        UdpClient(InetSocketAddress remote) {
            this.remote = remote;
        }

        @Override
        public TurnTransport transport() {
            return TurnTransport.UDP;
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
            channel.write(new DatagramPacket(message, remote), channel.voidPromise());
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
            return false;
        }

        @Override
        public Allocation allocation() {
            return attached;
        }

        @Override
        public void attach(Allocation allocation) {
            attached = allocation;
            allocations.put(remote, allocation);
        }

        @Override
        public void detach(Allocation allocation) {
            if (attached == allocation) {
                attached = null;
            }
            allocations.remove(remote, allocation);
        }
    }
}
