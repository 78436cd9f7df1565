package io.parkway.turn;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.concurrent.ScheduledFuture;
import io.parkway.stun.ChannelData;
import io.parkway.stun.StunAddress;
import io.parkway.stun.StunAttribute;
import io.parkway.stun.StunMessage;
import io.parkway.stun.StunMethod;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One TURN allocation (RFC 8656 section 2.2, https://datatracker.ietf.org/doc/html/rfc8656#section-2.2): the relayed
 * transport address and its UDP socket, the client's 5-tuple, the permissions and channel bindings, and the lifetime.
 *
 * <p>Everything here is confined to one event loop: the client's and the relay socket's, which are the same. The
 * packet paths take no locks and allocate nothing but the outgoing datagram envelope (client → peer: a retained
 * slice of the client's buffer; peer → client: one pooled buffer).
 */
final class Allocation {
    private static final Logger logger = LoggerFactory.getLogger(Allocation.class);
    /** How often expired permissions and channels are swept, so the active gauges stay true. */
    static final long HOUSEKEEPING_SECONDS = 60;

    final TurnServerContext server;
    final ClientSocket client;
    final Channel relay;
    /** The relayed transport address as advertised (external address when configured). */
    final InetSocketAddress relayedAddress;
    final Credential credential;
    final io.parkway.stun.TransactionId allocateTransaction;
    final PermissionTable permissions;
    final ChannelTable channels;
    /** The client transport's ordinal, the index of the per-transport relay counters. */
    private final int transport;
    private final long createdAtNanos = System.nanoTime();
    /**
     * The allocation's one timer: it fires at the lifetime's end or at the next housekeeping sweep, whichever comes
     * first (one scheduled task per allocation, none per packet, permission or channel).
     */
    private ScheduledFuture<?> timer;
    private final Runnable onTimer = this::onTimer;
    private long expiresAtNanos;
    private long nextSweepNanos = createdAtNanos + TimeUnit.SECONDS.toNanos(HOUSEKEEPING_SECONDS);
    /** The lifetime granted by the last Allocate or Refresh, in seconds. */
    long lifetimeSeconds;
    /** The RESERVATION-TOKEN handed out with this allocation (EVEN-PORT R=1), or 0. */
    long reservationToken;
    /** Flushes the relay socket once per event-loop iteration (all datagrams to peers written in it). */
    private final DeferredFlush relayFlush;
    private boolean closed;
    /** The last peer of a Send indication, created on the first one. */
    private SendPeer sendPeer;
    long packetsToPeer;
    long bytesToPeer;
    long packetsToClient;
    long bytesToClient;

    Allocation(TurnServerContext server, ClientSocket client, Channel relay, InetSocketAddress relayedAddress,
            Credential credential, io.parkway.stun.TransactionId allocateTransaction) {
        this.server = server;
        this.client = client;
        this.relay = relay;
        this.relayedAddress = relayedAddress;
        this.credential = credential;
        this.allocateTransaction = allocateTransaction;
        this.transport = client.transport().ordinal();
        this.permissions = new PermissionTable(server.stats.permissionsActive);
        this.channels = new ChannelTable(server.stats.channelsActive);
        this.relayFlush = new DeferredFlush(relay);
        RelayHandler handler = new RelayHandler();
        if (relay.pipeline().context(AllocateHandler.UNCONFIGURED) != null) {
            relay.pipeline().replace(AllocateHandler.UNCONFIGURED, "relay", handler);
        } else {
            relay.pipeline().addLast("relay", handler);
        }
    }

    /** Starts or restarts the lifetime timer (RFC 8656 sections 7.2 and 8). */
    void refresh(long lifetimeSeconds) {
        this.lifetimeSeconds = lifetimeSeconds;
        expiresAtNanos = System.nanoTime() + TimeUnit.SECONDS.toNanos(lifetimeSeconds);
        schedule();
    }

    private void schedule() {
        if (timer != null) {
            timer.cancel(false);
        }
        long due = Math.min(expiresAtNanos - System.nanoTime(), nextSweepNanos - System.nanoTime());
        timer = client.eventLoop().schedule(onTimer, Math.max(0, due), TimeUnit.NANOSECONDS);
    }

    private void onTimer() {
        timer = null;
        if (closed) {
            return;
        }
        long now = System.nanoTime();
        if (now - expiresAtNanos >= 0) {
            server.stats.allocationsExpired.increment();
            close("expired");
            return;
        }
        if (now - nextSweepNanos >= 0) {
            permissions.sweep(now);
            channels.sweep(now);
            nextSweepNanos = now + TimeUnit.SECONDS.toNanos(HOUSEKEEPING_SECONDS);
        }
        schedule();
    }

    /**
     * Sends application data to a peer from the relayed transport address.
     *
     * @param data the payload; <b>ownership passes to this method</b>
     */
    void sendToPeer(ByteBuf data, InetSocketAddress peer) {
        packetsToPeer++;
        bytesToPeer += data.readableBytes();
        server.stats.relayedPacketsToPeer[transport].increment();
        server.stats.relayedBytesToPeer[transport].add(data.readableBytes());
        relay.write(new DatagramPacket(data, peer), relay.voidPromise());
        relayFlush.request();
    }

    SendPeer sendPeer() {
        if (sendPeer == null) {
            sendPeer = new SendPeer();
        }
        return sendPeer;
    }

    boolean isClosed() {
        return closed;
    }

    /** Deletes the allocation: stops the timer, closes the relay socket, releases its quota (RFC 8656 section 8). */
    void close(String reason) {
        if (closed) {
            return;
        }
        closed = true;
        if (timer != null) {
            timer.cancel(false);
        }
        permissions.clear();
        channels.clear();
        client.detach(this);
        relay.close();
        server.release(this);
        server.listener.allocationClosed(Duration.ofNanos(System.nanoTime() - createdAtNanos), client.transport(),
                reason);
        logger.info("allocation {} ended ({}): client {} {}, user {}, {}s, to peers {} packets/{} bytes, "
                + "to client {} packets/{} bytes", relayedAddress, reason, client.transport().scheme(),
                client.remoteAddress(), credential.logName(),
                TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - createdAtNanos),
                packetsToPeer, bytesToPeer, packetsToClient, bytesToClient);
    }

    /** Datagrams from peers to the relayed transport address (RFC 8656 sections 11.3 and 12.5). */
    private final class RelayHandler extends ChannelInboundHandlerAdapter {

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            DatagramPacket packet = (DatagramPacket) msg;
            try {
                relayToClient(packet);
            } finally {
                packet.release();
            }
        }

        private void relayToClient(DatagramPacket packet) {
            InetSocketAddress peer = packet.sender();
            long now = System.nanoTime();
            if (closed || !permissions.permits(peer.getAddress(), now)) {
                server.stats.unroutableDropped.increment();
                return;
            }
            ByteBuf data = packet.content();
            int length = data.readableBytes();
            ChannelBinding channel = channels.byPeer(peer, now);
            ByteBuf out;
            if (channel != null) {
                // RFC 8656 section 12.5: ChannelData, padded to 4 bytes over stream transports.
                int wire = client.padsChannelData() ? ChannelData.paddedLength(length) : length;
                out = client.alloc().directBuffer(ChannelData.HEADER_LENGTH + wire);
                ChannelData.writeHeader(out, channel.number, length);
                out.writeBytes(data, data.readerIndex(), length);
                out.writeZero(wire - length);
            } else {
                // RFC 8656 section 11.3: a Data indication with XOR-PEER-ADDRESS and DATA.
                out = client.alloc().directBuffer(StunMessage.HEADER_LENGTH + 24 + 4 + length + 3);
                writeDataIndication(out, PeerAddresses.advertised(server, peer), data, length);
            }
            packetsToClient++;
            bytesToClient += length;
            server.stats.relayedPacketsToClient[transport].increment();
            server.stats.relayedBytesToClient[transport].add(length);
            client.write(out);
            client.flush(); // deferred to the end of the event-loop iteration: one sendmmsg for all relay sockets
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // ICMP errors surface here as PortUnreachableException and the like: count, never tear down.
            server.stats.unroutableDropped.increment();
        }
    }

    /** Encodes a Data indication without a StunWriter object: this runs per packet. */
    private static void writeDataIndication(ByteBuf out, InetSocketAddress peer, ByteBuf data, int length) {
        int start = out.writerIndex();
        ThreadLocalRandom random = ThreadLocalRandom.current();
        out.writeShort(StunMethod.messageType(StunMethod.DATA, io.parkway.stun.StunClass.INDICATION));
        out.writeShort(0);
        out.writeInt(StunMessage.MAGIC_COOKIE);
        out.writeInt(random.nextInt()).writeInt(random.nextInt()).writeInt(random.nextInt());
        out.writeShort(StunAttribute.XOR_PEER_ADDRESS);
        out.writeShort(StunAddress.valueLength(peer.getAddress()));
        StunAddress.write(out, peer, true, start);
        out.writeShort(StunAttribute.DATA);
        out.writeShort(length);
        out.writeBytes(data, data.readerIndex(), length);
        out.writeZero((4 - (length & 3)) & 3);
        out.setShort(start + 2, out.writerIndex() - start - StunMessage.HEADER_LENGTH);
    }
}
