package dev.outdial.media;

/**
 * The power of one frequency in a block of PCM (the Goertzel algorithm): a single-bin DFT in one
 * pass with two multiplies per sample. Used to hear an answering machine's beep and DTMF tones
 * without a full FFT.
 */
public final class Goertzel {
    private final double coefficient;

    public Goertzel(double frequencyHz, int sampleRateHz) {
        if (frequencyHz <= 0 || frequencyHz >= sampleRateHz / 2.0) {
            throw new IllegalArgumentException("frequency must be between 0 and the Nyquist frequency " + sampleRateHz / 2 + " Hz, got " + frequencyHz);
        }
        this.coefficient = 2 * Math.cos(2 * Math.PI * frequencyHz / sampleRateHz);
    }

    /** The squared magnitude of the frequency over {@code pcm[from..from+n)}, normalized by n² (a full-scale sine gives ~0.25). */
    public double power(short[] pcm, int from, int n) {
        double s1 = 0;
        double s2 = 0;
        for (int i = 0; i < n; i++) {
            double s0 = pcm[from + i] / 32768.0 + coefficient * s1 - s2;
            s2 = s1;
            s1 = s0;
        }
        return (s1 * s1 + s2 * s2 - coefficient * s1 * s2) / ((double) n * n);
    }

    /** The block's total power per sample, to compare a bin against (a full-scale sine gives ~0.5). */
    public static double energy(short[] pcm, int from, int n) {
        double e = 0;
        for (int i = 0; i < n; i++) {
            double x = pcm[from + i] / 32768.0;
            e += x * x;
        }
        return e / n;
    }
}
