package io.parkway.bench.jmh;

import io.netty.buffer.AdaptiveByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.collection.IntObjectHashMap;
import io.parkway.stun.ChannelData;
import io.parkway.stun.StunAddress;
import io.parkway.stun.StunAttribute;
import io.parkway.stun.StunMessage;
import io.parkway.stun.StunParseException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The relay fast path without sockets, step for step as in stun-turn's ClientPackets.channelData / .send
 * (client → peer) and Allocation.RelayHandler.relayToClient (peer → client). Those classes are package-private,
 * so the same steps are taken here through public API: the same ChannelData helpers, the same lookup structures
 * as ChannelTable and PermissionTable (IntObjectHashMap by number, HashMap by peer address), the same
 * retainedSlice + DatagramPacket envelope, the same one pooled direct buffer towards the client. The stats
 * counters (LongAdder increments) are left out. "Release" stands for what the transport does once the datagram
 * is written.
 *
 * <p>The {@code *WithReceive} variants add what the transport does per datagram before Parkway sees it: a
 * 2048-byte receive buffer filled with the datagram (and, for datagrams from a peer, the received
 * DatagramPacket and its sender InetSocketAddress, which Netty's epoll transport creates per datagram).
 *
 * <p>{@link #sendIndicationToPeerReused} is the Send-indication path as the turn package could run it with the
 * codec's allocation-free API: one reusable message per event loop, XOR-PEER-ADDRESS read as an IPv4 {@code int}
 * and a port, and the allocation's last peer {@link InetSocketAddress} reused while address and port match (the
 * turn package does not cache it yet); the permission lookup stays PermissionTable's HashMap by {@link InetAddress},
 * which allocates nothing when given the cached address.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Dio.netty.leakDetection.level=disabled",
        "-Djmh.executor=CUSTOM", "-Djmh.executor.class=io.parkway.bench.jmh.FastThreadLocalExecutor"})
@State(Scope.Thread)
public class RelayBenchmark {
    /** The server takes its channels' default, ByteBufAllocator.DEFAULT, which is the adaptive one in Netty 4.2. */
    @Param({"pooled", "adaptive"})
    public String allocator;

    private static final int CHANNEL = 0x4000;
    private static final int RECEIVE_BUFFER = 2048;

    /** As ChannelBinding: number, peer, expiry. */
    static final class Binding {
        final int number;
        final InetSocketAddress peer;
        long expiresAtNanos;

        Binding(int number, InetSocketAddress peer, long expiresAtNanos) {
            this.number = number;
            this.peer = peer;
            this.expiresAtNanos = expiresAtNanos;
        }

        boolean isLive(long nowNanos) {
            return nowNanos - expiresAtNanos < 0;
        }
    }

    private ByteBufAllocator alloc;
    private final IntObjectHashMap<Binding> byNumber = new IntObjectHashMap<>(4);
    private final Map<InetSocketAddress, Binding> byPeer = new HashMap<>(4);
    /** As PermissionTable: expiry by peer IP. */
    private final Map<InetAddress, long[]> permissions = new HashMap<>(4);
    /** One per event loop. */
    private final StunMessage reused = StunMessage.reusable();
    /** As an allocation could cache its last peer: the address object and the bits it was made from. */
    private InetSocketAddress lastPeer;
    private int lastPeerIpv4;
    private int lastPeerPort;
    private ByteBuf channelData;
    private ByteBuf sendIndication;
    private DatagramPacket fromPeer;
    private byte[] wire;
    private byte[] peerIp;

    @Setup(Level.Trial)
    public void setUp() {
        alloc = "pooled".equals(allocator) ? PooledByteBufAllocator.DEFAULT : new AdaptiveByteBufAllocator();
        long expires = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
        Binding b = new Binding(CHANNEL, Fixtures.PEER, expires);
        byNumber.put(CHANNEL, b);
        byPeer.put(Fixtures.PEER, b);
        permissions.put(Fixtures.PEER.getAddress(), new long[] {expires});
        channelData = Fixtures.channelData(alloc, CHANNEL);
        sendIndication = Fixtures.sendIndication(alloc);
        fromPeer = new DatagramPacket(Fixtures.payloadBuffer(alloc), Fixtures.RELAYED, Fixtures.PEER);
        wire = new byte[channelData.readableBytes()];
        channelData.getBytes(channelData.readerIndex(), wire);
        peerIp = Fixtures.PEER.getAddress().getAddress();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        channelData.release();
        sendIndication.release();
        fromPeer.release();
    }

    /** ClientPackets.channelData + Allocation.sendToPeer: header parse, lookup, retained slice, envelope. */
    @Benchmark
    public void channelDataToPeer(Blackhole bh) {
        clientToPeer(channelData, bh);
    }

    /** As {@link #channelDataToPeer}, with the receive buffer allocated, filled and released per datagram. */
    @Benchmark
    public void channelDataToPeerWithReceive(Blackhole bh) {
        ByteBuf packet = alloc.directBuffer(RECEIVE_BUFFER).writeBytes(wire);
        try {
            clientToPeer(packet, bh);
        } finally {
            packet.release();
        }
    }

