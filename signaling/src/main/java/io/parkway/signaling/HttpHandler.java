package io.parkway.signaling;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import io.netty.handler.ssl.SslHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes one HTTP request: {@code /ws} (WebSocket handshake, after the Origin check; this handler is then replaced by
 * a {@link WebSocketHandler}), {@code /api/...} ({@link HttpApi}) or a static file ({@link StaticFiles}). A connection
 * over the per-IP limit gets 429. One instance per connection.
 */
final class HttpHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    private static final Logger logger = LoggerFactory.getLogger(HttpHandler.class);

    static final String WEBSOCKET_PATH = "/ws";

    private final DefaultSignalingServer server;

    HttpHandler(DefaultSignalingServer server) {
        this.server = server;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        if (!request.decoderResult().isSuccess()) {
            HttpResponses.send(ctx, false, HttpResponses.text(HttpResponseStatus.BAD_REQUEST, "bad request"));
            return;
        }
        if (ConnectionLimits.isOverLimit(ctx)) {
            HttpResponses.send(ctx, false, HttpResponses.text(HttpResponseStatus.TOO_MANY_REQUESTS,
                    "connections from this address: over " + server.limits.maxPerIp()
                            + " (expected: at most " + server.limits.maxPerIp() + ")"));
            return;
        }
        QueryStringDecoder query;
        String path;
        try {
            query = new QueryStringDecoder(request.uri());
            path = query.path();
        } catch (IllegalArgumentException e) {
            HttpResponses.send(ctx, false, HttpResponses.text(HttpResponseStatus.BAD_REQUEST,
                    "uri: malformed (expected: a valid percent-encoded path)"));
            return;
        }
        String origin = request.headers().get(HttpHeaderNames.ORIGIN);
        if ((path.equals(WEBSOCKET_PATH) || path.startsWith("/api/")) && !server.origins.allows(origin)) {
            HttpResponses.send(ctx, keepAlive, HttpResponses.text(HttpResponseStatus.FORBIDDEN,
                    "origin: " + SignalingMessages.abbreviate(origin) + " (expected: one of signaling.allowed-origins)"));
            return;
        }
        if (path.equals(WEBSOCKET_PATH)) {
            upgrade(ctx, request);
        } else if (path.startsWith("/api/")) {
            server.api.handle(ctx, request, query, origin);
        } else {
            staticFile(ctx, request, path, keepAlive);
        }
    }

    private void upgrade(ChannelHandlerContext ctx, FullHttpRequest request) {
        if (!request.method().equals(HttpMethod.GET)
                || !request.headers().containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true)) {
            HttpResponses.send(ctx, false, HttpResponses.text(HttpResponseStatus.BAD_REQUEST,
                    "request: " + request.method() + " without Upgrade: websocket (expected: a WebSocket handshake)"));
            return;
        }
        int maxBytes = server.options.maxMessageBytes;
        WebSocketDecoderConfig decoderConfig = WebSocketDecoderConfig.newBuilder()
                .maxFramePayloadLength(maxBytes)
                // Oversized frames reach WebSocketHandler as an exception: it answers too-large, then closes 1009.
                .closeOnProtocolViolation(false)
                .allowExtensions(false)
                .build();
        String scheme = ctx.pipeline().get(SslHandler.class) != null ? "wss" : "ws";
        String url = scheme + "://" + request.headers().get(HttpHeaderNames.HOST, "localhost") + WEBSOCKET_PATH;
        WebSocketServerHandshaker handshaker =
                new WebSocketServerHandshakerFactory(url, null, decoderConfig).newHandshaker(request);
        if (handshaker == null) {
            WebSocketServerHandshakerFactory.sendUnsupportedVersionResponse(ctx.channel());
            return;
        }
        Connection connection = new Connection(ctx.channel(),
                new RateLimiter(server.options.maxMessagesPerSecond, System.nanoTime()), server.counters);
        WebSocketHandler webSocket = new WebSocketHandler(handshaker, connection, server.hub, server.counters, maxBytes,
                server.options.maxMessagesPerSecond);
        ChannelPipeline pipeline = ctx.pipeline();
        pipeline.replace(this, "websocket", webSocket);
        pipeline.addBefore("websocket", "websocket-aggregator", new WebSocketFrameAggregator(maxBytes));
        handshaker.handshake(ctx.channel(), request).addListener(future -> {
            if (future.isSuccess()) {
                webSocket.opened();
            } else {
                logger.debug("WebSocket handshake with {} failed", ctx.channel().remoteAddress(), future.cause());
                ctx.channel().close();
            }
        });
    }

    private void staticFile(ChannelHandlerContext ctx, FullHttpRequest request, String path, boolean keepAlive) {
        boolean head = request.method().equals(HttpMethod.HEAD);
        if (!head && !request.method().equals(HttpMethod.GET)) {
            FullHttpResponse response = HttpResponses.text(HttpResponseStatus.METHOD_NOT_ALLOWED,
                    "method: " + request.method() + " (expected: GET or HEAD)");
            response.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD");
            HttpResponses.send(ctx, keepAlive, response);
            return;
        }
        StaticFiles.File file = server.files.find(path);
        if (file == null) {
            HttpResponses.send(ctx, keepAlive, HttpResponses.text(HttpResponseStatus.NOT_FOUND,
                    "not found: " + SignalingMessages.abbreviate(path)));
            return;
        }
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(file.content()));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, file.contentType());
        response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, file.content().length);
        response.headers().set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_CACHE);
        response.headers().set("X-Content-Type-Options", "nosniff");
        HttpResponses.send(ctx, keepAlive, response);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        logger.debug("HTTP connection from {} failed", ctx.channel().remoteAddress(), cause);
        ctx.close();
    }
}
