package io.parkway.server.park;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/** A sine tone as a WAV file (PCM, 48 kHz, 16-bit, mono) for Chromium's {@code --use-file-for-fake-audio-capture}. */
final class ToneWav {

    static final int SAMPLE_RATE = 48_000;

    private ToneWav() {
    }

    /**
     * Writes {@code seconds} of {@code hz} at half of full scale to {@code file}. Chromium loops the file; a whole number
     * of cycles in it ({@code hz * seconds} integral) makes the loop seamless.
     */
    static Path write(Path file, int hz, int seconds) throws IOException {
        int samples = SAMPLE_RATE * seconds;
        int dataBytes = samples * 2;
        ByteBuffer b = ByteBuffer.allocate(44 + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.put("RIFF".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).putInt(36 + dataBytes)
                .put("WAVE".getBytes(java.nio.charset.StandardCharsets.US_ASCII))
                .put("fmt ".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).putInt(16)
                .putShort((short) 1) // PCM
                .putShort((short) 1) // mono
                .putInt(SAMPLE_RATE).putInt(SAMPLE_RATE * 2) // byte rate
                .putShort((short) 2).putShort((short) 16) // block align, bits per sample
                .put("data".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).putInt(dataBytes);
        for (int i = 0; i < samples; i++) {
            b.putShort((short) Math.round(0.5 * Short.MAX_VALUE * Math.sin(2 * Math.PI * hz * i / SAMPLE_RATE)));
        }
        return Files.write(file, b.array());
    }
}