    private void clientToPeer(ByteBuf packet, Blackhole bh) {
        if (!ChannelData.isChannelData(packet)) {
            throw new IllegalStateException();
        }
        int length = ChannelData.length(packet);
        if (ChannelData.HEADER_LENGTH + length > packet.readableBytes()) {
            throw new IllegalStateException();
        }
        Binding binding = byNumber.get(ChannelData.channel(packet));
        if (binding == null || !binding.isLive(System.nanoTime())) {
            throw new IllegalStateException();
        }
        DatagramPacket out = new DatagramPacket(
                packet.retainedSlice(packet.readerIndex() + ChannelData.HEADER_LENGTH, length), binding.peer);
        bh.consume(out);
        out.release();
    }

    /**
     * ClientPackets.send: decode, XOR-PEER-ADDRESS (a new InetSocketAddress), DATA, permission lookup, retained
     * slice, envelope. PeerAddresses' policy checks are left out.
     */
    @Benchmark
    public void sendIndicationToPeer(Blackhole bh) throws StunParseException {
        StunMessage message = StunMessage.decode(sendIndication);
        InetSocketAddress peer = message.address(StunAttribute.XOR_PEER_ADDRESS);
        int data = message.indexOf(StunAttribute.DATA);
        long[] permission = permissions.get(peer.getAddress());
        if (data < 0 || permission == null || System.nanoTime() - permission[0] >= 0) {
            throw new IllegalStateException();
        }
        DatagramPacket out = new DatagramPacket(
                message.buffer().retainedSlice(message.valueIndex(data), message.valueLength(data)), peer);
        bh.consume(out);
        out.release();
    }

    /**
     * ClientPackets.send with the allocation-free API: reset the loop's reusable message, RFC 8489 section 6.3.2's
     * check for unknown comprehension-required attributes, the peer as int + port, the cached peer address (made
     * only when address or port differ from the last packet's), permission lookup, retained slice, envelope.
     */
    @Benchmark
    public void sendIndicationToPeerReused(Blackhole bh) throws StunParseException {
        StunMessage message = reused.reset(sendIndication);
        if (message.hasUnknownComprehensionRequired()) {
            throw new IllegalStateException();
        }
        int p = message.indexOf(StunAttribute.XOR_PEER_ADDRESS);
        int data = message.indexOf(StunAttribute.DATA);
        if (p < 0 || data < 0 || message.addressFamily(p) != StunAddress.FAMILY_IPV4) {
            throw new IllegalStateException();
        }
        int ip = message.addressIpv4(p);
        int port = message.addressPort(p);
        InetSocketAddress peer = lastPeer;
        if (peer == null || ip != lastPeerIpv4 || port != lastPeerPort) {
            peer = lastPeer = peer(ip, port);
            lastPeerIpv4 = ip;
            lastPeerPort = port;
        }
        long[] permission = permissions.get(peer.getAddress());
        if (permission == null || System.nanoTime() - permission[0] >= 0) {
            throw new IllegalStateException();
        }
        DatagramPacket out = new DatagramPacket(
                message.buffer().retainedSlice(message.valueIndex(data), message.valueLength(data)), peer);
        bh.consume(out);
        out.release();
    }

    private static InetSocketAddress peer(int ip, int port) {
        try {
            byte[] b = {(byte) (ip >>> 24), (byte) (ip >>> 16), (byte) (ip >>> 8), (byte) ip};
            return new InetSocketAddress(InetAddress.getByAddress(b), port);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    /** RelayHandler.relayToClient with a channel: permission and binding lookups, one pooled buffer, copy. */
    @Benchmark
    public void peerToClientChannelData(Blackhole bh) {
        peerToClient(fromPeer, bh);
    }

    /**
     * As {@link #peerToClientChannelData}, with what the epoll transport allocates per received datagram: the
     * receive buffer, the sender InetSocketAddress (with its InetAddress) and the DatagramPacket.
     */
    @Benchmark
    public void peerToClientChannelDataWithReceive(Blackhole bh) throws UnknownHostException {
        ByteBuf content = alloc.directBuffer(RECEIVE_BUFFER).writeBytes(wire, ChannelData.HEADER_LENGTH,
                Fixtures.PAYLOAD);
        DatagramPacket packet = new DatagramPacket(content, Fixtures.RELAYED,
                new InetSocketAddress(InetAddress.getByAddress(peerIp), Fixtures.PEER.getPort()));
        try {
            peerToClient(packet, bh);
        } finally {
            packet.release();
        }
    }

    private void peerToClient(DatagramPacket packet, Blackhole bh) {
        InetSocketAddress peer = packet.sender();
        long now = System.nanoTime();
        long[] permission = permissions.get(peer.getAddress());
        if (permission == null || now - permission[0] >= 0) {
            throw new IllegalStateException();
        }
        ByteBuf data = packet.content();
        int length = data.readableBytes();
        Binding channel = byPeer.get(peer);
        if (channel == null || !channel.isLive(now)) {
            throw new IllegalStateException();
        }
        ByteBuf out = alloc.directBuffer(ChannelData.HEADER_LENGTH + length);
        ChannelData.writeHeader(out, channel.number, length);
        out.writeBytes(data, data.readerIndex(), length);
        bh.consume(out);
        out.release();
    }
}
