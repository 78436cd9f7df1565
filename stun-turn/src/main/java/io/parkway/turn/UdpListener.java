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
 * (the listening socket fixes the server side, so the client address is the key), hands the datagram to
 * {@link ClientPackets}, and flushes the relay sockets written during a read batch once at its end.
 *
 * <p>Confined to the socket's event loop; every allocation of a UDP client lives on that loop too.
 */
final class UdpListener extends ChannelInboundHandlerAdapter {
    private final ClientPackets packets;
    private final Map<InetSocketAddress, Allocation> allocations = new HashMap<>();
    private final List<Allocation> toFlush = new ArrayList<>();
    private Channel channel;
    private InetSocketAddress local;

    UdpListener(ClientPackets packets) {
        this.packets = packets;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        channel = ctx.channel();
        local = (InetSocketAddress) channel.localAddress();
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        DatagramPacket datagram = (DatagramPacket) msg;
        try {
            InetSocketAddress sender = datagram.sender();
            Allocation allocation = allocations.get(sender);
            ClientSocket client = allocation != null ? allocation.client : new UdpClient(sender);
            Allocation written = packets.onPacket(client, datagram.content());
            if (written != null && !toFlush.contains(written)) {
                toFlush.add(written);
            }
        } finally {
            datagram.release();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        for (int i = 0; i < toFlush.size(); i++) {
            toFlush.get(i).flushRelay();
        }
        toFlush.clear();
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
            channel.flush();
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
            return allocations.get(remote);
        }

        @Override
        public void attach(Allocation allocation) {
            allocations.put(remote, allocation);
        }

        @Override
        public void detach(Allocation allocation) {
            allocations.remove(remote, allocation);
        }
    }
}
