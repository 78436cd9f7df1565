package io.parkway.turn.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SecurityFeatureTest {

    @Test
    void cookieEncodesBitZeroAsTheMostSignificantBit() {
        // RFC 8489 section 9.2: "with bit 0 as the most significant bit of the first byte".
        assertEquals("obMatJos2AAAA", SecurityFeature.cookie(EnumSet.noneOf(SecurityFeature.class)));
        assertEquals("obMatJos2gAAA", SecurityFeature.cookie(EnumSet.of(SecurityFeature.PASSWORD_ALGORITHMS)));
        assertEquals("obMatJos2QAAA", SecurityFeature.cookie(EnumSet.of(SecurityFeature.USERNAME_ANONYMITY)));
        assertEquals("obMatJos2wAAA", SecurityFeature.cookie(EnumSet.allOf(SecurityFeature.class)));
        assertEquals(SecurityFeature.COOKIE_LENGTH, SecurityFeature.cookie(Set.of()).length());
    }

    @Test
    void ofNonceReadsTheCookieBack() {
        for (Set<SecurityFeature> features : Set.of(EnumSet.noneOf(SecurityFeature.class),
                EnumSet.of(SecurityFeature.PASSWORD_ALGORITHMS), EnumSet.of(SecurityFeature.USERNAME_ANONYMITY),
                EnumSet.allOf(SecurityFeature.class))) {
            assertEquals(features, SecurityFeature.ofNonce(SecurityFeature.cookie(features) + "rest-of-nonce"));
        }
    }

    @Test
    void ofNonceIgnoresUnassignedBits() {
        assertEquals(EnumSet.of(SecurityFeature.PASSWORD_ALGORITHMS), SecurityFeature.ofNonce("obMatJos2n///x"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "f//499k954d6OL34oL9FSTvy64sA", // RFC 5769's nonce, from an RFC 5389 server
        "obMatJos2", "obMatJos2gAA", // too short
        "obMatJos2!!!!xyz", // not base64
        "obMatJos2gA==xyz", // decodes to fewer than 3 bytes
        "OBMATJOS2gAAAxyz",
    })
    void ofNonceIsEmptyWithoutAWellFormedCookie(String nonce) {
        assertTrue(SecurityFeature.ofNonce(nonce).isEmpty());
    }
}
