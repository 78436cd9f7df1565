package io.parkway.server.e2e;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A pure sine tone as a RIFF/WAVE file (PCM, 16-bit, mono), for Chromium's
 * {@code --use-file-for-fake-audio-capture}: the fake microphone then plays this file in a loop.
 */
final class ToneWav {

    static final int SAMPLE_RATE = 48_000;
    private static final int BITS_PER_SAMPLE = 16;
    private static final int CHANNELS = 1;

    private ToneWav() {
    }

    /**
     * Writes {@code seconds} of a sine at {@code frequency} Hz and amplitude {@code amplitude} (0..1 of full scale) to a
     * new temporary file and returns it. The length is a whole number of periods, so the loop has no click.
     */
    static Path write(double frequency, double seconds, double amplitude) throws IOException {
        if (!(frequency > 0 && frequency < SAMPLE_RATE / 2.0)) {
            throw new IllegalArgumentException("frequency: " + frequency + " (expected: 0 < f < " + SAMPLE_RATE / 2 + ")");
        }
        if (!(amplitude > 0 && amplitude <= 1)) {
            throw new IllegalArgumentException("amplitude: " + amplitude + " (expected: 0 < a <= 1)");
        }
        long periods = Math.max(1, Math.round(seconds * frequency));
        int samples = (int) Math.round(periods * SAMPLE_RATE / frequency);
        int dataBytes = samples * CHANNELS * BITS_PER_SAMPLE / 8;
        ByteBuffer buf = ByteBuffer.allocate(44 + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        // RIFF header and "fmt " chunk: http://soundfile.sapp.org/doc/WaveFormat/
        buf.put("RIFF".getBytes(StandardCharsets.US_ASCII)).putInt(36 + dataBytes)
                .put("WAVE".getBytes(StandardCharsets.US_ASCII))
                .put("fmt ".getBytes(StandardCharsets.US_ASCII)).putInt(16)
                .putShort((short) 1) // PCM
                .putShort((short) CHANNELS)
                .putInt(SAMPLE_RATE)
                .putInt(SAMPLE_RATE * CHANNELS * BITS_PER_SAMPLE / 8) // byte rate
                .putShort((short) (CHANNELS * BITS_PER_SAMPLE / 8)) // block align
                .putShort((short) BITS_PER_SAMPLE)
                .put("data".getBytes(StandardCharsets.US_ASCII)).putInt(dataBytes);
        double step = 2 * Math.PI * frequency / SAMPLE_RATE;
        for (int i = 0; i < samples; i++) {
            buf.putShort((short) Math.round(Math.sin(step * i) * amplitude * Short.MAX_VALUE));
        }
        Path file = Files.createTempFile("parkway-tone-" + Math.round(frequency) + "hz-", ".wav");
        file.toFile().deleteOnExit();
        Files.write(file, buf.array());
        return file;
    }
}
