package io.parkway.turn;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import java.net.InetSocketAddress;

/**
 * The path from the server back to one client: the server side of the 5-tuple (RFC 8656 section 2). Over UDP it is
 * the listener socket plus the client's address; over TCP, the connection. Confined to {@link #eventLoop()}.
 */
interface ClientSocket {

    TurnTransport transport();

    /** The client's address as the server sees it (its server-reflexive address). */
    InetSocketAddress remoteAddress();

    /** The server's address of this 5-tuple. */
    InetSocketAddress localAddress();

    EventLoop eventLoop();

    ByteBufAllocator alloc();

    /** Queues one STUN or ChannelData message. <b>Takes ownership of {@code message}</b>; does not flush. */
    void write(ByteBuf message);

    /**
     * Flushes what was written, at the end of the current event-loop iteration ({@link DeferredFlush}): every
     * message queued for this client while the loop handles one batch of ready sockets leaves in one batch.
     */
    void flush();

    /** False once a TCP connection closed; always true for UDP. */
    boolean isActive();

    /** Whether ChannelData to this client is padded to a multiple of 4 bytes (TCP and TLS, RFC 8656 section 12.5). */
    boolean padsChannelData();

    /** The allocation of this 5-tuple, or null. */
    Allocation allocation();

    void attach(Allocation allocation);

    void detach(Allocation allocation);
}
