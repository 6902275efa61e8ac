package dev.outdial.media;

import java.time.Duration;

/**
 * Tells a person from an answering machine by the first seconds of what the callee sends, the way
 * telephony systems have long done it (Asterisk's app_amd is the classic): people answer with a
 * short "Hello?" and wait; machines start with a long greeting, or with silence, and end with a
 * beep. Fed one 20 ms frame at a time; it decides once:
 *
 * <ul>
 *   <li>a beep (a steady tone at a voicemail frequency, {@link #BEEP_MS} or longer) → machine;
 *   <li>silence before any speech for {@code initialSilence} → machine (machines wait to start);
 *   <li>speech running {@code greeting} without a pause → machine (a recorded greeting);
 *   <li>{@link #MAX_WORDS} or more words → machine;
 *   <li>speech then {@code afterGreetingSilence} of silence → human (said hello, waits for us);
 *   <li>nothing of these within the decision time → unknown.
 * </ul>
 *
 * After a machine decision it keeps listening for the beep, so "leave a message" can start right
 * after it ({@link #beepEnded()}).
 */
public final class AnsweringMachineDetector {
    /** What the detector decided. */
    public enum Result { HUMAN, MACHINE, UNKNOWN }

    /** A beep must last this long to count. */
    static final int BEEP_MS = 120;
    /** A word: a voiced run of at least this long. */
    static final int MIN_WORD_MS = 100;
    /** Words before the callee counts as a machine reading a greeting. */
    static final int MAX_WORDS = 4;
    /** Pauses shorter than this inside speech do not end a greeting. */
    static final int BETWEEN_WORDS_MS = 300;
    /** Frame energy (mean square of samples in [-1, 1]) above which a frame is voiced: about -42 dBFS. */
    static final double VOICE_ENERGY = 6e-5;
    /** Frequencies voicemail systems beep at. */
    private static final double[] BEEP_HZ = {440, 480, 620, 850, 950, 1000, 1100, 1400, 1500};
    /** Share of the frame's energy the beep bin must hold (a pure tone gives about 0.5). */
    private static final double BEEP_SHARE = 0.35;

    private final int decisionMs;
    private final int initialSilenceMs;
    private final int greetingMs;
    private final int afterGreetingSilenceMs;
    private final Goertzel[] beeps = new Goertzel[BEEP_HZ.length];
    private int elapsedMs;
    private int silenceMs;
    private int voicedRunMs;
    private int speechRunMs;
    private boolean heardSpeech;
    private int words;
    private int beepMs;
    private int beepBin = -1;
    private boolean beepEnded;
    private Result result;
    private String reason;

    /** The classic timings: 2.5 s initial silence, 1.5 s greeting, 0.8 s silence after a greeting. */
    public AnsweringMachineDetector(Duration decisionTime) {
        this(decisionTime, Duration.ofMillis(2500), Duration.ofMillis(1500), Duration.ofMillis(800));
    }

    public AnsweringMachineDetector(Duration decisionTime, Duration initialSilence, Duration greeting, Duration afterGreetingSilence) {
        this.decisionMs = (int) decisionTime.toMillis();
        this.initialSilenceMs = (int) initialSilence.toMillis();
        this.greetingMs = (int) greeting.toMillis();
        this.afterGreetingSilenceMs = (int) afterGreetingSilence.toMillis();
        for (int i = 0; i < BEEP_HZ.length; i++) beeps[i] = new Goertzel(BEEP_HZ[i], 8000);
    }

    /** Feeds one frame; returns the decision once made (and every frame after), else null. */
    public Result offer(short[] frame) {
        int ms = frame.length / 8;
        elapsedMs += ms;
        boolean beep = beep(frame, ms);
        if (result != null) { // decided: keep only the silence count, for "leave a message" after a greeting without a beep
            silenceMs = Goertzel.energy(frame, 0, frame.length) > VOICE_ENERGY ? 0 : silenceMs + ms;
            return result;
        }
        if (beep) return decide(Result.MACHINE, "beep");
        boolean voiced = Goertzel.energy(frame, 0, frame.length) > VOICE_ENERGY;
        if (voiced) {
            if (silenceMs >= BETWEEN_WORDS_MS) speechRunMs = 0; // a real pause: a new utterance starts
            silenceMs = 0;
            heardSpeech = true;
            voicedRunMs += ms;
            speechRunMs += ms;
            if (voicedRunMs >= MIN_WORD_MS && voicedRunMs - ms < MIN_WORD_MS) words++; // counted once, as the run crosses a word's length
            if (speechRunMs >= greetingMs) return decide(Result.MACHINE, "long_greeting");
            if (words >= MAX_WORDS) return decide(Result.MACHINE, "many_words");
        } else {
            voicedRunMs = 0;
            silenceMs += ms;
            if (silenceMs < BETWEEN_WORDS_MS) speechRunMs += ms; // a short gap inside speech still counts as speaking
            if (!heardSpeech && silenceMs >= initialSilenceMs) return decide(Result.MACHINE, "initial_silence");
            if (heardSpeech && silenceMs >= afterGreetingSilenceMs) return decide(Result.HUMAN, "short_greeting");
        }
        if (elapsedMs >= decisionMs) return decide(Result.UNKNOWN, "undecided");
        return null;
    }

    private boolean beep(short[] frame, int ms) {
        double energy = Goertzel.energy(frame, 0, frame.length);
        int bin = -1;
        if (energy > VOICE_ENERGY) {
            for (int i = 0; i < beeps.length; i++) {
                if (beeps[i].power(frame, 0, frame.length) / energy > BEEP_SHARE) {
                    bin = i;
                    break;
                }
            }
        }
        if (bin >= 0 && (bin == beepBin || beepMs == 0)) {
            beepBin = bin;
            beepMs += ms;
        } else {
            if (beepMs >= BEEP_MS) beepEnded = true;
            beepMs = 0;
            beepBin = -1;
        }
        return beepMs >= BEEP_MS;
    }

    /** True once a beep has been heard and has ended: the moment to start leaving a message. */
    public boolean beepEnded() {
        return beepEnded;
    }

    /** The decision, or null while undecided. */
    public Result result() {
        return result;
    }

    /** Why: beep, initial_silence, long_greeting, many_words, short_greeting or undecided. */
    public String reason() {
        return reason;
    }

    /** Milliseconds of silence up to the last frame (0 while the callee speaks). */
    public int silenceMs() {
        return silenceMs;
    }

    /** Milliseconds of audio heard so far. */
    public int elapsedMs() {
        return elapsedMs;
    }

    private Result decide(Result r, String why) {
        result = r;
        reason = why;
        return r;
    }
}
