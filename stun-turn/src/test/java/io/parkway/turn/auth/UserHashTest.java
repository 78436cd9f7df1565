package io.parkway.turn.auth;

import static io.parkway.turn.auth.LongTermKeyTest.MATRIX_USERNAME;
import static io.parkway.turn.auth.LongTermKeyTest.REALM;
import static io.parkway.turn.auth.LongTermKeyTest.RFC8489_B1_REQUEST;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class UserHashTest {

    @Test
    void rfc8489AppendixB1UserHash() {
        byte[] hash = UserHash.of(MATRIX_USERNAME, REALM);
        assertEquals(UserHash.LENGTH, hash.length);
        assertEquals("4a3cf38fef6992bda952c6780417da0f24819415569e60b205c46e41407f1704",
                HexFormat.of().formatHex(hash));
        // The same 32 bytes follow the USERHASH attribute header (00 1e 00 20) in the sample request.
        assertArrayEquals(Arrays.copyOfRange(RFC8489_B1_REQUEST, 24, 56), hash);
    }

    @Test
    void usernameAndRealmAreBothPrepared() {
        assertArrayEquals(UserHash.of("alice", "example.org"), UserHash.of("al\u00adice", "example\u200b.org"));
    }

    @Test
    void invalidInputIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> UserHash.of("", "example.org"));
        assertThrows(IllegalArgumentException.class, () -> UserHash.of("alice", "exa\u0000mple.org"));
        assertThrows(NullPointerException.class, () -> UserHash.of("alice", null));
    }
}
