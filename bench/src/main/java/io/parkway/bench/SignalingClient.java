package io.parkway.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler.ClientHandshakeStateEvent;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.concurrent.EventExecutor;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One signaling session of the load: a WebSocket that joins {@code room} as its speaker or as a listener and then
 * plays its part in offer/answer/candidate exchanges through the server's relay (docs/signaling-protocol.md):
 * <ol>
 * <li>the speaker, paced by its loop's {@link SignalingPacer}, sends an {@code offer} to its listeners in turn;</li>
 * <li>the listener answers the offer's {@code from} with an {@code answer} and a {@code candidate};</li>
 * <li>the speaker answers each {@code answer} with a {@code candidate}.</li>
 * </ol>
 * Four relayed messages per exchange, two sent by each side. Every message carries its send time
 * ({@link SignalingPayloads}); the receiver records the one-way relay latency.
 *
 * <p>Everything but the constructor runs on the channel's event loop, so the fields need no locks. Buffers: each
 * outgoing JSON text is encoded into a buffer from the channel's allocator and handed to the channel inside a
 * {@link TextWebSocketFrame}; the channel releases it once written (or when the write fails). Received frames are
 * read in place and released by {@link SimpleChannelInboundHandler} after {@link #channelRead0}.
 */
final class SignalingClient extends SimpleChannelInboundHandler<WebSocketFrame> {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Most offers one tick sends; beyond that the pacer has fallen behind and skips. */
    private static final int MAX_BURST = 64;

    private enum State { CONNECTING, JOINING, JOINED, CLOSED }

    final String room;
    final boolean speaker;
    /** Speaker only: offers per second, spread over the room's listeners in turn. */
    private final double offersPerSecond;
    private final SignalingCounters counters;
    private final CountDownLatch settled;
    /** Set when the handler is added to the channel's pipeline, on its event loop. */
    private Channel channel;

    private State state = State.CONNECTING;
    private boolean hasSettled;
    /** Closing on purpose (end of the run): a close is not a failure. */
    private boolean closing;
    private boolean dropped;
    /** When the connection attempt started; set before the attempt, on the thread that makes it. */
    long attemptNanos;
    /** When the TCP connection was up, the WebSocket handshake done and the welcome in; 0 before. */
    long activeNanos;
    long upgradedNanos;
    long joinedNanos;
    private final List<String> listeners = new ArrayList<>();
    private int nextListener;
    private boolean unflushed;
    private boolean pacing;
    private long paceStart;
    private long offersDue;
    long offersSkipped;
    /** The event loop's latency histogram, shared by the sessions on that loop. */
    private Histogram latencyMicros;

    SignalingClient(String room, boolean speaker, double offersPerSecond, SignalingCounters counters,
            CountDownLatch settled) {
        this.room = room;
        this.speaker = speaker;
        this.offersPerSecond = offersPerSecond;
        this.counters = counters;
        this.settled = settled;
    }

    /** The event loop of this session's channel. */
    EventExecutor eventLoop() {
        return channel.eventLoop();
    }

    /** Got its welcome (and may have dropped since). */
    boolean isJoined() {
        return joinedNanos != 0;
    }

    /** Joined and still connected. */
    boolean isHeld() {
        return state == State.JOINED && !dropped && channel != null && channel.isActive();
    }

    /** The connection attempt failed before a channel handler saw anything. */
    void connectFailed(Throwable cause) {
        fail("connect: " + describe(cause));
    }

    /** Gives up waiting for the welcome. */
    void timedOut(long seconds) {
        if (!hasSettled) {
            fail("join: no welcome within " + seconds + " s (state " + state.name().toLowerCase(Locale.ROOT) + ")");
            if (channel != null) {
                closing = true;
                channel.close();
            }
        }
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        channel = ctx.channel();
        latencyMicros = counters.latencyOf(channel.eventLoop());
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        activeNanos = System.nanoTime();
        super.channelActive(ctx);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
        if (event == ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
            upgradedNanos = System.nanoTime();
            state = State.JOINING;
            send(SignalingPayloads.join(room, speaker ? "speaker" : "listener"), SignalingPayloads.NO_STAMP);
            ctx.flush();
            unflushed = false;
        } else if (event == ClientHandshakeStateEvent.HANDSHAKE_TIMEOUT) {
            fail("handshake: timed out");
            closing = true;
            ctx.close();
        }
        super.userEventTriggered(ctx, event);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
        if (frame instanceof CloseWebSocketFrame close) {
            String reason = "closed by server: " + close.statusCode() + " " + close.reasonText();
            if (state == State.JOINED) {
                dropped = true;
                counters.failure(reason);
            } else {
                fail(reason);
            }
            closing = true;
            ctx.close();
            return;
        }
        if (!(frame instanceof TextWebSocketFrame)) {
            return;
        }
        JsonNode message;
        try {
            message = JSON.readTree(new ByteBufInputStream(frame.content()));
        } catch (IOException e) {
            counters.failure("server sent a frame that is not JSON");
            return;
        }
        onMessage(message);
    }

    private void onMessage(JsonNode m) {
        switch (m.path("type").asText()) {
            case "welcome" -> {
                if (hasSettled) {
                    return; // too late: already counted as failed (timed out) and being closed
                }
                state = State.JOINED;
                joinedNanos = System.nanoTime();
                settle();
            }
            case "peer-joined" -> {
                if (speaker) {
                    listeners.add(m.path("peerId").asText());
                }
            }
            case "peer-left" -> {
                if (speaker) {
                    listeners.remove(m.path("peerId").asText());
                }
            }
            case "offer" -> {
                arrived(SignalingPayloads.sdpStamp(m.path("sdp").asText()));
                String from = m.path("from").asText();
                long now = System.nanoTime();
                send(SignalingPayloads.answer(from, now), now);
                send(SignalingPayloads.candidate(from, now), now);
            }
            case "answer" -> {
                arrived(SignalingPayloads.sdpStamp(m.path("sdp").asText()));
                long now = System.nanoTime();
                send(SignalingPayloads.candidate(m.path("from").asText(), now), now);
            }
            case "candidate" ->
                    arrived(SignalingPayloads.candidateStamp(m.path("candidate").path("candidate").asText()));
            case "error" -> {
                String code = m.path("code").asText();
                if (state == State.JOINING) {
                    fail("join: " + code);
                    closing = true;
                    channel.close();
                } else {
                    counters.failure("error: " + code + " (ref " + m.path("ref").asText("-") + ")");
                }
            }
            default -> {
                // listeners, speaker, media, credentials, pong: nothing to do for the load.
            }
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (unflushed) {
            unflushed = false;
            ctx.flush();
        }
        ctx.fireChannelReadComplete();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (state == State.JOINED) {
            dropped = true;
            counters.failure("dropped: " + describe(cause));
        } else {
            fail((state == State.CONNECTING ? "handshake: " : "join: ") + describe(cause));
        }
        closing = true;
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        pacing = false;
        if (!closing) {
            if (state == State.JOINED) {
                dropped = true;
                counters.failure("dropped: connection closed by the server");
            } else {
                fail("closed by the server before the welcome");
            }
        }
        state = State.CLOSED;
        super.channelInactive(ctx);
    }

    /**
     * Starts the offers of a joined speaker; false for listeners and speakers that do not offer. The first offer comes
     * at a random point of the first interval ({@code 1 / offersPerSecond}), so that speakers started together do not
     * offer in step: in step, 200 speakers at 0.5 offers/s would send their offers in one burst every 2 s, and the
     * queue that burst makes in the server would be measured as relay latency. Its loop ({@link SignalingPacer}).
     */
    boolean startPacing(long now) {
        if (!speaker || offersPerSecond <= 0 || state != State.JOINED) {
            return false;
        }
        paceStart = now + (long) (ThreadLocalRandom.current().nextDouble() * 1e9 / offersPerSecond);
        offersDue = 0;
        pacing = true;
        return true;
    }

    /** Sends the offers due by {@code now}, to the room's listeners in turn, and flushes them. Its loop. */
    void pace(long now) {
        if (!pacing || state != State.JOINED) {
            return;
        }
        if (now - paceStart < 0) {
            return; // before this speaker's first offer
        }
        long target = 1 + (long) ((now - paceStart) * offersPerSecond / 1e9);
        int burst = 0;
        while (offersDue < target && burst < MAX_BURST) {
            offersDue++;
            if (listeners.isEmpty()) {
                offersSkipped++;
                continue;
            }
            burst++;
            String to = listeners.get(nextListener++ % listeners.size());
            long sent = System.nanoTime();
            send(SignalingPayloads.offer(to, sent), sent);
        }
        if (offersDue < target) {
            offersSkipped += target - offersDue; // fell behind: no catching up in bursts
            offersDue = target;
        }
        if (unflushed) {
            unflushed = false;
            channel.flush();
        }
    }

    /** Ends the session on purpose (end of the run). */
    void close() {
        closing = true;
        pacing = false;
        if (channel != null) {
            channel.close();
        }
    }

    /**
     * Writes {@code json} as one text frame, without flushing ({@link #channelReadComplete} or the pacer flush), and
     * counts it as sent when {@code stamp} (the send time inside a relayed message, or {@link
     * SignalingPayloads#NO_STAMP}) is in the window. The buffer is allocated here and owned by the channel from the
     * write on.
     */
    private void send(String json, long stamp) {
        if (stamp != SignalingPayloads.NO_STAMP && counters.inWindow(stamp)) {
            counters.sent.increment();
        }
        channel.write(new TextWebSocketFrame(ByteBufUtil.writeUtf8(channel.alloc(), json)), channel.voidPromise());
        unflushed = true;
    }

    private void arrived(long stamp) {
        if (stamp == SignalingPayloads.NO_STAMP) {
            counters.unstamped.increment();
            return;
        }
        if (!counters.inWindow(stamp)) {
            return; // sent outside the measured window (warm-up, drain)
        }
        counters.received.increment();
        latencyMicros.record((System.nanoTime() - stamp) / 1000);
    }

    private void fail(String reason) {
        if (hasSettled) {
            return;
        }
        counters.failure(reason);
        settle();
    }

    private void settle() {
        if (!hasSettled) {
            hasSettled = true;
            settled.countDown();
        }
    }

    private static String describe(Throwable cause) {
        String message = cause.getMessage();
        // Connection errors name the address and port; keep the reason short and countable.
        return cause.getClass().getSimpleName() + (message == null ? "" : ": " + message.replaceAll(
                "(/?[0-9.]+|\\[[0-9a-f:]+\\]):[0-9]+", "ADDRESS"));
    }
}
