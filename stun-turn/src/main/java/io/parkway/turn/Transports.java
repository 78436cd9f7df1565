package io.parkway.turn;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.ChannelOption;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.util.Locale;

/**
 * The I/O transport of the TURN server's event loops (Netty 4.2 {@code IoHandler} factories): native epoll when the
 * platform has it, NIO otherwise; the system property {@code parkway.io=nio} forces NIO.
 *
 * <p>io_uring (Netty's {@code netty-transport-native-io_uring} 4.2.18) was tried as a third choice and removed: at the
 * reference load of BENCHMARKS.md it cost 20.3-21.4 µs of CPU per relayed packet against epoll's 13.4-14.4 µs in the
 * same alternating runs, with more loss.
 */
final class Transports {
    enum Kind { EPOLL, NIO }

    static final Kind KIND = choose(System.getProperty("parkway.io", ""));
    static final boolean EPOLL = KIND == Kind.EPOLL;
    /**
     * The largest datagram read from a client or a peer, in bytes; longer ones arrive truncated and fail to parse
     * (client side) or are relayed cut (peer side). 2048 holds any datagram of a 1500-byte MTU path.
     */
    static final int MAX_DATAGRAM = 2048;
    /** Shared by every relay socket (each channel keeps only its own small handle). */
    private static final RecvByteBufAllocator RELAY_RECEIVE =
            new FixedRecvByteBufAllocator(MAX_DATAGRAM).maxMessagesPerRead(1);
    /** Datagrams read by one {@code recvmmsg} on a listening socket, which carries all clients' traffic. */
    static final int LISTENER_BATCH = 32;

    private Transports() {
    }

    static Kind choose(String wanted) {
        if ("nio".equals(wanted.toLowerCase(Locale.ROOT))) {
            return Kind.NIO;
        }
        return Epoll.isAvailable() ? Kind.EPOLL : Kind.NIO;
    }

    static IoHandlerFactory ioHandlerFactory() {
        switch (KIND) {
            case EPOLL: return EpollIoHandler.newFactory();
            default: return NioIoHandler.newFactory();
        }
    }

    static Class<? extends DatagramChannel> datagramChannel() {
        switch (KIND) {
            case EPOLL: return EpollDatagramChannel.class;
            default: return NioDatagramChannel.class;
        }
    }

    static Class<? extends ServerChannel> serverChannel() {
        switch (KIND) {
            case EPOLL: return EpollServerSocketChannel.class;
            default: return NioServerSocketChannel.class;
        }
    }

    /**
     * Options of a listening UDP socket: pooled buffers, and with epoll {@code recvmmsg} into one pooled buffer of
     * {@link #LISTENER_BATCH} slots; each datagram is handed on as a slice of it.
     */
    static Bootstrap listenerOptions(Bootstrap bootstrap) {
        bootstrap.option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT);
        if (KIND == Kind.EPOLL) {
            bootstrap.option(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, MAX_DATAGRAM)
                    .option(ChannelOption.RCVBUF_ALLOCATOR,
                            new FixedRecvByteBufAllocator(MAX_DATAGRAM * LISTENER_BATCH));
        }
        return bootstrap;
    }

    /**
     * Options of a relay socket: pooled buffers, and one {@code recvmsg} per wake-up. A relay socket carries one
     * allocation (a few hundred packets/s at most), so a wake-up almost always finds one datagram; Netty's datagram
     * read loop would otherwise read again until {@code EAGAIN}, one wasted system call per packet. Netty 4.2's
     * epoll channels are level-triggered, so a datagram left queued is reported by the next {@code epoll_wait}, which
     * serves every socket of the loop at once. ({@code recvmmsg} is not used here: Netty's native {@code recvmmsg}
     * also asks {@code getsockopt(IP_ORIGDSTADDR)} per call, which only pays off over a batch, as on a listener.)
     */
    static Bootstrap relayOptions(Bootstrap bootstrap) {
        return bootstrap.option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                .option(ChannelOption.RCVBUF_ALLOCATOR, RELAY_RECEIVE);
    }

    static String name() {
        return KIND.name().toLowerCase(Locale.ROOT);
    }
}
