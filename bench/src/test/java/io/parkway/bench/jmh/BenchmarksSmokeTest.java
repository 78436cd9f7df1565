package io.parkway.bench.jmh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parkway.stun.StunParseException;
import java.lang.reflect.Field;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.infra.Blackhole;

/** Runs each JMH benchmark body a few times without JMH: fixtures valid, no exception, no buffer leaked. */
class BenchmarksSmokeTest {
    private static final Blackhole BH = new Blackhole(
            "Today's password is swordfish. I understand instantiating Blackholes directly is dangerous.");

    @Test
    void codec() throws StunParseException {
        StunCodecBenchmark b = new StunCodecBenchmark();
        b.setUp();
        try {
            for (int i = 0; i < 100; i++) {
                assertTrue(b.decodeAllocateRequest().hasFingerprint()); // 5 attributes + MESSAGE-INTEGRITY indexed
                assertEquals(6, b.decodeAllocateRequest().attributeCount());
                assertEquals(2, b.decodeSendIndication().attributeCount());
                b.decodeSendIndicationPeerAndData(BH);
                assertTrue(b.decodeAllocateRequestReused().hasFingerprint());
                assertEquals(6, b.decodeAllocateRequestReused().attributeCount());
                assertEquals(2, b.decodeSendIndicationReused().attributeCount());
                b.decodeSendIndicationPeerAndDataReused(BH);
                b.decodeSendIndicationIpv6PeerAndDataReused(BH);
                assertTrue(b.encodeAllocateSuccess() > 20);
                b.fingerprintAllocateRequest();
            }
        } finally {
            b.tearDown();
        }
    }

    @Test
    void integrity() throws StunParseException {
        IntegrityBenchmark b = new IntegrityBenchmark();
        b.setUp();
        try {
            for (int i = 0; i < 100; i++) {
                assertTrue(b.verifyHmacSha1());
                assertTrue(b.verifyHmacSha256());
                assertTrue(b.verifyHmacSha1JceMacPerCredential());
                assertTrue(b.verifyHmacSha256JceMacPerCredential());
                b.computeHmacSha1IntoArray();
                b.computeHmacSha256IntoArray();
            }
        } finally {
            b.tearDown();
        }
    }

    @Test
    void relay() throws Exception {
        for (String allocator : new String[] {"pooled", "adaptive"}) {
            RelayBenchmark b = new RelayBenchmark();
            b.allocator = allocator;
            b.setUp();
            try {
                for (int i = 0; i < 100; i++) {
                    b.channelDataToPeer(BH);
                    b.channelDataToPeerWithReceive(BH);
                    b.sendIndicationToPeer(BH);
                    b.sendIndicationToPeerReused(BH);
                    b.peerToClientChannelData(BH);
                    b.peerToClientChannelDataWithReceive(BH);
                }
                assertEquals(1, refCnt(b, "channelData"));
                assertEquals(1, refCnt(b, "sendIndication"));
            } finally {
                b.tearDown();
            }
        }
    }

    private static int refCnt(Object bench, String field) throws ReflectiveOperationException {
        Field f = bench.getClass().getDeclaredField(field);
        f.setAccessible(true);
        return ((io.netty.util.ReferenceCounted) f.get(bench)).refCnt();
    }
}
