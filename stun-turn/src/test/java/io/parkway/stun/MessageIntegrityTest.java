package io.parkway.stun;

import static io.parkway.stun.StunTestSupport.bytes;
import static io.parkway.stun.StunTestSupport.fingerprintOf;
import static io.parkway.stun.StunTestSupport.hex;
import static io.parkway.stun.StunTestSupport.hmac;
import static io.parkway.stun.StunTestSupport.setLength;
import static io.parkway.stun.StunTestSupport.utf8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * MESSAGE-INTEGRITY and MESSAGE-INTEGRITY-SHA256 (RFC 8489 sections 14.5 and 14.6,
 * https://datatracker.ietf.org/doc/html/rfc8489#section-14.5) through the allocation-free HMAC: the HMAC itself
 * against the RFC 2202 and RFC 4231 vectors and against {@code javax.crypto.Mac}; the caller-array form; in-place
 * verification; key material wiped after each call; per-thread state; FINGERPRINT from every buffer kind.
 */
class MessageIntegrityTest {
    private static final TransactionId TID = TransactionId.of(hex("0102030405060708090a0b0c"));
    private static final byte[] KEY = utf8("short-term password");
    private static final byte[] KEY_256 = StunTestSupport.sha256("user:realm:password");

    private final StunTestSupport support = new StunTestSupport();

    @AfterEach
    void release() {
        support.releaseAll();
    }

    // --- the HMAC (RFC 2104) ---------------------------------------------------------------------------------------

    /** RFC 2202 section 3 (HMAC-SHA1) and RFC 4231 section 4 (HMAC-SHA256), including keys longer than a block. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = ';', value = {
        "RFC 2202 1; sha1; 0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b; Hi There;"
            + " b617318655057264e28bc0b6fb378c8ef146be00",
        "RFC 2202 2; sha1; 4a656665; what do ya want for nothing?; effcdf6ae5eb2fa2d27416d5f184df9c259a7c79",
        "RFC 2202 6; sha1; aa*80"
            + "; Test Using Larger Than Block-Size Key - Hash Key First; aa4ae5e15272d00e95705637ce8a3b55ed402112",
        "RFC 4231 1; sha256; 0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b; Hi There;"
            + " b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
        "RFC 4231 2; sha256; 4a656665; what do ya want for nothing?;"
            + " 5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
        "RFC 4231 6; sha256; aa*131; Test Using Larger Than Block-Size Key - Hash Key First;"
            + " 60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
    })
    void hmacMatchesTheRfcVectors(String name, String algorithm, String key, String text, String expected) {
        Hmac hmac = "sha1".equals(algorithm) ? Hmac.sha1() : Hmac.sha256();
        // "aa*80": the byte 0xaa, 80 times
        hmac.init(key.contains("*") ? hex(key.substring(0, 2).repeat(Integer.parseInt(key.substring(3)))) : hex(key));
        hmac.digest().update(utf8(text));
        assertEquals(expected, hex(Arrays.copyOf(hmac.doFinal(), hmac.length())));
    }

    /** Random keys of 1-150 bytes (below, at and above the 64-byte block) and texts, against javax.crypto.Mac. */
    @Test
    void hmacMatchesJavaxCryptoMacForRandomKeysAndTexts() {
        Random random = new Random(2104);
        Hmac sha1 = Hmac.sha1();
        Hmac sha256 = Hmac.sha256();
        for (int n = 0; n < 2000; n++) {
            byte[] key = new byte[1 + random.nextInt(150)];
            byte[] text = new byte[random.nextInt(300)];
            random.nextBytes(key);
            random.nextBytes(text);
            for (Hmac h : new Hmac[] {sha1, sha256}) {
                h.init(key);
                h.digest().update(text);
                byte[] mac = h.doFinal();
                assertArrayEquals(hmac(h == sha1 ? "HmacSHA1" : "HmacSHA256", key, text, 0, text.length), mac,
                        "key " + key.length + " bytes, text " + text.length + " bytes");
                assertFalse(h.holdsKey());
            }
        }
    }

    // --- MessageIntegrity ------------------------------------------------------------------------------------------

    @Test
    void computeFromEveryBufferKindMatchesTheJdk() {
        byte[] wire = request(false);
        int mi = wire.length - 24;
        byte[] input = wire.clone();
        setLength(input, mi + 24);
        byte[] expected = hmac("HmacSHA1", KEY, input, 0, mi);
        for (ByteBuf buf : kinds(wire)) {
            int start = buf.readerIndex();
            assertArrayEquals(expected, MessageIntegrity.compute(buf, start, start + mi, 20, KEY), buf.toString());
            assertTrue(MessageIntegrity.verify(buf, start, start + mi, 20, KEY), buf.toString());
            assertEquals(start, buf.readerIndex());
        }
    }

    @Test
    void computeIntoACallersArrayWritesOnlyItsRange() {
        for (boolean sha256 : new boolean[] {false, true}) {
            ByteBuf buf = support.direct(request(sha256));
            int length = sha256 ? 32 : 20;
            int mi = buf.writerIndex() - 4 - length;
            byte[] expected = MessageIntegrity.compute(buf, 0, mi, length, sha256 ? KEY_256 : KEY);
            byte[] out = new byte[length + 10];
            Arrays.fill(out, (byte) 0x55);
            assertEquals(length, MessageIntegrity.compute(buf, 0, mi, length, sha256 ? KEY_256 : KEY, out, 3));
            assertArrayEquals(expected, Arrays.copyOfRange(out, 3, 3 + length));
            assertEquals("555555", hex(Arrays.copyOf(out, 3)));
            assertEquals("55555555555555", hex(Arrays.copyOfRange(out, 3 + length, out.length)));
            IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class,
                    () -> MessageIntegrity.compute(buf, 0, mi, length, KEY, out, 11));
            assertEquals("HMAC output: " + length + " bytes at 11 of " + out.length + " (expected: room for "
                    + length + ")", e.getMessage());
            assertThrows(IndexOutOfBoundsException.class,
                    () -> MessageIntegrity.compute(buf, 0, mi, length, KEY, out, -1));
        }
    }

    @Test
    void computeReturnsAnArrayTheCallerOwns() {
        ByteBuf buf = support.heap(request(false));
        int mi = buf.writerIndex() - 24;
        byte[] first = MessageIntegrity.compute(buf, 0, mi, 20, KEY);
        byte[] copy = first.clone();
        byte[] second = MessageIntegrity.compute(buf, 0, mi, 20, utf8("another key"));
        assertNotSame(first, second);
        assertArrayEquals(copy, first, "a later computation does not overwrite an earlier result");
    }

    /** The comparison covers exactly the received length; lengths no HMAC can match never verify. */
    @Test
    void verifyRefusesEmptyAndOverlongValues() {
        ByteBuf sha1 = support.heap(request(false));
        int mi = sha1.writerIndex() - 24;
        assertTrue(MessageIntegrity.verify(sha1, 0, mi, 20, KEY));
        assertFalse(MessageIntegrity.verify(sha1, 0, mi, 0, KEY));
        assertFalse(MessageIntegrity.verify(sha1, 0, mi, 21, KEY));
        ByteBuf sha256 = support.heap(request(true));
        int mi256 = sha256.writerIndex() - 36;
        assertTrue(MessageIntegrity.verify(sha256, 0, mi256, 32, KEY_256));
        assertFalse(MessageIntegrity.verify(sha256, 0, mi256, 0, KEY_256));
        assertFalse(MessageIntegrity.verify(sha256, 0, mi256, 36, KEY_256));
        // Every single-bit change of the received value fails, whichever byte it is in.
        for (int bit = 0; bit < 32 * 8; bit++) {
            int index = mi256 + 4 + bit / 8;
            sha256.setByte(index, sha256.getByte(index) ^ (1 << (bit % 8)));
            assertFalse(MessageIntegrity.verify(sha256, 0, mi256, 32, KEY_256), "bit " + bit);
            sha256.setByte(index, sha256.getByte(index) ^ (1 << (bit % 8)));
        }
        assertTrue(MessageIntegrity.verify(sha256, 0, mi256, 32, KEY_256));
    }

    @Test
    void anEmptyKeyIsRefused() {
        ByteBuf buf = support.heap(request(false));
        int mi = buf.writerIndex() - 24;
        String expected = "integrity key: 0 bytes (expected: at least 1)";
        assertEquals(expected, assertThrows(IllegalArgumentException.class,
                () -> MessageIntegrity.compute(buf, 0, mi, 20, new byte[0])).getMessage());
        assertEquals(expected, assertThrows(IllegalArgumentException.class,
                () -> MessageIntegrity.verify(buf, 0, mi, 20, new byte[0])).getMessage());
        ByteBuf out = support.out();
        assertThrows(IllegalArgumentException.class, () -> StunWriter.begin(out, StunMethod.BINDING,
                StunClass.REQUEST, TID).messageIntegrity(new byte[0]));
    }

    @Test
    void noKeyMaterialIsLeftInTheThreadsState() throws StunParseException {
        CodecThreadState state = CodecThreadState.get();
        ByteBuf buf = support.direct(request(true));
        StunMessage m = StunMessage.decode(buf);
        assertTrue(m.verifyIntegritySha256(KEY_256));
        assertFalse(state.hmac(true).holdsKey());
        StunWriter.begin(support.out(), StunMethod.BINDING, StunClass.REQUEST, TID).messageIntegrity(KEY)
                .messageIntegritySha256(KEY_256);
        assertFalse(state.hmac(false).holdsKey());
        assertFalse(state.hmac(true).holdsKey());
        // A range outside the buffer fails half-way: the key is still wiped.
        assertThrows(IndexOutOfBoundsException.class,
                () -> MessageIntegrity.compute(buf, 0, buf.writerIndex() + 100, 20, KEY));
        assertFalse(state.hmac(false).holdsKey());
        assertTrue(MessageIntegrity.verify(buf, 0, buf.writerIndex() - 36, 32, KEY_256), "state still usable");
    }

    /** Each thread has its own HMAC state: concurrent verification on several threads gives the right answers. */
    @Test
    void threadsDoNotShareState() throws Exception {
        int threads = 4;
        List<ByteBuf[]> buffers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            buffers.add(new ByteBuf[] {support.direct(request(false)), support.heap(request(true))});
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (ByteBuf[] own : buffers) {
                results.add(pool.submit(() -> {
                    int wrong = 0;
                    for (int i = 0; i < 2000; i++) {
                        ByteBuf sha1 = own[0];
                        ByteBuf sha256 = own[1];
                        boolean ok = MessageIntegrity.verify(sha1, 0, sha1.writerIndex() - 24, 20, KEY)
                                && MessageIntegrity.verify(sha256, 0, sha256.writerIndex() - 36, 32, KEY_256)
                                && !MessageIntegrity.verify(sha1, 0, sha1.writerIndex() - 24, 20, KEY_256);
                        wrong += ok ? 0 : 1;
                    }
                    return wrong;
                }));
            }
            for (Future<Integer> r : results) {
                assertEquals(0, r.get(60, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }
    }

    // --- FINGERPRINT -----------------------------------------------------------------------------------------------

    @Test
    void fingerprintFromEveryBufferKindMatchesTheJdk() {
        ByteBuf w = support.out();
        StunWriter.begin(w, StunMethod.BINDING, StunClass.REQUEST, TID).string(StunAttribute.SOFTWARE, "x".repeat(301))
                .messageIntegrity(KEY).fingerprint();
        byte[] wire = bytes(w);
        int fp = wire.length - 8;
        for (ByteBuf buf : kinds(wire)) {
            int start = buf.readerIndex();
            assertEquals(fingerprintOf(wire, fp), Fingerprint.compute(buf, start, start + fp), buf.toString());
        }
    }

    // --- helpers ---------------------------------------------------------------------------------------------------

    /** A request ending in MESSAGE-INTEGRITY (or -SHA256), longer than the 256-byte scratch array. */
    private byte[] request(boolean sha256) {
        ByteBuf out = support.out();
        StunWriter w = StunWriter.begin(out, StunMethod.ALLOCATE, StunClass.REQUEST, TID)
                .string(StunAttribute.USERNAME, "user")
                .string(StunAttribute.SOFTWARE, "y".repeat(300));
        return bytes(sha256 ? w.messageIntegritySha256(KEY_256).finish() : w.messageIntegrity(KEY).finish());
    }

    /** Heap, direct, composites split at several points, and a direct slice at a non-zero offset. */
    private List<ByteBuf> kinds(byte[] wire) {
        List<ByteBuf> kinds = new ArrayList<>(List.of(support.heap(wire), support.direct(wire)));
        for (int split : new int[] {1, 20, 21, 257, wire.length - 1}) {
            kinds.add(support.composite(wire, split));
        }
        byte[] framed = new byte[wire.length + 13];
        System.arraycopy(wire, 0, framed, 9, wire.length);
        kinds.add(support.direct(framed).slice(9, wire.length));
        kinds.add(support.direct(framed).setIndex(9, 9 + wire.length));
        return kinds;
    }
}
