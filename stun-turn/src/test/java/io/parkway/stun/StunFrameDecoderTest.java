package io.parkway.stun;

import static io.parkway.stun.StunTestSupport.hex;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.CorruptedFrameException;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link StunFrameDecoder} on an {@link EmbeddedChannel}: STUN and ChannelData frames back to back over a stream
 * (RFC 8656 section 12.5, https://datatracker.ietf.org/doc/html/rfc8656#section-12.5), split in every way. Every
 * input buffer is a pooled buffer of its own; every emitted frame is released by the test, and at the end every input
 * buffer must have reached reference count 0.
 */
class StunFrameDecoderTest {
    private static final byte[] KEY = StunTestSupport.utf8("secret");

    /** One frame as it travels (with padding) and as the decoder must emit it (without). */
    record Frame(byte[] wire, byte[] expected) {
    }

    /** Records exceptions reaching the end of the pipeline and closes the channel, as a real server would. */
    static final class Recorder extends ChannelInboundHandlerAdapter {
        final List<Throwable> errors = new ArrayList<>();

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            errors.add(cause);
            ctx.close();
        }
    }

    /** The outcome of one run: the frames emitted, in order, and the exceptions reported. */
    record Run(List<byte[]> frames, List<Throwable> errors, boolean open) {
    }

    // --- building blocks -------------------------------------------------------------------------------------------

    static Frame stun(int method, StunClass cls, String software) {
        ByteBuf out = Unpooled.buffer();
        try {
            StunWriter.begin(out, method, cls, TransactionId.random())
                    .string(StunAttribute.SOFTWARE, software)
                    .messageIntegrity(KEY)
                    .fingerprint();
            byte[] b = ByteBufUtil.getBytes(out);
            return new Frame(b, b);
        } finally {
            out.release();
        }
    }

    /** ChannelData with {@code length} data bytes, padded to 4 with {@code padding} bytes (RFC 8656 section 12.5). */
    static Frame channelData(int channel, int length, int padding) {
        byte[] wire = new byte[4 + ChannelData.paddedLength(length)];
        Arrays.fill(wire, (byte) padding);
        wire[0] = (byte) (channel >>> 8);
        wire[1] = (byte) channel;
        wire[2] = (byte) (length >>> 8);
        wire[3] = (byte) length;
        for (int i = 0; i < length; i++) {
            wire[4 + i] = (byte) (i * 7 + channel);
        }
        return new Frame(wire, Arrays.copyOf(wire, 4 + length));
    }

    static byte[] concat(List<Frame> frames) {
        ByteArrayOutputStream s = new ByteArrayOutputStream();
        frames.forEach(f -> s.writeBytes(f.wire()));
        return s.toByteArray();
    }

    static List<Frame> mixedFrames() {
        return List.of(
                stun(StunMethod.ALLOCATE, StunClass.REQUEST, "first"),
                channelData(0x4000, 5, 0xee), // 3 bytes of padding, not zero: padding content is ignored
                channelData(0x4fff, 0, 0),
                stun(StunMethod.CHANNEL_BIND, StunClass.REQUEST, "in between"),
                channelData(0x4001, 8, 0),
                channelData(0x4abc, 1, 0x01),
                stun(StunMethod.REFRESH, StunClass.SUCCESS_RESPONSE, "last!"));
    }

    /** Feeds {@code stream} cut at {@code cuts} (sorted offsets), each piece in its own pooled buffer. */
    static Run run(byte[] stream, int... cuts) {
        Recorder recorder = new Recorder();
        EmbeddedChannel channel = new EmbeddedChannel(new StunFrameDecoder(), recorder);
        List<ByteBuf> inputs = new ArrayList<>();
        List<byte[]> frames = new ArrayList<>();
        int from = 0;
        int[] ends = Arrays.copyOf(cuts, cuts.length + 1);
        ends[cuts.length] = stream.length;
        for (int end : ends) {
            if (end == from) {
                continue;
            }
            ByteBuf in = PooledByteBufAllocator.DEFAULT.directBuffer(end - from).writeBytes(stream, from, end - from);
            inputs.add(in);
            if (channel.isOpen()) {
                channel.writeInbound(in);
            } else {
                in.release(); // a closed channel no longer reads; the test still owned this buffer
            }
            drain(channel, frames);
            from = end;
        }
        boolean open = channel.isOpen();
        assertFalse(channel.finishAndReleaseAll(), "every frame was already read");
        for (int i = 0; i < inputs.size(); i++) {
            assertEquals(0, inputs.get(i).refCnt(), "input buffer " + i + " still referenced");
        }
        return new Run(frames, recorder.errors, open);
    }

    private static void drain(EmbeddedChannel channel, List<byte[]> frames) {
        for (Object msg; (msg = channel.readInbound()) != null; ) {
            ByteBuf frame = assertInstanceOf(ByteBuf.class, msg);
            try {
                frames.add(ByteBufUtil.getBytes(frame));
            } finally {
                frame.release();
            }
        }
    }

    static void assertFrames(List<Frame> expected, List<byte[]> actual, String context) {
        assertEquals(expected.size(), actual.size(), context + ": frame count");
        for (int i = 0; i < expected.size(); i++) {
            assertEquals(hex(expected.get(i).expected()), hex(actual.get(i)), context + ": frame " + i);
        }
    }

    // --- tests -----------------------------------------------------------------------------------------------------

    @Test
    void concatenatedFramesInOneRead() throws StunParseException {
        List<Frame> expected = mixedFrames();
        Run run = run(concat(expected));
        assertFrames(expected, run.frames(), "one read");
        assertTrue(run.errors().isEmpty());
        assertTrue(run.open());
        // The STUN frames are complete messages: they decode and their integrity and fingerprint hold.
        for (int i : new int[] {0, 3, 6}) {
            ByteBuf frame = Unpooled.wrappedBuffer(run.frames().get(i));
            try {
                StunMessage m = StunMessage.decode(frame);
                assertTrue(m.hasFingerprint());
                assertTrue(m.verifyIntegrity(KEY));
            } finally {
                frame.release();
            }
        }
        assertEquals(0x4000, (run.frames().get(1)[0] & 0xff) << 8 | (run.frames().get(1)[1] & 0xff));
    }

    @Test
    void splitAtEveryByteBoundary() {
        List<Frame> expected = mixedFrames();
        byte[] stream = concat(expected);
        for (int cut = 1; cut < stream.length; cut++) {
            Run run = run(stream, cut);
            assertFrames(expected, run.frames(), "cut at " + cut);
            assertTrue(run.errors().isEmpty(), "cut at " + cut);
        }
    }

    @Test
    void splitAtEveryPairOfByteBoundaries() {
        List<Frame> expected = List.of(stun(StunMethod.BINDING, StunClass.REQUEST, "a"), channelData(0x4000, 3, 9),
                stun(StunMethod.BINDING, StunClass.INDICATION, "bcdef"));
        byte[] stream = concat(expected);
        for (int a = 1; a < stream.length; a++) {
            for (int b = a + 1; b < stream.length; b++) {
                assertFrames(expected, run(stream, a, b).frames(), "cuts at " + a + ", " + b);
            }
        }
    }

    @Test
    void oneByteAtATime() {
        List<Frame> expected = mixedFrames();
        byte[] stream = concat(expected);
        int[] cuts = new int[stream.length - 1];
        for (int i = 0; i < cuts.length; i++) {
            cuts[i] = i + 1;
        }
        assertFrames(expected, run(stream, cuts).frames(), "byte by byte");
    }

    @Test
    void randomChunks() {
        Random random = new Random(0x1205L);
        List<Frame> expected = mixedFrames();
        byte[] stream = concat(expected);
        for (int iteration = 0; iteration < 300; iteration++) {
            List<Integer> cuts = new ArrayList<>();
            for (int at = 1 + random.nextInt(40); at < stream.length; at += 1 + random.nextInt(40)) {
                cuts.add(at);
            }
            int[] c = cuts.stream().mapToInt(Integer::intValue).toArray();
            assertFrames(expected, run(stream, c).frames(), "cuts " + cuts);
        }
    }

    @ParameterizedTest(name = "{0} data bytes")
    @ValueSource(ints = {0, 1, 2, 3, 4, 5, 6, 7, 8})
    void channelDataPadding(int length) {
        List<Frame> expected = List.of(channelData(0x4000 + length, length, 0xa5),
                channelData(0x4100 + length, length, 0x5a), stun(StunMethod.SEND, StunClass.INDICATION, "pad"),
                channelData(0x4200, length, 0xff));
        byte[] stream = concat(expected);
        assertEquals(0, stream.length % 4, "over TCP every frame is padded to 4");
        Run run = run(stream);
        assertFrames(expected, run.frames(), "one read");
        for (int i : new int[] {0, 1, 3}) {
            assertEquals(4 + length, run.frames().get(i).length, "the emitted frame excludes the padding");
        }
        for (int cut = 1; cut < stream.length; cut++) {
            assertFrames(expected, run(stream, cut).frames(), "cut at " + cut);
        }
    }

    @Test
    void largestChannelDataFrame() {
        List<Frame> expected = List.of(channelData(0x4000, 0xffff, 0), channelData(0x4001, 2, 0));
        byte[] stream = concat(expected);
        assertEquals(4 + 0x10000 + 8, stream.length);
        assertFrames(expected, run(stream, 3, 1000, 0x10001, 0x10004, 0x10005).frames(), "65535 data bytes");
    }

    @Test
    void framesHeldAcrossLaterReadsKeepTheirContent() {
        // Emitted frames are retained slices of the cumulation: later reads must not overwrite their bytes.
        List<Frame> expected = mixedFrames();
        byte[] stream = concat(expected);
        EmbeddedChannel channel = new EmbeddedChannel(new StunFrameDecoder());
        List<ByteBuf> inputs = new ArrayList<>();
        List<ByteBuf> held = new ArrayList<>();
        try {
            for (int from = 0; from < stream.length; from += 7) {
                int n = Math.min(7, stream.length - from);
                ByteBuf in = PooledByteBufAllocator.DEFAULT.heapBuffer(n).writeBytes(stream, from, n);
                inputs.add(in);
                channel.writeInbound(in);
                for (Object msg; (msg = channel.readInbound()) != null; ) {
                    held.add((ByteBuf) msg);
                }
            }
            assertEquals(expected.size(), held.size());
            for (int i = 0; i < held.size(); i++) {
                assertEquals(hex(expected.get(i).expected()), hex(ByteBufUtil.getBytes(held.get(i))), "frame " + i);
            }
        } finally {
            held.forEach(ByteBuf::release);
            channel.finishAndReleaseAll();
        }
        inputs.forEach(in -> assertEquals(0, in.refCnt()));
    }

    @ParameterizedTest(name = "first byte 0x{0}")
    @ValueSource(strings = {"80", "9f", "bf", "c0", "ff"})
    void badFirstByteIsReportedAndTheChannelClosed(String firstByte) {
        Frame good = stun(StunMethod.BINDING, StunClass.REQUEST, "ok");
        byte[] bad = hex(firstByte + "01 0004 deadbeef");
        byte[] stream = concat(List.of(good, new Frame(bad, bad)));
        for (int cut : new int[] {0, good.wire().length, good.wire().length + 2, stream.length - 1}) {
            Run run = cut == 0 ? run(stream) : run(stream, cut);
            assertFrames(List.of(good), run.frames(), "the frame before the bad byte is still emitted; cut " + cut);
            assertEquals(1, run.errors().size(), "cut " + cut);
            CorruptedFrameException e = assertInstanceOf(CorruptedFrameException.class, run.errors().get(0));
            assertEquals("first byte: 0x" + firstByte + " (expected: STUN 0b00xxxxxx or ChannelData 0b01xxxxxx)",
                    e.getMessage());
            assertFalse(run.open(), "the connection cannot be resynchronised");
        }
    }

    @Test
    void garbageAfterAChannelDataFrameIsReported() {
        Frame cd = channelData(0x4000, 2, 0);
        byte[] stream = concat(List.of(cd, new Frame(hex("c0c0c0c0 c0c0c0c0"), new byte[0])));
        Run run = run(stream, 3, 6);
        assertFrames(List.of(cd), run.frames(), "before the garbage");
        assertInstanceOf(CorruptedFrameException.class, run.errors().get(0));
    }

    @Test
    void partialFrameAtCloseIsReleased() {
        Frame frame = stun(StunMethod.ALLOCATE, StunClass.REQUEST, "cut short");
        for (int n : new int[] {1, 3, 4, 19, 20, frame.wire().length - 1}) {
            Run run = run(Arrays.copyOf(frame.wire(), n)); // run() asserts the input was released
            assertTrue(run.frames().isEmpty(), n + " bytes");
            assertTrue(run.errors().isEmpty(), n + " bytes");
        }
        Frame cd = channelData(0x4000, 5, 0);
        Run run = run(Arrays.copyOf(cd.wire(), 9)); // data complete, padding not yet received
        assertTrue(run.frames().isEmpty(), "a ChannelData frame is emitted only with its padding");
    }
}
