package dev.outdial.media;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SignalTest {

    private static short[] tone(double hz, int rate, int n, double amplitude) {
        short[] s = new short[n];
        for (int i = 0; i < n; i++) s[i] = (short) Math.round(amplitude * 32767 * Math.sin(2 * Math.PI * hz * i / rate));
        return s;
    }

    private static double rms(short[] s, int from) {
        double e = 0;
        for (int i = from; i < s.length; i++) e += (double) s[i] * s[i];
        return Math.sqrt(e / (s.length - from));
    }

    @Test
    void goertzel_hears_its_frequency_and_not_its_neighbours() {
        short[] beep = tone(1000, 8000, 800, 0.5);
        Goertzel at1000 = new Goertzel(1000, 8000);
        Goertzel at1400 = new Goertzel(1400, 8000);
        double energy = Goertzel.energy(beep, 0, 800);
        assertThat(at1000.power(beep, 0, 800) / energy).as("share of the energy in the bin").isGreaterThan(0.4);
        assertThat(at1400.power(beep, 0, 800) / energy).isLessThan(0.01);
        assertThat(at1000.power(new short[800], 0, 800)).isZero();
    }

    @Test
    void up_then_down_keeps_speech_band_tones_and_frames_join_smoothly() {
        Resampler up = Resampler.upsampler();
        Resampler down = Resampler.downsampler();
        short[] in = tone(1000, 8000, 1600, 0.5); // ten 20 ms frames
        short[] back = new short[1600];
        for (int f = 0; f < 10; f++) {
            short[] frame = java.util.Arrays.copyOfRange(in, f * 160, f * 160 + 160);
            short[] wide = up.process(frame);
            assertThat(wide).hasSize(320);
            short[] narrow = down.process(wide);
            assertThat(narrow).hasSize(160);
            System.arraycopy(narrow, 0, back, f * 160, 160);
        }
        // The two filters delay by 15 + 15 samples at 16 kHz = 15 at 8 kHz; compare after that, over whole frames.
        double ratio = rms(back, 320) / rms(in, 320);
        assertThat(ratio).as("1 kHz passes within 0.5 dB").isBetween(0.944, 1.06);
        double err = 0;
        for (int i = 320; i < 1600; i++) err += Math.pow(back[i] - in[i - 15], 2);
        assertThat(Math.sqrt(err / 1280) / rms(in, 320)).as("and comes back in shape (delay 15 samples)").isLessThan(0.02);
    }

    @Test
    void downsampling_removes_what_8_khz_cannot_carry() {
        Resampler down = Resampler.downsampler();
        short[] high = tone(6000, 16000, 3200, 0.5); // above the 4 kHz limit of 8 kHz audio: would alias to 2 kHz
        short[] out = new short[1600];
        for (int f = 0; f < 10; f++) {
            short[] narrow = down.process(java.util.Arrays.copyOfRange(high, f * 320, f * 320 + 320));
            System.arraycopy(narrow, 0, out, f * 160, 160);
        }
        assertThat(rms(out, 160) / rms(high, 320)).as("at least 40 dB down").isLessThan(0.01);
    }
}
