package io.parkway.turn.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parkway.testing.MutableClock;
import io.parkway.turn.auth.NonceCodec.Verdict;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class NonceCodecTest {
    private static final byte[] KEY = new byte[32];
    private static final Duration LIFETIME = Duration.ofMinutes(10);
    private static final byte[] CLIENT = {(byte) 192, 0, 2, 1};
    private static final byte[] OTHER_CLIENT = {(byte) 192, 0, 2, 2};
    private static final byte[] CLIENT_V6 = {0x20, 0x01, 0x0d, (byte) 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};

    static {
        Arrays.fill(KEY, (byte) 0x5a);
    }

    private final MutableClock clock = new MutableClock(Instant.ofEpochSecond(1_700_000_000L, 250_000_000L));
    private final NonceCodec codec = new NonceCodec(KEY, clock, LIFETIME);
    private ExecutorService executor;

    @AfterEach
    void shutDown() {
        if (executor != null) {
            executor.shutdownNow();
        }
    }

    @Test
    void freshNonceIsValid() {
        assertEquals(Verdict.VALID, codec.verify(codec.issue(true)));
        assertEquals(Verdict.VALID, codec.verify(codec.issue(false)));
        assertEquals(Verdict.VALID, codec.verify(codec.issue(true, CLIENT), CLIENT));
        assertEquals(Verdict.VALID, codec.verify(codec.issue(EnumSet.allOf(SecurityFeature.class), CLIENT_V6),
                CLIENT_V6));
    }

    @Test
    void nonceBeginsWithTheNonceCookie() {
        assertTrue(codec.issue(true).startsWith("obMatJos2gAAA"));
        assertTrue(codec.issue(false, CLIENT).startsWith("obMatJos2AAAA"));
        assertTrue(codec.issue(EnumSet.allOf(SecurityFeature.class)).startsWith("obMatJos2wAAA"));
        assertEquals(EnumSet.of(SecurityFeature.PASSWORD_ALGORITHMS), SecurityFeature.ofNonce(codec.issue(true)));
    }

    @Test
    void booleanIssueNeverAnnouncesUsernameAnonymity() {
        assertEquals(Set.of(), SecurityFeature.ofNonce(codec.issue(false)));
        assertEquals(EnumSet.of(SecurityFeature.PASSWORD_ALGORITHMS),
                SecurityFeature.ofNonce(codec.issue(true, CLIENT)));
    }

    @Test
    void nonceIsShortAndQuotedStringSafe() {
        for (String nonce : List.of(codec.issue(true), codec.issue(false, CLIENT_V6),
                codec.issue(EnumSet.allOf(SecurityFeature.class), CLIENT))) {
            assertEquals(NonceCodec.NONCE_LENGTH, nonce.length());
            assertTrue(nonce.length() < 128, nonce);
            // Base64 and base64url characters only: no DQUOTE or backslash, nothing outside ASCII.
            assertTrue(nonce.matches("[A-Za-z0-9+/_-]+"), nonce);
        }
    }

    @Test
    void expiredNonceIsStale() {
        String nonce = codec.issue(true, CLIENT);
        clock.advance(LIFETIME.minusSeconds(1));
        assertEquals(Verdict.VALID, codec.verify(nonce, CLIENT));
        clock.advance(Duration.ofSeconds(1));
        assertEquals(Verdict.STALE, codec.verify(nonce, CLIENT));
        clock.advance(Duration.ofDays(365));
        assertEquals(Verdict.STALE, codec.verify(nonce, CLIENT));
    }

    @Test
    void expiredNonceFromAnotherClientIsInvalidNotStale() {
        String nonce = codec.issue(true, CLIENT);
        clock.advance(LIFETIME.plusSeconds(1));
        assertEquals(Verdict.INVALID, codec.verify(nonce, OTHER_CLIENT));
    }

    @Test
    void everyAlteredCharacterMakesTheNonceInvalid() {
        String nonce = codec.issue(true, CLIENT);
        for (int i = 0; i < nonce.length(); i++) {
            char replacement = nonce.charAt(i) == 'A' ? 'B' : 'A';
            String altered = nonce.substring(0, i) + replacement + nonce.substring(i + 1);
            assertEquals(Verdict.INVALID, codec.verify(altered, CLIENT), "altered at index " + i + ": " + altered);
        }
    }

    @Test
    void strippedFeatureBitIsDetected() {
        // The bid-down attack of RFC 8489 section 9.2.1: "gAAA" (password algorithms) rewritten to "AAAA".
        String nonce = codec.issue(true, CLIENT);
        String stripped = nonce.replaceFirst("^obMatJos2gAAA", "obMatJos2AAAA");
        assertEquals(Verdict.INVALID, codec.verify(stripped, CLIENT));
    }

    @Test
    void nonCanonicalLastCharacterIsInvalid() {
        // 28 bytes leave 4 unused bits in the last character; a decoder would ignore them.
        String nonce = codec.issue(true);
        char last = nonce.charAt(nonce.length() - 1);
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        char sibling = alphabet.charAt(alphabet.indexOf(last) ^ 1);
        String altered = nonce.substring(0, nonce.length() - 1) + sibling;
        assertEquals(Verdict.INVALID, codec.verify(altered));
    }

    @Test
    void nonceFromAnotherAddressIsInvalid() {
        assertEquals(Verdict.INVALID, codec.verify(codec.issue(true, CLIENT), OTHER_CLIENT));
        assertEquals(Verdict.INVALID, codec.verify(codec.issue(true, CLIENT), CLIENT_V6));
    }

    @Test
    void boundAndUnboundNoncesDoNotMix() {
        assertEquals(Verdict.INVALID, codec.verify(codec.issue(true, CLIENT)));
        assertEquals(Verdict.INVALID, codec.verify(codec.issue(true), CLIENT));
    }

    @Test
    void ipv4MappedAddressCountsAsTheIpv4Address() {
        byte[] mapped = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, (byte) 192, 0, 2, 1};
        assertEquals(Verdict.VALID, codec.verify(codec.issue(true, CLIENT), mapped));
        assertEquals(Verdict.VALID, codec.verify(codec.issue(true, mapped), CLIENT));
    }

    @Test
    void nonceUnderAnotherKeyIsInvalid() {
        byte[] otherKey = KEY.clone();
        otherKey[0] ^= 1;
        NonceCodec restarted = new NonceCodec(otherKey, clock, LIFETIME);
        assertEquals(Verdict.INVALID, restarted.verify(codec.issue(true, CLIENT), CLIENT));
        NonceCodec randomKey = new NonceCodec(clock, LIFETIME);
        assertEquals(Verdict.INVALID, randomKey.verify(codec.issue(true)));
        assertEquals(Verdict.VALID, randomKey.verify(randomKey.issue(true)));
    }

    @Test
    void malformedNoncesAreInvalid() {
        String valid = codec.issue(true);
        for (String nonce : List.of("", "obMatJos2gAAA", "f//499k954d6OL34oL9FSTvy64sA", valid + "A",
                valid.substring(1), valid.substring(0, valid.length() - 1), valid.replace('A', '='),
                "obMatJos2gAAA" + "!".repeat(NonceCodec.NONCE_LENGTH - 13), "x".repeat(763))) {
            assertEquals(Verdict.INVALID, codec.verify(nonce), nonce);
        }
    }

    @Test
    void everyNonceIsDistinct() {
        // RFC 8489 section 9.2.4: no two requests get the same nonce, even within one second from one address.
        Set<String> nonces = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            assertTrue(nonces.add(codec.issue(true, CLIENT)));
        }
    }

    @Test
    void concurrentUseIsSafe() throws Exception {
        executor = Executors.newFixedThreadPool(4);
        List<Future<Integer>> results = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            results.add(executor.submit(() -> {
                int valid = 0;
                for (int i = 0; i < 500; i++) {
                    if (codec.verify(codec.issue(true, CLIENT), CLIENT) == Verdict.VALID) {
                        valid++;
                    }
                }
                return valid;
            }));
        }
        for (Future<Integer> result : results) {
            assertEquals(500, result.get());
        }
    }

    @Test
    void constructorValidatesItsArguments() {
        IllegalArgumentException shortKey = assertThrows(IllegalArgumentException.class,
                () -> new NonceCodec(new byte[16], clock, LIFETIME));
        assertEquals("nonce key: 16 bytes (expected: at least 32)", shortKey.getMessage());
        IllegalArgumentException lifetime = assertThrows(IllegalArgumentException.class,
                () -> new NonceCodec(KEY, clock, Duration.ofMillis(500)));
        assertEquals("nonce lifetime: PT0.5S (expected: at least PT1S)", lifetime.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new NonceCodec(KEY, clock, Duration.ofSeconds(-1)));
        assertThrows(NullPointerException.class, () -> new NonceCodec(null, clock, LIFETIME));
        assertEquals(NonceCodec.DEFAULT_LIFETIME, new NonceCodec().lifetime());
    }

    @Test
    void keyIsCopied() {
        byte[] key = KEY.clone();
        NonceCodec copied = new NonceCodec(key, clock, LIFETIME);
        String nonce = copied.issue(true);
        Arrays.fill(key, (byte) 0);
        assertEquals(Verdict.VALID, copied.verify(nonce));
    }

    @Test
    void clientAddressMustBeFourOrSixteenBytes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> codec.issue(true, new byte[5]));
        assertEquals("client IP: 5 bytes (expected: 4 or 16)", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> codec.verify(codec.issue(true), new byte[0]));
        assertThrows(NullPointerException.class, () -> codec.verify(null));
    }
}
