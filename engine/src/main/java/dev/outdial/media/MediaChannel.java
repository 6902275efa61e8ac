package dev.outdial.media;

import java.util.concurrent.CompletableFuture;

/**
 * A call's audio as the rest of Outdial sees it: 20 ms frames of 16-bit PCM at 8 kHz, both ways.
 * The agent runtime plays speech into it and listens to what the callee says; answering-machine
 * detection and recording listen too.
 */
public interface MediaChannel {
    /** Samples in one 20 ms frame at 8 kHz. */
    int FRAME_SAMPLES = 160;

    /**
     * Queues PCM (8 kHz, any length; the last frame is padded with silence) after anything queued
     * before. The future completes true when the audio has been sent, false when {@link #stopPlayback()}
     * or the end of the call cut it short.
     */
    CompletableFuture<Boolean> play(short[] pcm);

    /** Drops every queued frame (the callee barged in); their futures complete false. */
    void stopPlayback();

    /** True while queued audio remains to be sent. */
    boolean playing();

    /** Adds a listener for received audio and DTMF; it runs on the media clock, so it must return quickly. */
    void listen(MediaListener listener);

    /** Sends DTMF digits (0-9, *, #, A-D): RFC 4733 events when the far end accepts them, else in-band tones. */
    void sendDtmf(String digits);

    /** A channel with no far end: nothing is heard, what is played completes at once. For carriers without media. */
    MediaChannel NONE = new MediaChannel() {
        @Override
        public CompletableFuture<Boolean> play(short[] pcm) {
            return CompletableFuture.completedFuture(true);
        }

        @Override
        public void stopPlayback() {
        }

        @Override
        public boolean playing() {
            return false;
        }

        @Override
        public void listen(MediaListener listener) {
        }

        @Override
        public void sendDtmf(String digits) {
        }
    };
}
