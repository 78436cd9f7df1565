package io.parkway.signaling;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;

/**
 * One open WebSocket. Written to from the channel's own event loop (errors found while decoding) and from the room
 * loop (everything else); Netty orders writes from other threads onto the channel's loop.
 */
final class Connection {

    /** Close code sent to a socket whose session was resumed on another socket; clients must not reconnect. */
    static final int CLOSE_RESUMED_ELSEWHERE = 4000;

    final Channel channel;
    final RateLimiter rateLimiter;
    private final Counters counters;
    /** The session joined over this socket, or null. Room loop only. */
    Session session;

    Connection(Channel channel, RateLimiter rateLimiter, Counters counters) {
        this.channel = channel;
        this.rateLimiter = rateLimiter;
        this.counters = counters;
    }

    void send(String json) {
        channel.writeAndFlush(new TextWebSocketFrame(json), channel.voidPromise());
    }

    void sendError(ErrorCode code, String message, String ref) {
        counters.error(code);
        send(ServerMessages.error(code, message, ref));
    }

    /** Sends a close frame with {@code code} and closes the socket once it is written. */
    void close(int code, String reason) {
        channel.writeAndFlush(new CloseWebSocketFrame(code, reason)).addListener(ChannelFutureListener.CLOSE);
    }

    boolean isOpen() {
        return channel.isActive();
    }
}
