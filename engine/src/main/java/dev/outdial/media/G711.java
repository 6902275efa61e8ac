package dev.outdial.media;

/**
 * G.711 µ-law (PCMU) and A-law (PCMA), ITU-T G.711: 16-bit linear PCM to 8-bit codes and back.
 * Decoding is a 256-entry table; encoding a 65,536-entry table per law (128 KB in all), so both
 * directions cost one array read per sample: at 50 frames of 160 samples per call per second,
 * thousands of calls stay far from the CPU's limits.
 */
public final class G711 {
    private static final short[] ULAW_TO_LINEAR = new short[256];
    private static final short[] ALAW_TO_LINEAR = new short[256];
    private static final byte[] LINEAR_TO_ULAW = new byte[65536];
    private static final byte[] LINEAR_TO_ALAW = new byte[65536];
    private static final int ULAW_BIAS = 0x84;
    private static final int ULAW_CLIP = 32635;
    /** Segment ends of the A-law encoder, on the 13-bit magnitude (before the tables: the static block uses it). */
    private static final int[] ALAW_SEG_END = {0x1F, 0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF};

    static {
        for (int i = 0; i < 256; i++) {
            ULAW_TO_LINEAR[i] = ulawDecode((byte) i);
            ALAW_TO_LINEAR[i] = alawDecode((byte) i);
        }
        for (int s = Short.MIN_VALUE; s <= Short.MAX_VALUE; s++) {
            LINEAR_TO_ULAW[s & 0xffff] = ulawEncode(s);
            LINEAR_TO_ALAW[s & 0xffff] = alawEncode(s);
        }
    }

    private G711() {
    }

    /** Encodes {@code n} samples from {@code pcm[from..]} to µ-law bytes at {@code out[at..]}. */
    public static void encodeUlaw(short[] pcm, int from, byte[] out, int at, int n) {
        for (int i = 0; i < n; i++) out[at + i] = LINEAR_TO_ULAW[pcm[from + i] & 0xffff];
    }

    public static void decodeUlaw(byte[] in, int from, short[] pcm, int at, int n) {
        for (int i = 0; i < n; i++) pcm[at + i] = ULAW_TO_LINEAR[in[from + i] & 0xff];
    }

    public static void encodeAlaw(short[] pcm, int from, byte[] out, int at, int n) {
        for (int i = 0; i < n; i++) out[at + i] = LINEAR_TO_ALAW[pcm[from + i] & 0xffff];
    }

    public static void decodeAlaw(byte[] in, int from, short[] pcm, int at, int n) {
        for (int i = 0; i < n; i++) pcm[at + i] = ALAW_TO_LINEAR[in[from + i] & 0xff];
    }

    /** The µ-law code of silence (0xFF), for comfort silence. */
    public static final byte ULAW_SILENCE = (byte) 0xFF;
    /** The A-law code of silence (0xD5). */
    public static final byte ALAW_SILENCE = (byte) 0xD5;

    // The reference algorithms (ITU-T G.711, as in Sun's g711.c), used once to fill the tables.

    static byte ulawEncode(int sample) {
        int sign = (sample >> 8) & 0x80;
        if (sign != 0) sample = -sample;
        if (sample > ULAW_CLIP) sample = ULAW_CLIP;
        sample += ULAW_BIAS;
        int exponent = 7;
        for (int mask = 0x4000; (sample & mask) == 0 && exponent > 0; mask >>= 1) exponent--;
        int mantissa = (sample >> (exponent + 3)) & 0x0F;
        return (byte) ~(sign | (exponent << 4) | mantissa);
    }

    static short ulawDecode(byte code) {
        int u = ~code & 0xff;
        int t = ((u & 0x0F) << 3) + ULAW_BIAS;
        t <<= (u & 0x70) >> 4;
        return (short) ((u & 0x80) != 0 ? ULAW_BIAS - t : t - ULAW_BIAS);
    }

    static byte alawEncode(int sample) {
        int pcm = sample >> 3;
        int mask;
        if (pcm >= 0) {
            mask = 0xD5;
        } else {
            mask = 0x55;
            pcm = -pcm - 1;
        }
        int seg = 0;
        while (seg < 8 && pcm > ALAW_SEG_END[seg]) seg++;
        if (seg >= 8) return (byte) (0x7F ^ mask);
        int aval = seg << 4;
        aval |= seg < 2 ? (pcm >> 1) & 0x0F : (pcm >> seg) & 0x0F;
        return (byte) (aval ^ mask);
    }

    static short alawDecode(byte code) {
        int a = (code & 0xff) ^ 0x55;
        int t = (a & 0x0F) << 4;
        int seg = (a & 0x70) >> 4;
        switch (seg) {
            case 0 -> t += 8;
            case 1 -> t += 0x108;
            default -> {
                t += 0x108;
                t <<= seg - 1;
            }
        }
        return (short) ((a & 0x80) != 0 ? t : -t);
    }
}
