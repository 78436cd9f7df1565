package io.parkway.turn.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PasswordAlgorithmTest {

    @Test
    void registryCodesAndKeyLengths() {
        assertEquals(0x0001, PasswordAlgorithm.MD5.code());
        assertEquals(0x0002, PasswordAlgorithm.SHA256.code());
        assertEquals(16, PasswordAlgorithm.MD5.keyLength());
        assertEquals(32, PasswordAlgorithm.SHA256.keyLength());
    }

    @Test
    void ofCodeRoundTrips() {
        for (PasswordAlgorithm algorithm : PasswordAlgorithm.values()) {
            assertSame(algorithm, PasswordAlgorithm.ofCode(algorithm.code()));
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0x0000, 0x0003, 0x7fff, 0x8000, 0xffff, -1, 0x10001})
    void ofCodeIsNullForReservedAndUnknownValues(int code) {
        assertNull(PasswordAlgorithm.ofCode(code));
    }
}
