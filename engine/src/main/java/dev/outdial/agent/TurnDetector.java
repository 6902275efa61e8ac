package dev.outdial.agent;

import dev.outdial.media.Goertzel;
import java.time.Duration;
import java.util.ArrayDeque;

/**
 * Voice-activity detection and end of turn on the callee's 20 ms frames. A frame is voiced when its
 * energy stands clearly above the line's noise floor (tracked as a slow minimum, so a noisy line
 * does not read as endless speech); speech has started after {@code minSpeech} of voiced frames
 * (a click or a breath is not a turn), and the turn has ended after {@code endOfTurn} of silence
 * (default 600 ms). The utterance handed over includes {@link #PRE_ROLL_FRAMES} frames from before
 * speech was detected, so its first syllable is not clipped for the transcriber.
 *
 * <p>Fed on the media clock, one frame at a time; it allocates only when speech is under way.
 */
public final class TurnDetector {
    /** What a frame changed. */
    public enum Event { NONE, SPEECH_STARTED, TURN_ENDED }

    /** Frames kept from before speech starts. */
    static final int PRE_ROLL_FRAMES = 10;
    /** Voiced: energy this many times the noise floor (about 12 dB)… */
    static final double ABOVE_FLOOR = 16;
    /** …and at least this (mean square of samples in [-1, 1], about -45 dBFS), so digital silence is never voiced. */
    static final double MIN_ENERGY = 3e-5;
    /** The longest utterance kept: a callee who never pauses is cut into turns of this length. */
    static final int MAX_UTTERANCE_FRAMES = 50 * 30;

    private final int minSpeechFrames;
    private final int endOfTurnFrames;
    private final ArrayDeque<short[]> preRoll = new ArrayDeque<>();
    private double floor = MIN_ENERGY / ABOVE_FLOOR; // start by assuming a quiet line: a "Hello?" at once is heard
    private int voicedRun;
    private int silentRun;
    private volatile boolean speaking; // written on the media clock, read by the conversation thread
    private java.util.List<short[]> utterance;
    private short[] lastUtterance;

    public TurnDetector(Duration minSpeech, Duration endOfTurn) {
        this.minSpeechFrames = Math.max(1, (int) (minSpeech.toMillis() / 20));
        this.endOfTurnFrames = Math.max(1, (int) (endOfTurn.toMillis() / 20));
    }

    /** 160 ms to start a turn, 600 ms of silence to end it. */
    public static TurnDetector defaults() {
        return new TurnDetector(Duration.ofMillis(160), Duration.ofMillis(600));
    }

    public Event offer(short[] frame) {
        double e = Goertzel.energy(frame, 0, frame.length);
        boolean voiced = e > MIN_ENERGY && e > ABOVE_FLOOR * floor;
        track(e);
        if (!speaking) {
            preRoll.addLast(frame);
            if (preRoll.size() > PRE_ROLL_FRAMES) preRoll.removeFirst();
            voicedRun = voiced ? voicedRun + 1 : 0;
            if (voicedRun >= minSpeechFrames) {
                speaking = true;
                silentRun = 0;
                utterance = new java.util.ArrayList<>(preRoll);
                preRoll.clear();
                return Event.SPEECH_STARTED;
            }
            return Event.NONE;
        }
        utterance.add(frame);
        silentRun = voiced ? 0 : silentRun + 1;
        if (silentRun >= endOfTurnFrames || utterance.size() >= MAX_UTTERANCE_FRAMES) {
            lastUtterance = join(utterance, silentRun >= endOfTurnFrames ? silentRun : 0);
            utterance = null;
            speaking = false;
            voicedRun = 0;
            return Event.TURN_ENDED;
        }
        return Event.NONE;
    }

    /** True while a turn is under way (speech started, end not yet reached). */
    public boolean speaking() {
        return speaking;
    }

    /** The frames of the turn under way so far, pre-roll first (at {@code SPEECH_STARTED}: for a transcriber that streams). */
    public java.util.List<short[]> turnSoFar() {
        return utterance == null ? java.util.List.of() : java.util.Collections.unmodifiableList(utterance);
    }

    /** The PCM of the turn that just ended (without its trailing silence), for the transcriber. */
    public short[] utterance() {
        return lastUtterance;
    }

    /**
     * The noise floor falls fast to quieter frames and rises at most 1% a frame (about 4 dB in two
     * seconds) towards louder ones: steady noise becomes the floor within seconds, while speech, which
     * pauses, keeps pulling it back down long before it could pass for noise.
     */
    private void track(double e) {
        floor = e < floor ? 0.7 * floor + 0.3 * e : Math.min(e, floor * 1.01);
        floor = Math.max(floor, 1e-9);
    }

    private static short[] join(java.util.List<short[]> frames, int dropTrailing) {
        int keep = frames.size() - dropTrailing;
        int n = 0;
        for (int i = 0; i < keep; i++) n += frames.get(i).length;
        short[] out = new short[n];
        int at = 0;
        for (int i = 0; i < keep; i++) {
            System.arraycopy(frames.get(i), 0, out, at, frames.get(i).length);
            at += frames.get(i).length;
        }
        return out;
    }
}
