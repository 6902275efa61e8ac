package dev.outdial.telephony.sip;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outdial.media.G711;
import dev.outdial.media.Goertzel;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/** Audio for and from the SIP tests: a voicemail greeting with its beep, tones, and reading Outdial's call recordings. */
final class AudioChecks {
    private AudioChecks() {
    }

    /** speech.ulaw: a spoken greeting, 300 ms of silence, a 500 ms beep at 1 kHz, a second of silence. Returns the beep's start (ms). */
    static int greetingWithBeep(Path dir) throws Exception {
        byte[] greeting = Speech.file(dir, "greeting.ulaw", "ul",
                "Hi, you have reached the Smith family. We cannot come to the phone right now. Please leave a message after the tone.");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(greeting);
        out.write(ulaw(new short[8 * 300]));
        int beepStartMs = out.size() / 8;
        out.write(ulaw(tone(1000, 500)));
        out.write(ulaw(new short[8000]));
        Files.write(dir.resolve("speech.ulaw"), out.toByteArray());
        return beepStartMs;
    }

    static short[] tone(double hz, int ms) {
        short[] pcm = new short[8 * ms];
        for (int i = 0; i < pcm.length; i++) pcm[i] = (short) (10000 * Math.sin(2 * Math.PI * hz * i / 8000));
        return pcm;
    }

    static byte[] ulaw(short[] pcm) {
        byte[] b = new byte[pcm.length];
        G711.encodeUlaw(pcm, 0, b, 0, pcm.length);
        return b;
    }

    /** The two channels of a 16-bit stereo WAV written by Outdial (44-byte header). */
    static short[][] stereo(Path wav) throws Exception {
        byte[] b = Files.readAllBytes(wav);
        assertThat(new String(b, 0, 4)).isEqualTo("RIFF");
        ByteBuffer buf = ByteBuffer.wrap(b, 44, b.length - 44).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(ByteBuffer.wrap(b, 40, 4).order(ByteOrder.LITTLE_ENDIAN).getInt()).as("data size in the header").isEqualTo(b.length - 44);
        int n = (b.length - 44) / 4;
        short[][] ch = new short[2][n];
        for (int i = 0; i < n; i++) {
            ch[0][i] = buf.getShort();
            ch[1][i] = buf.getShort();
        }
        return ch;
    }

    /** The start (ms) of the first 20 ms frame where {@code hz} holds most of the energy, or -1. */
    static int firstFrameWithTone(short[] pcm, double hz) {
        Goertzel g = new Goertzel(hz, 8000);
        for (int at = 0; at + 160 <= pcm.length; at += 160) {
            double e = Goertzel.energy(pcm, at, 160);
            if (e > 1e-4 && g.power(pcm, at, 160) / e > 0.35) return at / 8;
        }
        return -1;
    }

    /** The start (ms) of the first frame at or after {@code fromMs} loud enough to be speech, or -1. */
    static int firstSpeechAfter(short[] pcm, int fromMs) {
        for (int at = 8 * fromMs - (8 * fromMs) % 160; at + 160 <= pcm.length; at += 160) {
            if (Goertzel.energy(pcm, at, 160) > 1e-4) return at / 8;
        }
        return -1;
    }

    /** The end (ms) of the last frame loud enough to be speech that starts in [{@code fromMs}, {@code toMs}), or -1. */
    static int lastSpeechBetween(short[] pcm, int fromMs, int toMs) {
        int last = -1;
        for (int at = 8 * fromMs - (8 * fromMs) % 160; at + 160 <= pcm.length && at < 8 * toMs; at += 160) {
            if (Goertzel.energy(pcm, at, 160) > 1e-4) last = at / 8 + 20;
        }
        return last;
    }
}
