package io.parkway.bench;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.concurrent.ScheduledFuture;
import io.parkway.stun.ChannelData;
import io.parkway.stun.StunAttribute;
import io.parkway.stun.StunClass;
import io.parkway.stun.StunMessage;
import io.parkway.stun.StunMethod;
import io.parkway.stun.StunParseException;
import io.parkway.stun.StunWriter;
import io.parkway.stun.TransactionId;
import io.parkway.turn.auth.LongTermKey;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One allocation of the load: its client socket (a UDP socket, or with {@code --tcp} a TCP connection carrying STUN
 * and ChannelData framed as in RFC 8656 section 12.5, https://datatracker.ietf.org/doc/html/rfc8656#section-12.5),
 * the request procedures (set-up, refresh, release), the paced sender and the receive path.
 *
 * <p>Confined to its channel's event loop: every method except the constructor runs there, so the counters and the
 * RTT histogram need no locks; {@link TurnLoad} reads them on that loop. Whoever reads a packet releases it
 * ({@link SimpleChannelInboundHandler} does, after {@link #channelRead0}); every buffer written is released by the
 * transport.
 */
final class LoadClient extends SimpleChannelInboundHandler<Object> {
    /** The one channel number each allocation binds (RFC 8656 section 12: 0x4000-0x4FFF). */
    static final int CHANNEL = 0x4000;
    /** LIFETIME asked for by refreshes (RFC 8656 section 7.2; servers cap it at their maximum). */
    static final long LIFETIME_SECONDS = 600;
    /**
     * Over UDP, RFC 8489 section 6.2.1: initial RTO 500 ms, doubled per retransmission, Rc = 7 transmissions; the
     * wait is capped at 4 s here, so a request gives up after 19.5 s instead of 39.5 s.
     */
    private static final long RETRANSMIT_MILLIS = 500;
    private static final long MAX_RTO_MILLIS = 4000;
    private static final int MAX_TRANSMISSIONS = 7;
    /** Over TCP there is no retransmission (RFC 8489 section 6.2.2); this bench gives up sooner than Ti = 39.5 s. */
    private static final long TCP_TIMEOUT_MILLIS = 10_000;
    private static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

    private final TurnLoad.Config config;
    private final String user;
    private final String password;
    private final InetSocketAddress server;
    private final InetSocketAddress peer;
    private final boolean tcp;
    private Channel channel;

    // Request procedures: a sequence of methods run one transaction at a time.
    private CompletableFuture<Void> procedure;
    private int[] steps;
    private int step;
    private int method = -1;
    private boolean releasing;
    private TransactionId transaction;
    private int transmissions;
    private String realm;
    private String nonce;
    private byte[] key;
    private boolean ready;
    private boolean allocated;
    private ScheduledFuture<?> refresher;
    long refreshes;
    long refreshErrors;
    String lastRefreshError;

    // Load
    private ScheduledFuture<?> pacer;
    private int pps;
    private int maxBurst;
    private long sendStart;
    private long due;
    private int seq;
    long sent;
    long received;
    long notOffered;
    long badPackets;
    Histogram rtt;
    private long lastTransit = -1;
    private long countFrom = System.nanoTime() - TimeUnit.DAYS.toNanos(1);
    double jitter;

    LoadClient(TurnLoad.Config config, String user, String password) {
        this.config = config;
        this.user = user;
        this.password = password;
        this.server = config.server();
        this.peer = config.peer();
        this.tcp = config.tcp();
    }

    boolean isReady() {
        return ready;
    }

    Channel channel() {
        return channel;
    }

    /** Allocate, CreatePermission and (unless Send indications are asked for) ChannelBind on {@code ch}. */
    void setUp(Channel ch, CompletableFuture<Void> done) {
        channel = ch;
        done.thenRun(() -> ready = true);
        run(config.sendIndications()
                ? new int[] {StunMethod.ALLOCATE, StunMethod.CREATE_PERMISSION}
                : new int[] {StunMethod.ALLOCATE, StunMethod.CREATE_PERMISSION, StunMethod.CHANNEL_BIND}, done);
    }

    /**
     * Refreshes the allocation (LIFETIME {@value #LIFETIME_SECONDS} s), the permission (300 s, RFC 8656 section 9)
     * and the channel binding (600 s, section 12) every {@code interval}, so an idle allocation never expires.
     */
    void startRefreshing(long intervalMillis) {
        if (!ready || refresher != null) {
            return;
        }
        refresher = channel.eventLoop().scheduleAtFixedRate(this::refresh, intervalMillis, intervalMillis,
                TimeUnit.MILLISECONDS);
    }

    void stopRefreshing() {
        if (refresher != null) {
            refresher.cancel(false);
            refresher = null;
        }
    }

    private void refresh() {
        if (procedure != null && !procedure.isDone()) {
            return; // the previous refresh is still retransmitting
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        done.whenComplete((v, e) -> {
            if (e == null) {
                refreshes++;
            } else {
                refreshErrors++;
                lastRefreshError = e.getMessage();
            }
        });
        run(config.sendIndications()
                ? new int[] {StunMethod.REFRESH, StunMethod.CREATE_PERMISSION}
                : new int[] {StunMethod.REFRESH, StunMethod.CREATE_PERMISSION, StunMethod.CHANNEL_BIND}, done);
    }

    /** Deletes the allocation: Refresh with LIFETIME 0 (RFC 8656 section 7.3), retransmitted until answered. */
    void release(CompletableFuture<Void> done) {
        stopRefreshing();
        stopSending();
        if (!allocated || !channel.isActive()) {
            done.complete(null);
            return;
        }
        ready = false;
        allocated = false; // even if no answer comes: the server's lifetime timer ends it then
        releasing = true;
        run(new int[] {StunMethod.REFRESH}, done);
    }

    private void run(int[] methods, CompletableFuture<Void> done) {
        procedure = done;
        steps = methods;
        step = 0;
        request(methods[0]);
    }

    private void request(int m) {
        method = m;
        transaction = TransactionId.random();
        transmissions = 0;
        transmit();
    }

    private void transmit() {
        transmissions++;
        ByteBuf out = channel.alloc().ioBuffer(256);
        StunWriter w = StunWriter.begin(out, method, StunClass.REQUEST, transaction);
        if (method == StunMethod.ALLOCATE) {
            w.uint32(StunAttribute.REQUESTED_TRANSPORT, 17L << 24); // UDP relay, whatever the client transport
        } else if (method == StunMethod.CREATE_PERMISSION) {
            w.address(StunAttribute.XOR_PEER_ADDRESS, peer);
        } else if (method == StunMethod.CHANNEL_BIND) {
            w.uint32(StunAttribute.CHANNEL_NUMBER, (long) CHANNEL << 16);
            w.address(StunAttribute.XOR_PEER_ADDRESS, peer);
        } else if (method == StunMethod.REFRESH) {
            w.uint32(StunAttribute.LIFETIME, releasing ? 0 : LIFETIME_SECONDS);
        }
        if (nonce != null) {
            w.string(StunAttribute.USERNAME, user).string(StunAttribute.REALM, realm)
                    .string(StunAttribute.NONCE, nonce).messageIntegrity(key);
        }
        w.fingerprint();
        send(out);
        channel.flush();
        TransactionId t = transaction;
        int n = transmissions;
        CompletableFuture<Void> p = procedure;
        channel.eventLoop().schedule(() -> {
            if (p.isDone() || !t.equals(transaction) || transmissions != n) {
                return;
            }
            if (tcp || n >= MAX_TRANSMISSIONS) {
                p.completeExceptionally(new SetupFailure(StunMethod.name(method) + " timeout"));
            } else {
                transmit();
            }
        }, tcp ? TCP_TIMEOUT_MILLIS : Math.min(RETRANSMIT_MILLIS << (n - 1), MAX_RTO_MILLIS), TimeUnit.MILLISECONDS);
    }

    /** Writes one STUN or ChannelData message without flushing. */
    private void send(ByteBuf message) {
        if (tcp) {
            channel.write(message, channel.voidPromise());
        } else {
            channel.write(new DatagramPacket(message, server), channel.voidPromise());
        }
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, Object msg) {
        // UDP: one datagram. TCP: one frame from StunFrameDecoder (ChannelData without its padding).
        ByteBuf buf = msg instanceof DatagramPacket p ? p.content() : (ByteBuf) msg;
        if (ChannelData.isChannelData(buf)) {
            int length = ChannelData.length(buf);
            if (buf.readableBytes() < ChannelData.HEADER_LENGTH + length || length < 12) {
                badPackets++;
                return;
            }
            arrived(buf, buf.readerIndex() + ChannelData.HEADER_LENGTH);
            return;
        }
        StunMessage m;
        try {
            m = StunMessage.decode(buf);
        } catch (StunParseException e) {
            badPackets++;
            return;
        }
        if (m.method() == StunMethod.DATA && m.messageClass() == StunClass.INDICATION) {
            int i = m.indexOf(StunAttribute.DATA);
            if (i < 0 || m.valueLength(i) < 12) {
                badPackets++;
                return;
            }
            arrived(buf, m.valueIndex(i));
            return;
        }
        if (transaction == null || procedure == null || procedure.isDone()
                || !m.transactionId().equals(transaction)) {
            return; // a late answer to a retransmission
        }
        onResponse(m);
    }

    private void onResponse(StunMessage m) {
        if (m.messageClass() == StunClass.ERROR_RESPONSE) {
            int code = m.errorCode();
            if ((code == 401 && nonce == null) || code == 438) {
                // RFC 8489 section 9.2.4: the first 401 brings realm and nonce; 438 a fresh nonce.
                nonce = m.string(StunAttribute.NONCE);
                if (code == 401) {
                    realm = m.string(StunAttribute.REALM);
                    key = LongTermKey.md5(user, realm, password);
                }
                request(method);
            } else if (code == 437 && releasing) {
                finishStep(); // a retransmitted release whose first transmission already deleted the allocation
            } else {
                // "after retransmission": the server may have served the first transmission (e.g. a 437 to a
                // retransmitted Allocate means it did not recognise the transaction, RFC 8656 section 7.2).
                transaction = null;
                procedure.completeExceptionally(new SetupFailure(StunMethod.name(method) + " " + code
                        + (transmissions > 1 ? " after retransmission" : "")));
            }
            return;
        }
        if (m.messageClass() == StunClass.SUCCESS_RESPONSE) {
            if (method == StunMethod.ALLOCATE) {
                allocated = true;
            }
            finishStep();
        }
    }

    private void finishStep() {
        if (++step < steps.length) {
            request(steps[step]);
        } else {
            transaction = null;
            procedure.complete(null);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        ready = false;
        allocated = false; // over TCP the server deletes the allocation with the connection (RFC 8656 section 7)
        stopSending();
        stopRefreshing();
        if (procedure != null && !procedure.isDone()) {
            procedure.completeExceptionally(new SetupFailure("connection closed during " + StunMethod.name(method)));
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        badPackets++;
        if (tcp) {
            ctx.close(); // a stream that lost its framing (StunFrameDecoder) cannot be resynchronised
        }
    }

    private void arrived(ByteBuf buf, int payloadIndex) {
        long now = System.nanoTime();
        long stamp = buf.getLong(payloadIndex);
        long transit = now - stamp;
        if (transit < 0 || transit > TimeUnit.SECONDS.toNanos(60)) {
            badPackets++;
            return;
        }
        if (stamp - countFrom < 0 || rtt == null) {
            return; // sent before the measured window (warm-up, or the previous step of a sweep)
        }
        received++;
        rtt.record(transit / 1000);
        if (lastTransit >= 0) {
            // RFC 3550 interarrival jitter estimate, in microseconds.
            jitter += (Math.abs(transit - lastTransit) / 1000.0 - jitter) / 16;
        }
        lastTransit = transit;
    }

    /**
     * Sends {@code packetsPerSecond} packets/s from now on, paced by a 5 ms timer, one flush per tick; a tick sends
     * at most two ticks' worth, so a late tick does not turn into a burst.
     */
    void startSending(int packetsPerSecond) {
        stopSending();
        if (!ready) {
            return;
        }
        if (rtt == null) {
            rtt = new Histogram();
        }
        pps = packetsPerSecond;
        // At most two ticks' worth per tick: a generator that stalled counts the packets as not offered instead of
        // bursting them into the server, where the burst's loss would be blamed on the server.
        maxBurst = (int) Math.max(2, (2 * packetsPerSecond * TICK_NANOS + 999_999_999) / 1_000_000_000L);
        sendStart = System.nanoTime();
        due = 0;
        pacer = channel.eventLoop().scheduleAtFixedRate(this::tick, 0, TICK_NANOS, TimeUnit.NANOSECONDS);
    }

    void stopSending() {
        if (pacer != null) {
            pacer.cancel(false);
            pacer = null;
        }
    }

    /** Starts the measured window: packets stamped before now are not counted when they come back. */
    void resetCounters() {
        countFrom = System.nanoTime();
        sent = 0;
        received = 0;
        notOffered = 0;
        badPackets = 0;
        lastTransit = -1;
        jitter = 0;
        if (rtt != null) {
            rtt.clear();
        }
    }

    private void tick() {
        long now = System.nanoTime();
        long target = (now - sendStart) * pps / 1_000_000_000L;
        int burst = 0;
        while (due < target && burst < maxBurst) {
            due++;
            burst++;
            if (!channel.isWritable()) {
                notOffered++;
                continue;
            }
            send(packet(now));
            sent++;
        }
        if (due < target) {
            // Fell behind (the loop was late or the burst cap was hit): do not burst to catch up; count the packets.
            notOffered += target - due;
            due = target;
        }
        if (burst > 0) {
            channel.flush();
        }
    }

    private ByteBuf packet(long now) {
        int size = config.payload();
        if (!config.sendIndications()) {
            // Over TCP the data is padded to a multiple of 4 (RFC 8656 section 12.5); over UDP it need not be.
            int padding = tcp ? ChannelData.paddedLength(size) - size : 0;
            ByteBuf out = channel.alloc().directBuffer(ChannelData.HEADER_LENGTH + size + padding);
            ChannelData.writeHeader(out, CHANNEL, size);
            writePayload(out, now, size);
            out.writeZero(padding);
            return out;
        }
        ByteBuf payload = channel.alloc().heapBuffer(size);
        writePayload(payload, now, size);
        ByteBuf out = channel.alloc().directBuffer(64 + size);
        try {
            StunWriter.begin(out, StunMethod.SEND, StunClass.INDICATION, TransactionId.random())
                    .address(StunAttribute.XOR_PEER_ADDRESS, peer).bytes(StunAttribute.DATA, payload);
        } catch (RuntimeException e) {
            out.release();
            throw e;
        } finally {
            payload.release();
        }
        return out;
    }

    private void writePayload(ByteBuf out, long now, int size) {
        out.writeLong(now);
        out.writeInt(seq++);
        out.writeZero(size - 12);
    }

    /** A request procedure that failed: the method and the error code (or "timeout"), e.g. "allocate 508". */
    static final class SetupFailure extends Exception {
        SetupFailure(String message) {
            super(message, null, false, false);
        }
    }
}
