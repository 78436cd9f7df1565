package io.parkway.bench.jmh;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.parkway.stun.StunMessage;
import io.parkway.stun.StunParseException;
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

/**
 * MESSAGE-INTEGRITY (HMAC-SHA1, RFC 8489 section 14.5) against MESSAGE-INTEGRITY-SHA256 (section 14.6) verification
 * of the same authenticated Allocate request, held in a pooled direct buffer and decoded once.
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

    @Setup(Level.Trial)
    public void setUp() throws StunParseException {
        sha1Buffer = Fixtures.allocateRequest(PooledByteBufAllocator.DEFAULT, false);
        sha256Buffer = Fixtures.allocateRequest(PooledByteBufAllocator.DEFAULT, true);
        sha1 = StunMessage.decode(sha1Buffer);
        sha256 = StunMessage.decode(sha256Buffer);
        md5Key = Fixtures.longTermKeyMd5();
        sha256Key = Fixtures.longTermKeySha256();
        if (!sha1.verifyIntegrity(md5Key) || !sha256.verifyIntegritySha256(sha256Key)) {
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
}
