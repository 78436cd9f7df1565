package io.parkway.signaling;

/**
 * The speaker's audio settings, forwarded to listeners: {@code voice} or {@code music}, the Opus bitrate in bits per
 * second (<a href="https://datatracker.ietf.org/doc/html/rfc6716#section-2.1.1">RFC 6716 section 2.1.1</a>: 6 to 510
 * kbit/s), stereo, discontinuous transmission and in-band forward error correction.
 */
record MediaSettings(String mode, int bitrate, boolean stereo, boolean dtx, boolean fec) {

    static final int MIN_BITRATE = 6000;
    static final int MAX_BITRATE = 510000;

    MediaSettings {
        if (!"voice".equals(mode) && !"music".equals(mode)) {
            throw new IllegalArgumentException("settings.mode: " + mode + " (expected: voice or music)");
        }
        if (bitrate < MIN_BITRATE || bitrate > MAX_BITRATE) {
            throw new IllegalArgumentException(
                    "settings.bitrate: " + bitrate + " (expected: " + MIN_BITRATE + "-" + MAX_BITRATE + ")");
        }
    }
}
