package io.parkway.turn.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Known answers computed with OpenSSL, for example
 * {@code printf '1700000000:alice' | openssl dgst -sha1 -hmac s3cret -binary | base64}.
 */
class RestCredentialsTest {
    private static final long EXPIRY = 1_700_000_000L;
    /** One hour before {@link #EXPIRY}, plus a fraction of a second that the expiry truncates. */
    private static final Clock CLOCK = Clock.fixed(Instant.ofEpochSecond(EXPIRY - 3600, 700_000_000L), ZoneOffset.UTC);

    @Test
    void issueMatchesOpenssl() {
        RestCredential credential = RestCredentials.issue("s3cret", "alice", Duration.ofHours(1), CLOCK);
        assertEquals("1700000000:alice", credential.username());
        assertEquals("TtElzSjT0GdnTQ9xdcRNxx96yQs=", credential.password());
        assertEquals(Instant.ofEpochSecond(EXPIRY), credential.expiresAt());
    }

    @Test
    void emptyUserGivesTheBareTimestamp() {
        RestCredential credential = RestCredentials.issue("s3cret", "", Duration.ofHours(1), CLOCK);
        assertEquals("1700000000", credential.username());
        assertEquals("q+w4xPTJUDdpERozKOlEBw5B9Pg=", credential.password());
    }

    @Test
    void userMayContainColonsAndNonAscii() {
        assertEquals("4gYNiJVJe3uiDxHyu8J5OkJKER4=", RestCredentials.password("north", "1700000000:room:42"));
        assertEquals("QnDdTwzwlReOQ7rZn8+3TMCTmXg=", RestCredentials.password("s3cret", "1700000000:j\u00fcrgen"));
        RestCredential credential = RestCredentials.issue("north", "room:42", Duration.ofHours(1), CLOCK);
        assertEquals("1700000000:room:42", credential.username());
        assertEquals(OptionalLong.of(EXPIRY), RestCredentials.expiry(credential.username()));
    }

    @Test
    void secretIsUtf8() {
        assertEquals("H9NfRFH8tWlMNsPRJZ+mjVaBUF8=", RestCredentials.password("s\u00e9cret", "1700000000:alice"));
    }

    @Test
    void issuedCredentialIsValidUntilItsExpirySecond() {
        RestCredential credential = RestCredentials.issue("s3cret", "alice", Duration.ofMinutes(5), CLOCK);
        String username = credential.username();
        assertFalse(RestCredentials.isExpired(username, CLOCK));
        assertFalse(RestCredentials.isExpired(username, at(credential.expiresAt())));
        assertFalse(RestCredentials.isExpired(username, at(credential.expiresAt().plusMillis(999))));
        assertTrue(RestCredentials.isExpired(username, at(credential.expiresAt().plusSeconds(1))));
    }

    @Test
    void usernameWithoutExpiryIsExpired() {
        assertTrue(RestCredentials.isExpired("alice", CLOCK));
        assertTrue(RestCredentials.isExpired("99999999999999999999999:alice", CLOCK));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "1700000000:alice|1700000000",
        "1700000000|1700000000",
        "1700000000:|1700000000",
        "1700000000:alice:extra|1700000000",
        "0001700000000:alice|1700000000",
        "alice:1700000000|1700000000", // coturn also accepts user:timestamp
        "alice:1700000000:extra|1700000000",
        ":1700000000|1700000000",
        "12a:34|34", // a non-digit before the colon: coturn reads the number after it
        "9223372036854775807:max|9223372036854775807",
        "0:zero|0",
    })
    void expiryParsesCoturnForms(String username, long expected) {
        assertEquals(OptionalLong.of(expected), RestCredentials.expiry(username));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "", "alice", ":", "::", "abc:def", "alice:", "alice:17x", "alice::1700000000",
        "-1700000000:alice", "+1700000000:alice", " 1700000000:alice", "1700000000 :alice",
        "\u0661\u0667\u0660\u0660:alice", // Arabic-Indic digits are not ASCII digits
        "9223372036854775808:overflow", "99999999999999999999999999999999:huge", "alice:99999999999999999999999",
    })
    void expiryIsEmptyWithoutAnAsciiNumber(String username) {
        assertEquals(OptionalLong.empty(), RestCredentials.expiry(username));
    }

    @Test
    void issueValidatesItsArguments() {
        IllegalArgumentException empty = assertThrows(IllegalArgumentException.class,
                () -> RestCredentials.issue("", "alice", Duration.ofHours(1), CLOCK));
        assertEquals("secret: empty (expected: at least one character)", empty.getMessage());
        IllegalArgumentException zero = assertThrows(IllegalArgumentException.class,
                () -> RestCredentials.issue("s3cret", "alice", Duration.ZERO, CLOCK));
        assertEquals("ttl: PT0S (expected: at least PT1S)", zero.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> RestCredentials.issue("s3cret", "alice", Duration.ofSeconds(-60), CLOCK));
        assertThrows(IllegalArgumentException.class,
                () -> RestCredentials.issue("s3cret", "alice", Duration.ofMillis(999), CLOCK));
        assertThrows(NullPointerException.class,
                () -> RestCredentials.issue("s3cret", null, Duration.ofHours(1), CLOCK));
        assertThrows(NullPointerException.class,
                () -> RestCredentials.issue(null, "alice", Duration.ofHours(1), CLOCK));
        assertThrows(IllegalArgumentException.class, () -> RestCredentials.password("", "1700000000:alice"));
    }

    @Test
    void toStringRedactsThePassword() {
        RestCredential credential = RestCredentials.issue("s3cret", "alice", Duration.ofHours(1), CLOCK);
        assertFalse(credential.toString().contains(credential.password()), credential.toString());
        assertTrue(credential.toString().contains("1700000000:alice"), credential.toString());
    }

    private static Clock at(Instant instant) {
        return Clock.fixed(instant, ZoneOffset.UTC);
    }
}
