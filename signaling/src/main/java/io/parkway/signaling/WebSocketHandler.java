package io.parkway.signaling;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One WebSocket after the handshake: enforces the size limit ({@code too-large}, then close 1009) and the message
 * rate ({@code rate-limited}), parses each text frame ({@code bad-message} on failure; the socket stays open) and
 * hands the message to the room loop. Frames are released by {@link SimpleChannelInboundHandler}.
 */
final class WebSocketHandler extends SimpleChannelInboundHandler<WebSocketFrame> {

    private static final Logger logger = LoggerFactory.getLogger(WebSocketHandler.class);

    private final WebSocketServerHandshaker handshaker;
    private final Connection connection;
    private final Hub hub;
    private final Counters counters;
    private final int maxMessageBytes;
    private final int maxMessagesPerSecond;
    private boolean open;

    WebSocketHandler(WebSocketServerHandshaker handshaker, Connection connection, Hub hub, Counters counters,
            int maxMessageBytes, int maxMessagesPerSecond) {
        this.handshaker = handshaker;
        this.connection = connection;
        this.hub = hub;
        this.counters = counters;
        this.maxMessageBytes = maxMessageBytes;
        this.maxMessagesPerSecond = maxMessagesPerSecond;
    }

    /** The handshake response was written. Channel loop. */
    void opened() {
        if (connection.isOpen() && !open) {
            open = true;
            counters.connections.incrementAndGet();
        }
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
        if (frame instanceof CloseWebSocketFrame close) {
            handshaker.close(ctx.channel(), close.retain());
            return;
        }
        if (frame instanceof PingWebSocketFrame) {
            ctx.writeAndFlush(new PongWebSocketFrame(frame.content().retain()), ctx.voidPromise());
            return;
        }
        if (frame instanceof PongWebSocketFrame) {
            return;
        }
        if (!connection.rateLimiter.tryAcquire(System.nanoTime())) {
            connection.sendError(ErrorCode.RATE_LIMITED, "messages: over " + maxMessagesPerSecond
                    + " per second (expected: at most " + maxMessagesPerSecond + "; this one was dropped)", null);
            return;
        }
        if (!(frame instanceof TextWebSocketFrame text)) {
            counters.message(null);
            connection.sendError(ErrorCode.BAD_MESSAGE, "frame: binary (expected: text frames of JSON)", null);
            return;
        }
        JsonNode node = null;
        ClientMessage message;
        try {
            node = SignalingMessages.read(text.text());
            message = SignalingMessages.parse(node);
        } catch (SignalingException e) {
            String ref = SignalingMessages.typeOf(node);
            counters.message(ref);
            connection.sendError(e.code(), e.getMessage(), ref);
            return;
        }
        counters.message(message.type());
        hub.execute(() -> hub.onMessage(connection, message));
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        // The hub hears of the close before the gauge drops: whoever sees the gauge lower knows that anything it
        // sends next reaches the hub after the close (tests rely on it, and so may operators' scripts).
        hub.execute(() -> hub.onClose(connection));
        if (open) {
            open = false;
            counters.connections.decrementAndGet();
        }
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof TooLongFrameException || cause instanceof CorruptedWebSocketFrameException corrupted
                && corrupted.closeStatus().code() == WebSocketCloseStatus.MESSAGE_TOO_BIG.code()) {
            connection.sendError(ErrorCode.TOO_LARGE,
                    "message: over " + maxMessageBytes + " bytes (expected: at most " + maxMessageBytes + ")", null);
            connection.close(WebSocketCloseStatus.MESSAGE_TOO_BIG.code(), "message too big");
        } else if (cause instanceof CorruptedWebSocketFrameException corrupted) {
            connection.close(corrupted.closeStatus().code(), corrupted.closeStatus().reasonText());
        } else {
            logger.debug("WebSocket from {} failed", ctx.channel().remoteAddress(), cause);
            ctx.close();
        }
    }
}
