package dev.outdial.agent;

import dev.outdial.agent.speech.StreamingTranscriber;
import dev.outdial.agent.speech.Transcriber;
import java.util.function.LongSupplier;

/**
 * The listening side of a {@link Conversation}: where the callee's turns start and end, and each turn's
 * transcription. Fed on the media clock, so nothing here waits: a per-utterance {@link Transcriber} is
 * called later, on the conversation's thread, with the turn's audio; a {@link StreamingTranscriber} gets
 * each turn's frames as they are spoken (the pre-roll when the turn starts, then every frame to its
 * end-of-turn silence), through one session opened for the call, so at the end of a turn only its final
 * text is left to wait for.
 */
final class Listening {
    /** The detector needs ~160 ms of speech to start a turn, and its pre-roll goes back a little further. */
    private static final long DETECTION_DELAY_MS = 200;

    private final TurnDetector turns = TurnDetector.defaults();
    private final Transcriber stt;
    private final StreamingTranscriber streamingStt;
    private final String language;
    private final LongSupplier clockMs;
    private volatile StreamingTranscriber.Session session; // streaming: between open() and close()
    private volatile long speechStartMs;

    /** With one of the transcribers, or neither (a conversation in words gets no audio). */
    Listening(Transcriber stt, StreamingTranscriber streamingStt, String language, LongSupplier clockMs) {
        this.stt = stt;
        this.streamingStt = streamingStt;
        this.language = language;
        this.clockMs = clockMs;
    }

    /** A callee's turn: its text (on its way, for a spoken turn) and when it started and ended, in clock ms. */
    record Heard(StreamingTranscriber.TurnText transcription, long startMs, long endMs) {
    }

    /** The conversation starts: a streaming transcriber's session for the call is opened. */
    void open() {
        if (streamingStt != null) session = streamingStt.open(language);
    }

    /** The conversation is over: the streaming session is closed. */
    void close() {
        StreamingTranscriber.Session s = session;
        session = null;
        if (s != null) s.close();
    }

    /** One frame of the callee's audio, on the media clock: what it changed. After {@code TURN_ENDED}, {@link #heard}. */
    TurnDetector.Event offer(short[] frame) {
        TurnDetector.Event event = turns.offer(frame);
        StreamingTranscriber.Session s = session;
        if (event == TurnDetector.Event.SPEECH_STARTED) {
            speechStartMs = clockMs.getAsLong() - DETECTION_DELAY_MS;
            if (s != null) turns.turnSoFar().forEach(s::audio);
        } else if (s != null && (event == TurnDetector.Event.TURN_ENDED || turns.speaking())) {
            s.audio(frame);
        }
        return event;
    }

    /**
     * The turn that just ended, its transcription to be waited for on the conversation's thread; null for a
     * streaming transcriber whose session is not open (a turn that ended before the conversation listened).
     */
    Heard heard() {
        long endMs = clockMs.getAsLong();
        if (streamingStt != null) {
            StreamingTranscriber.Session s = session;
            return s == null ? null : new Heard(s.endOfTurn(), speechStartMs, endMs);
        }
        short[] pcm = turns.utterance();
        return new Heard(() -> stt.transcribe(pcm, language), speechStartMs, endMs);
    }

    /** True while the callee is mid-turn. */
    boolean speaking() {
        return turns.speaking();
    }
}
