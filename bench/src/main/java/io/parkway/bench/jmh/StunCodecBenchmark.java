package io.parkway.bench.jmh;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.parkway.stun.Fingerprint;
import io.parkway.stun.StunAddress;
import io.parkway.stun.StunAttribute;
import io.parkway.stun.StunClass;
import io.parkway.stun.StunMessage;
import io.parkway.stun.StunMethod;
import io.parkway.stun.StunParseException;
import io.parkway.stun.StunWriter;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The STUN codec: {@link StunMessage#decode} of an authenticated Allocate request and of a Send indication with
 * 170 bytes of DATA, encode of an Allocate success response with MESSAGE-INTEGRITY and FINGERPRINT through
 * {@link StunWriter} (as AllocateHandler + Responses build it), and FINGERPRINT (CRC-32) alone. All buffers are
 * pooled direct buffers, as the server's are.
 *
 * <p>The {@code *Reused} variants decode into one {@link StunMessage#reusable()} message kept by the benchmark
 * thread, as an event loop would keep it, and read XOR-PEER-ADDRESS with the object-free readers
 * ({@link StunMessage#addressFamily}, {@link StunMessage#addressIpv4}, {@link StunMessage#addressIpv6},
 * {@link StunMessage#addressPort}) instead of {@link StunMessage#address}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Dio.netty.leakDetection.level=disabled",
        "-Djmh.executor=CUSTOM", "-Djmh.executor.class=io.parkway.bench.jmh.FastThreadLocalExecutor"})
@State(Scope.Thread)
public class StunCodecBenchmark {
    private final PooledByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
    private ByteBuf allocateRequest;
    private ByteBuf sendIndication;
    private ByteBuf sendIndicationIpv6;
    private int fingerprintIndex;
    private byte[] key;
    /** Kept for the whole trial, as an event loop keeps one. */
    private final StunMessage reused = StunMessage.reusable();
    private final byte[] ipv6 = new byte[16];

    @Setup(Level.Trial)
    public void setUp() throws StunParseException {
        allocateRequest = Fixtures.allocateRequest(alloc, false);
        sendIndication = Fixtures.sendIndication(alloc);
        sendIndicationIpv6 = Fixtures.sendIndication(alloc, Fixtures.PEER_IPV6);
        key = Fixtures.longTermKeyMd5();
        StunMessage m = StunMessage.decode(allocateRequest);
        if (!m.hasFingerprint() || !m.verifyIntegrity(key)) {
            throw new IllegalStateException("fixture does not verify");
        }
        fingerprintIndex = allocateRequest.writerIndex() - 8;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        allocateRequest.release();
        sendIndication.release();
        sendIndicationIpv6.release();
    }

    /** Header checks, attribute index and the FINGERPRINT check (CRC-32 over ~100 bytes). */
    @Benchmark
    public StunMessage decodeAllocateRequest() throws StunParseException {
        return StunMessage.decode(allocateRequest);
    }

    /** As {@link #decodeAllocateRequest}, into the thread's reusable message. */
    @Benchmark
    public StunMessage decodeAllocateRequestReused() throws StunParseException {
        return reused.reset(allocateRequest);
    }

    @Benchmark
    public StunMessage decodeSendIndication() throws StunParseException {
        return StunMessage.decode(sendIndication);
    }

    /** As {@link #decodeSendIndication}, into the thread's reusable message. */
    @Benchmark
    public StunMessage decodeSendIndicationReused() throws StunParseException {
        return reused.reset(sendIndication);
    }

    /**
     * What the server reads from a Send indication before relaying: decode, the peer address (XOR-decoded into a
     * new InetSocketAddress) and the DATA attribute's position.
     */
    @Benchmark
    public void decodeSendIndicationPeerAndData(Blackhole bh) throws StunParseException {
        StunMessage m = StunMessage.decode(sendIndication);
        bh.consume(m.address(StunAttribute.XOR_PEER_ADDRESS));
        bh.consume(m.valueIndex(m.indexOf(StunAttribute.DATA)));
    }

    /**
     * As {@link #decodeSendIndicationPeerAndData} with the reusable message and the object-free address readers:
     * the peer as an IPv4 {@code int} and a port, the DATA attribute's position.
     */
    @Benchmark
    public void decodeSendIndicationPeerAndDataReused(Blackhole bh) throws StunParseException {
        StunMessage m = reused.reset(sendIndication);
        int peer = m.indexOf(StunAttribute.XOR_PEER_ADDRESS);
        if (m.addressFamily(peer) != StunAddress.FAMILY_IPV4) {
            throw new IllegalStateException();
        }
        bh.consume(m.addressIpv4(peer));
        bh.consume(m.addressPort(peer));
        bh.consume(m.valueIndex(m.indexOf(StunAttribute.DATA)));
    }

    /** As {@link #decodeSendIndicationPeerAndDataReused} for an IPv6 peer, read into the thread's byte[16]. */
    @Benchmark
    public void decodeSendIndicationIpv6PeerAndDataReused(Blackhole bh) throws StunParseException {
        StunMessage m = reused.reset(sendIndicationIpv6);
        int peer = m.indexOf(StunAttribute.XOR_PEER_ADDRESS);
        if (m.addressFamily(peer) != StunAddress.FAMILY_IPV6) {
            throw new IllegalStateException();
        }
        m.addressIpv6(peer, ipv6, 0);
        bh.consume(ipv6);
        bh.consume(m.addressPort(peer));
        bh.consume(m.valueIndex(m.indexOf(StunAttribute.DATA)));
    }

    /**
     * Allocate success response: XOR-RELAYED-ADDRESS, LIFETIME, XOR-MAPPED-ADDRESS, SOFTWARE, MESSAGE-INTEGRITY
     * (HMAC-SHA1), FINGERPRINT, into a pooled buffer of 128 bytes as Responses.success allocates it.
     */
    @Benchmark
    public int encodeAllocateSuccess() {
        ByteBuf out = alloc.directBuffer(128);
        try {
            StunWriter.begin(out, StunMethod.ALLOCATE, StunClass.SUCCESS_RESPONSE, Fixtures.TID)
                    .address(StunAttribute.XOR_RELAYED_ADDRESS, Fixtures.RELAYED)
                    .uint32(StunAttribute.LIFETIME, 600)
                    .address(StunAttribute.XOR_MAPPED_ADDRESS, Fixtures.CLIENT)
                    .string(StunAttribute.SOFTWARE, Fixtures.SOFTWARE)
                    .messageIntegrity(key)
                    .fingerprint();
            return out.writerIndex();
        } finally {
            out.release();
        }
    }

    /** FINGERPRINT alone: CRC-32 of the Allocate request up to the attribute (direct buffer, its internal NIO view). */
    @Benchmark
    public int fingerprintAllocateRequest() {
        return Fingerprint.compute(allocateRequest, allocateRequest.readerIndex(), fingerprintIndex);
    }
}
