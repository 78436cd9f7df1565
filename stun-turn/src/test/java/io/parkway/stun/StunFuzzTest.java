package io.parkway.stun;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;

/**
 * Jazzer fuzz tests of the codec. In the normal suite they run in regression mode over the seeds in
 * {@code src/test/resources/io/parkway/stun/StunFuzzTestInputs/<method>/} (RFC 5769 vectors and any crash inputs
 * found since, committed there); {@code JAZZER_FUZZ=1 mvn -pl stun-turn test -Dtest=StunFuzzTest} fuzzes for real.
 */
class StunFuzzTest {

    /** One message reset with every input, so state left by one input would show in the next. */
    private static final StunMessage REUSED = StunMessage.reusable();

    /**
     * Any bytes either decode or fail with StunParseException; a decoded message's accessors never throw; a reusable
     * message reset with the same bytes agrees with the fresh decode, or fails with the same error and is left empty.
     */
    @FuzzTest(maxDuration = "30s")
    void decode(byte[] input) {
        ByteBuf buf = Unpooled.wrappedBuffer(input);
        try {
            StunMessage message;
            try {
                message = StunMessage.decode(buf);
            } catch (StunParseException e) {
                StunParseException again = assertThrows(StunParseException.class, () -> REUSED.reset(buf));
                assertEquals(e.getMessage(), again.getMessage());
                StunReuseTest.assertEmpty(REUSED);
                throw e;
            }
            StunReuseTest.assertSameView(message, REUSED.reset(buf));
            assertTrue(message.encodedLength() == input.length);
            for (int i = 0; i < message.attributeCount(); i++) {
                int type = message.attributeType(i);
                message.value(i);
                message.string(type);
                message.address(type);
                message.uint32(type, -1);
                StunReuseTest.assertAddressReadersAgree(REUSED, i);
            }
            message.errorCode();
            message.unknownComprehensionRequired();
            message.addresses(StunAttribute.XOR_PEER_ADDRESS);
            message.verifyIntegrity(new byte[16]);
            message.verifyIntegritySha256(new byte[32]);
            message.transactionId();
        } catch (StunParseException expected) {
            // malformed input is a normal outcome
        } finally {
            buf.release();
        }
    }

    /**
     * Any byte stream, split anywhere, is either framed into whole messages or rejected with a DecoderException;
     * every buffer is released either way.
     */
    @FuzzTest(maxDuration = "30s")
    void frames(byte[] input) {
        EmbeddedChannel channel = new EmbeddedChannel(new StunFrameDecoder());
        int split = input.length == 0 ? 0 : (input[0] & 0xff) % input.length;
        // Unpooled.buffer, not copiedBuffer: an empty copiedBuffer is the shared EMPTY_BUFFER, never released.
        ByteBuf first = Unpooled.buffer(split + 1).writeBytes(input, 0, split);
        ByteBuf second = Unpooled.buffer(input.length - split + 1).writeBytes(input, split, input.length - split);
        try {
            channel.writeInbound(first);
            channel.writeInbound(second);
        } catch (DecoderException expected) {
            // a stream that lost framing is rejected
        }
        for (Object frame; (frame = channel.readInbound()) != null; ) {
            ByteBuf f = (ByteBuf) frame;
            int kind = f.getUnsignedByte(0) >>> 6;
            int declared = f.getUnsignedShort(2);
            assertEquals(kind == 0 ? 20 + declared : 4 + declared, f.readableBytes());
            f.release();
        }
        channel.finishAndReleaseAll();
        assertEquals(0, first.refCnt());
        assertEquals(0, second.refCnt());
    }
}
