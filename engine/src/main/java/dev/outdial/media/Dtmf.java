package dev.outdial.media;

/**
 * DTMF: RFC 4733 telephone-event payloads (sent and received over RTP) and the dual tones for
 * sending in-band when the far end did not offer telephone-event.
 */
public final class Dtmf {
    private static final String EVENTS = "0123456789*#ABCD";
    /** Low and high tone of each key (ITU-T Q.23), in the order of {@link #EVENTS}. */
    private static final int[][] TONES = {
            {941, 1336}, {697, 1209}, {697, 1336}, {697, 1477}, {770, 1209}, {770, 1336}, {770, 1477},
            {852, 1209}, {852, 1336}, {852, 1477}, {941, 1209}, {941, 1477},
            {697, 1633}, {770, 1633}, {852, 1633}, {941, 1633}};
    /** Tone length of one in-band key press. */
    static final int TONE_MS = 100;
    /** Silence after an in-band key press. */
    static final int GAP_MS = 60;

    private Dtmf() {
    }

    /** The RFC 4733 event code of a digit, or -1 if it is not a DTMF key. */
    public static int event(char digit) {
        return EVENTS.indexOf(Character.toUpperCase(digit));
    }

    /** The digit of an RFC 4733 event code, or 0 for events that are not DTMF keys. */
    public static char digit(int event) {
        return event >= 0 && event < EVENTS.length() ? EVENTS.charAt(event) : 0;
    }

    /** The 4-byte telephone-event payload: event, end bit, volume (dBm0 below 0, 0-63), duration in samples. */
    public static byte[] payload(int event, boolean end, int volume, int duration) {
        return new byte[] {(byte) event, (byte) ((end ? 0x80 : 0) | (volume & 0x3F)), (byte) (duration >> 8), (byte) duration};
    }

    /** Whether a telephone-event payload has its end bit set. */
    public static boolean isEnd(byte[] payload) {
        return payload.length >= 4 && (payload[1] & 0x80) != 0;
    }

    /** 8 kHz PCM of one key press and the silence after it, for in-band sending. */
    public static short[] tones(char digit) {
        int e = event(digit);
        if (e < 0) throw new IllegalArgumentException("not a DTMF digit: '" + digit + "'");
        int n = 8 * TONE_MS;
        short[] pcm = new short[n + 8 * GAP_MS];
        double f1 = TONES[e][0], f2 = TONES[e][1];
        for (int i = 0; i < n; i++) {
            double t = i / 8000.0;
            pcm[i] = (short) (8000 * (Math.sin(2 * Math.PI * f1 * t) + Math.sin(2 * Math.PI * f2 * t)));
        }
        return pcm;
    }
}
