package dev.outdial.agent.speech;

/**
 * Speech to text that listens while the callee speaks: one session per call takes each turn frame by
 * frame as it is spoken, so when the turn ends only a flush is left to wait for.
 *
 * <p>A session's {@link Session#audio} and {@link Session#endOfTurn} are called on the media clock, which
 * every call shares: they queue and return, never wait. The waiting is done by the conversation's own
 * thread, in {@link TurnText#text}.
 */
public interface StreamingTranscriber {
    /** A session for one call in {@code language} (may be null); returns at once, connecting is the session's own work. */
    Session open(String language);

    /** One call's listening: the callee's turns in, one final text per turn out. */
    interface Session extends AutoCloseable {
        /** A frame (8 kHz 16-bit mono PCM) of the callee's turn; queued, never blocks (dropped and counted when the queue is full). */
        void audio(short[] frame);

        /** The callee's turn ended: what was sent since the last end of turn is flushed; never blocks. */
        TurnText endOfTurn();

        /** The call is over: the stream is ended and closed; never blocks. */
        @Override
        void close();
    }

    /** The final text of one turn, on its way. */
    interface TurnText {
        /** Waits for the final text, up to the transcriber's timeout; empty when nothing was understood. */
        String text() throws SpeechException, InterruptedException;
    }
}
