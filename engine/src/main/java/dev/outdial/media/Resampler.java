package dev.outdial.media;

/**
 * Converts 20 ms frames between the telephone's 8 kHz and the 16 kHz speech engines work at, by 2:
 * up by inserting zeros and low-pass filtering, down by low-pass filtering and keeping every other
 * sample. The filter is a 31-tap windowed-sinc half-band low-pass (cut at a quarter of the 16 kHz
 * rate, Blackman window: about 70 dB of stop-band rejection), and each instance keeps the tail of
 * the previous frame, so consecutive frames join without clicks. One instance per direction per call.
 */
public final class Resampler {
    private static final int TAPS = 31;
    private static final double[] FILTER = filter();

    private final boolean up;
    private final double[] history = new double[TAPS - 1];

    private Resampler(boolean up) {
        this.up = up;
    }

    /** 8 kHz → 16 kHz: each call doubles the frame (160 samples become 320). */
    public static Resampler upsampler() {
        return new Resampler(true);
    }

    /** 16 kHz → 8 kHz: each call halves the frame (320 samples become 160). */
    public static Resampler downsampler() {
        return new Resampler(false);
    }

    public short[] process(short[] in) {
        if (up) {
            short[] out = new short[in.length * 2];
            for (int i = 0; i < out.length; i++) {
                // zero-stuffed input at 16 kHz; the gain of 2 makes up for the inserted zeros
                out[i] = clip(2 * filterNext((i & 1) == 0 ? in[i >> 1] : 0));
            }
            return out;
        }
        short[] out = new short[in.length / 2];
        for (int i = 0; i < in.length; i++) {
            double y = filterNext(in[i]);
            if ((i & 1) == 0) out[i >> 1] = clip(y); // even samples: the total delay of up then down is a whole 15 samples at 8 kHz
        }
        return out;
    }

    private double filterNext(double x) {
        double acc = FILTER[0] * x;
        for (int k = 1; k < TAPS; k++) acc += FILTER[k] * history[k - 1];
        System.arraycopy(history, 0, history, 1, TAPS - 2);
        history[0] = x;
        return acc;
    }

    private static short clip(double v) {
        long r = Math.round(v);
        return (short) Math.max(Short.MIN_VALUE, Math.min(Short.MAX_VALUE, r));
    }

    private static double[] filter() {
        double[] h = new double[TAPS];
        int mid = TAPS / 2;
        double sum = 0;
        for (int n = 0; n < TAPS; n++) {
            int k = n - mid;
            double sinc = k == 0 ? 0.5 : Math.sin(Math.PI * k / 2) / (Math.PI * k);
            double window = 0.42 - 0.5 * Math.cos(2 * Math.PI * n / (TAPS - 1)) + 0.08 * Math.cos(4 * Math.PI * n / (TAPS - 1));
            h[n] = sinc * window;
            sum += h[n];
        }
        for (int n = 0; n < TAPS; n++) h[n] /= sum; // unity gain at 0 Hz
        return h;
    }
}
