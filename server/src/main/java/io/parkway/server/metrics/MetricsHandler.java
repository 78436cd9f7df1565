package io.parkway.server.metrics;

import static io.netty.handler.codec.http.HttpResponseStatus.BAD_REQUEST;
import static io.netty.handler.codec.http.HttpResponseStatus.INTERNAL_SERVER_ERROR;
import static io.netty.handler.codec.http.HttpResponseStatus.METHOD_NOT_ALLOWED;
import static io.netty.handler.codec.http.HttpResponseStatus.NOT_FOUND;
import static io.netty.handler.codec.http.HttpResponseStatus.OK;
import static io.netty.handler.codec.http.HttpResponseStatus.SERVICE_UNAVAILABLE;
import static io.netty.handler.codec.http.HttpVersion.HTTP_1_1;
import static java.nio.charset.StandardCharsets.UTF_8;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.timeout.IdleStateEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers {@code GET} and {@code HEAD} on {@code /metrics} (the scrape, in the format the {@code Accept} header asks
 * for), {@code /healthz} (200 {@code ok} while the process runs) and {@code /readyz} (200 {@code ready} or 503
 * {@code not ready}); 404 for other paths and 405 for other methods. Shared by the connections of one
 * {@link MetricsServer}, whose single event loop runs it.
 */
@Sharable
final class MetricsHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    private static final Logger logger = LoggerFactory.getLogger(MetricsHandler.class);

    static final String PLAIN_TEXT = "text/plain; charset=utf-8";
    private static final String PATHS = "/metrics, /healthz or /readyz";

    private final ParkwayMetrics metrics;
    /** The size of the last scrape, so the next one allocates its buffer once. */
    private volatile int lastScrapeBytes = 16 * 1024;

    MetricsHandler(ParkwayMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        if (request.decoderResult().isFailure()) {
            send(ctx, request, text(BAD_REQUEST, "request: " + request.decoderResult().cause().getMessage()
                    + " (expected: an HTTP/1.1 request)"), true);
            return;
        }
        HttpMethod method = request.method();
        String path = new QueryStringDecoder(request.uri()).path();
        boolean known = path.equals("/metrics") || path.equals("/healthz") || path.equals("/readyz");
        if (!known) {
            send(ctx, request, text(NOT_FOUND, "path: " + path + " (expected: " + PATHS + ")"), false);
        } else if (!method.equals(HttpMethod.GET) && !method.equals(HttpMethod.HEAD)) {
            FullHttpResponse r = text(METHOD_NOT_ALLOWED, "method: " + method + " (expected: GET or HEAD)");
            r.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD");
            send(ctx, request, r, false);
        } else if (path.equals("/metrics")) {
            send(ctx, request, scrape(ctx, request.headers().get(HttpHeaderNames.ACCEPT)), false);
        } else if (path.equals("/healthz")) {
            send(ctx, request, text(OK, "ok"), false);
        } else if (metrics.ready()) {
            send(ctx, request, text(OK, "ready"), false);
        } else {
            send(ctx, request, text(SERVICE_UNAVAILABLE, "not ready"), false);
        }
    }

    private FullHttpResponse scrape(ChannelHandlerContext ctx, String accept) {
        String contentType = ParkwayMetrics.contentType(accept);
        ByteBuf body = ctx.alloc().buffer(lastScrapeBytes);
        try (ByteBufOutputStream out = new ByteBufOutputStream(body)) {
            metrics.scrape(out, contentType);
        } catch (Exception | LinkageError e) {
            body.release();
            logger.warn("scrape failed", e);
            return text(INTERNAL_SERVER_ERROR, "scrape: " + e + " (expected: a scrape without failure; see the log)");
        }
        lastScrapeBytes = Math.max(1024, body.readableBytes() + body.readableBytes() / 8);
        FullHttpResponse r = new DefaultFullHttpResponse(HTTP_1_1, OK, body);
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        return r;
    }

    private static FullHttpResponse text(HttpResponseStatus status, String body) {
        FullHttpResponse r = new DefaultFullHttpResponse(HTTP_1_1, status,
                Unpooled.copiedBuffer(body, UTF_8));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, PLAIN_TEXT);
        return r;
    }

    /**
     * Writes {@code response} (releasing it), with its Content-Length; a HEAD request gets the headers only. Closes
     * after writing when {@code close} or the request asks to.
     */
    private static void send(ChannelHandlerContext ctx, FullHttpRequest request, FullHttpResponse response,
            boolean close) {
        HttpUtil.setContentLength(response, response.content().readableBytes());
        response.headers().set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE);
        if (request.method().equals(HttpMethod.HEAD)) {
            response.content().clear(); // the length stays that of the GET body (RFC 9110 section 9.3.2)
        }
        boolean keepAlive = !close && HttpUtil.isKeepAlive(request);
        HttpUtil.setKeepAlive(response, keepAlive);
        if (keepAlive) {
            ctx.writeAndFlush(response);
        } else {
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }

    /** Closes connections left idle by {@link MetricsServer}'s idle timeout. */
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof IdleStateEvent) {
            ctx.close();
        } else {
            super.userEventTriggered(ctx, evt);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        logger.debug("metrics connection {} failed", ctx.channel().remoteAddress(), cause);
        ctx.close();
    }
}
