package dev.outdial.media;

/** Hears a call's received audio, one 20 ms frame per media clock tick (silence when nothing arrived), and DTMF. */
public interface MediaListener {
    /** One received frame of {@link MediaChannel#FRAME_SAMPLES} samples; the array is the listener's to keep. */
    void audio(short[] frame);

    /** A DTMF digit the far end pressed (RFC 4733 event), once per key press. */
    default void dtmf(char digit) {
    }
}
