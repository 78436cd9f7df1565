package io.parkway.bench.jmh;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.parkway.stun.MessageIntegrity;
import io.parkway.stun.StunAttribute;
import io.parkway.stun.StunMessage;
import io.parkway.stun.StunParseException;
import java.security.GeneralSecurityException;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
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

/**
 * MESSAGE-INTEGRITY (HMAC-SHA1, RFC 8489 section 14.5) against MESSAGE-INTEGRITY-SHA256 (section 14.6) verification
 * of the same authenticated Allocate request, held in a pooled direct buffer and decoded once.
 *
 * <p>{@code verify*} and {@code compute*IntoArray} go through {@link MessageIntegrity} (the codec's own RFC 2104 HMAC
 * over the JDK's MessageDigest, per-thread state, the key given on every call). The {@code *JceMacPerCredential}
 * variants are the comparison asked about in issue #5: a {@link Mac} initialised once with the key, as a cache per
 * credential would keep it, so per call only reset, update over the buffer's internal NIO view, doFinal and an
 * in-place constant-time compare remain; what they still allocate is the JCE's own {@code doFinal} result.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Dio.netty.leakDetection.level=disabled",
        "-Djmh.executor=CUSTOM", "-Djmh.executor.class=io.parkway.bench.jmh.FastThreadLocalExecutor"})
@State(Scope.Thread)
public class IntegrityBenchmark {
    private ByteBuf sha1Buffer;
    private ByteBuf sha256Buffer;
    private StunMessage sha1;
    private StunMessage sha256;
    private byte[] md5Key;
    private byte[] sha256Key;
    private final byte[] mac = new byte[MessageIntegrity.SHA256_LENGTH];
    private Mac jceSha1;
    private Mac jceSha256;
    private final byte[] header = new byte[4];

    @Setup(Level.Trial)
    public void setUp() throws StunParseException {
        sha1Buffer = Fixtures.allocateRequest(PooledByteBufAllocator.DEFAULT, false);
        sha256Buffer = Fixtures.allocateRequest(PooledByteBufAllocator.DEFAULT, true);
        sha1 = StunMessage.decode(sha1Buffer);
        sha256 = StunMessage.decode(sha256Buffer);
        md5Key = Fixtures.longTermKeyMd5();
        sha256Key = Fixtures.longTermKeySha256();
        try {
            jceSha1 = Mac.getInstance("HmacSHA1");
            jceSha1.init(new SecretKeySpec(md5Key, "HmacSHA1"));
            jceSha256 = Mac.getInstance("HmacSHA256");
            jceSha256.init(new SecretKeySpec(sha256Key, "HmacSHA256"));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
        if (!sha1.verifyIntegrity(md5Key) || !sha256.verifyIntegritySha256(sha256Key)
                || !verifyHmacSha1JceMacPerCredential() || !verifyHmacSha256JceMacPerCredential()) {
            throw new IllegalStateException("fixtures do not verify");
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        sha1Buffer.release();
        sha256Buffer.release();
    }

    @Benchmark
    public boolean verifyHmacSha1() {
        return sha1.verifyIntegrity(md5Key);
    }

    @Benchmark
    public boolean verifyHmacSha256() {
        return sha256.verifyIntegritySha256(sha256Key);
    }

    /** The HMAC alone, written into the caller's array (what StunWriter does, without the buffer write). */
    @Benchmark
    public byte[] computeHmacSha1IntoArray() {
        int mi = sha1.valueIndex(sha1.indexOf(StunAttribute.MESSAGE_INTEGRITY)) - 4;
        MessageIntegrity.compute(sha1Buffer, sha1.start(), mi, MessageIntegrity.SHA1_LENGTH, md5Key, mac, 0);
        return mac;
    }

    @Benchmark
    public byte[] computeHmacSha256IntoArray() {
        int mi = sha256.valueIndex(sha256.indexOf(StunAttribute.MESSAGE_INTEGRITY_SHA256)) - 4;
        MessageIntegrity.compute(sha256Buffer, sha256.start(), mi, MessageIntegrity.SHA256_LENGTH, sha256Key, mac, 0);
        return mac;
    }

    @Benchmark
    public boolean verifyHmacSha1JceMacPerCredential() {
        return verifyWithJce(jceSha1, sha1, StunAttribute.MESSAGE_INTEGRITY);
    }

    @Benchmark
    public boolean verifyHmacSha256JceMacPerCredential() {
        return verifyWithJce(jceSha256, sha256, StunAttribute.MESSAGE_INTEGRITY_SHA256);
    }

    /** RFC 8489 section 14.5/14.6 with a keyed javax.crypto.Mac: header with the adjusted length, then the body. */
    private boolean verifyWithJce(Mac jce, StunMessage m, int type) {
        ByteBuf buf = m.buffer();
        int start = m.start();
        int value = m.valueIndex(m.indexOf(type));
        int length = m.valueLength(m.indexOf(type));
        int adjusted = value + length - start - StunMessage.HEADER_LENGTH;
        header[0] = buf.getByte(start);
        header[1] = buf.getByte(start + 1);
        header[2] = (byte) (adjusted >>> 8);
        header[3] = (byte) adjusted;
        jce.reset();
        jce.update(header);
        jce.update(buf.internalNioBuffer(start + 4, value - 4 - start - 4));
        byte[] expected = jce.doFinal();
        int diff = 0;
        for (int i = 0; i < length; i++) {
            diff |= expected[i] ^ buf.getByte(value + i);
        }
        return diff == 0;
    }
}
