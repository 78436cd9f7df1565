package io.parkway.stun;

import static io.parkway.stun.Rfc5769VectorsTest.address;
import static io.parkway.stun.StunTestSupport.bytes;
import static io.parkway.stun.StunTestSupport.hex;
import static io.parkway.stun.StunTestSupport.utf8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Guards the codec's allocation-free paths (house rule 3) against regressions: the bytes this thread allocates
 * across many calls, read with {@code com.sun.management.ThreadMXBean}, must average below one byte per call. This
 * counts allocations, not time, so it holds in the interpreter as in compiled code and on a loaded machine; the JMH
 * benchmarks in bench/ show the same with {@code -prof gc}.
 *
 * <p>The buffers wrap plain arrays and NIO buffers on purpose: the tests run with paranoid leak detection, under
 * which every allocator's buffer records each access, allocating on every call.
 */
class CodecAllocationTest {
    private static final int CALLS = 20_000;
    private static final TransactionId TID = TransactionId.of(hex("0102030405060708090a0b0c"));
    private static final byte[] KEY = utf8("short-term password");
    private static final byte[] KEY_256 = StunTestSupport.sha256("user:realm:password");

    private static com.sun.management.ThreadMXBean threads;

    private final StunTestSupport support = new StunTestSupport();
    private final List<ByteBuf> wrapped = new ArrayList<>();

    @BeforeAll
    static void measurable() {
        threads = ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean t ? t : null;
        assumeTrue(threads != null && threads.isThreadAllocatedMemorySupported()
                && threads.isThreadAllocatedMemoryEnabled(), "this JVM does not count allocated bytes per thread");
    }

    @AfterEach
    void release() {
        wrapped.forEach(ByteBuf::release);
        support.releaseAll();
    }

    interface Call {
        void run() throws Exception;
    }

    /** Bytes allocated by this thread per call of {@code call}, after as many calls to warm it up. */
    private static double bytesPerCall(Call call) throws Exception {
        for (int i = 0; i < CALLS; i++) {
            call.run();
        }
        long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < CALLS; i++) {
            call.run();
        }
        return (threads.getCurrentThreadAllocatedBytes() - before) / (double) CALLS;
    }

    private static void assertAllocatesNothing(String what, Call call) throws Exception {
        double perCall = bytesPerCall(call);
        assertTrue(perCall < 1, what + ": " + perCall + " bytes per call (expected: 0)");
    }

    @Test
    void sendIndicationDecodeAndPeerAddress() throws Exception {
        for (String peer : new String[] {"198.51.100.7", "2001:db8::7"}) {
            ByteBuf out = support.out();
            StunWriter.begin(out, StunMethod.SEND, StunClass.INDICATION, TID)
                    .address(StunAttribute.XOR_PEER_ADDRESS, address(peer, 50000))
                    .bytes(StunAttribute.DATA, new byte[170])
                    .finish();
            byte[] wire = bytes(out);
            StunMessage reused = StunMessage.reusable();
            byte[] ipv6 = new byte[16];
            long[] sink = new long[1];
            for (ByteBuf buf : new ByteBuf[] {heap(wire), direct(wire)}) {
                assertAllocatesNothing("Send indication, " + peer + ", " + buf, () -> {
                    StunMessage m = reused.reset(buf);
                    if (m.hasUnknownComprehensionRequired() || m.method() != StunMethod.SEND) {
                        throw new AssertionError();
                    }
                    int p = m.indexOf(StunAttribute.XOR_PEER_ADDRESS);
                    int data = m.indexOf(StunAttribute.DATA);
                    if (m.addressFamily(p) == StunAddress.FAMILY_IPV4) {
                        sink[0] += m.addressIpv4(p);
                    } else {
                        m.addressIpv6(p, ipv6, 0);
                        sink[0] += ipv6[15];
                    }
                    sink[0] += m.addressPort(p) + m.valueIndex(data) + m.valueLength(data);
                });
            }
            assertTrue(sink[0] != 0);
        }
    }

    @Test
    void authenticatedRequestDecodeWithFingerprintAndIntegrity() throws Exception {
        for (boolean sha256 : new boolean[] {false, true}) {
            ByteBuf out = support.out();
            StunWriter w = StunWriter.begin(out, StunMethod.ALLOCATE, StunClass.REQUEST, TID)
                    .uint32(StunAttribute.REQUESTED_TRANSPORT, 17L << 24)
                    .string(StunAttribute.USERNAME, "1764288000:alice")
                    .string(StunAttribute.REALM, "parkway.example")
                    .string(StunAttribute.NONCE, "obMatJos2AAACf//499k954d6OL34oL9");
            byte[] wire = bytes((sha256 ? w.messageIntegritySha256(KEY_256) : w.messageIntegrity(KEY)).fingerprint());
            StunMessage reused = StunMessage.reusable();
            for (ByteBuf buf : new ByteBuf[] {heap(wire), direct(wire), composite(wire)}) {
                assertAllocatesNothing("decode with FINGERPRINT, " + buf, () -> {
                    if (!reused.reset(buf).hasFingerprint()) {
                        throw new AssertionError();
                    }
                });
                assertAllocatesNothing("verify " + (sha256 ? "SHA-256 " : "SHA-1 ") + buf, () -> {
                    if (!(sha256 ? reused.verifyIntegritySha256(KEY_256) : reused.verifyIntegrity(KEY))) {
                        throw new AssertionError();
                    }
                });
            }
        }
    }

    @Test
    void integrityIntoACallersArray() throws Exception {
        ByteBuf out = support.out();
        byte[] wire = bytes(StunWriter.begin(out, StunMethod.REFRESH, StunClass.REQUEST, TID)
                .string(StunAttribute.USERNAME, "user").messageIntegrity(KEY).finish());
        ByteBuf buf = direct(wire);
        byte[] mac = new byte[32];
        assertAllocatesNothing("compute into an array", () ->
                MessageIntegrity.compute(buf, 0, wire.length - 24, 20, KEY, mac, 0));
        assertEquals(hex(MessageIntegrity.compute(buf, 0, wire.length - 24, 20, KEY)), hex(mac).substring(0, 40));
    }

    /** Sanity check of the measurement: a fresh decode per packet (object and index arrays) is seen. */
    @Test
    void theMeasurementSeesAllocations() throws Exception {
        ByteBuf out = support.out();
        ByteBuf buf = heap(bytes(StunWriter.begin(out, StunMethod.BINDING, StunClass.REQUEST, TID).finish()));
        double perCall = bytesPerCall(() -> StunMessage.decode(buf));
        assertTrue(perCall >= 3 * (16 + 12 * 4), perCall + " bytes per decode (expected: three int[12] at least)");
    }

    private ByteBuf heap(byte[] wire) {
        return keep(Unpooled.wrappedBuffer(wire.clone()));
    }

    private ByteBuf direct(byte[] wire) {
        ByteBuffer nio = ByteBuffer.allocateDirect(wire.length).put(wire).flip();
        return keep(Unpooled.wrappedBuffer(nio));
    }

    private ByteBuf composite(byte[] wire) {
        int split = 37;
        ByteBuffer a = ByteBuffer.allocateDirect(split).put(wire, 0, split).flip();
        ByteBuffer b = ByteBuffer.allocateDirect(wire.length - split).put(wire, split, wire.length - split).flip();
        return keep(Unpooled.wrappedBuffer(Unpooled.wrappedBuffer(a), Unpooled.wrappedBuffer(b)));
    }

    private ByteBuf keep(ByteBuf buf) {
        wrapped.add(buf);
        return buf;
    }
}
