package dev.outdial.agent.speech;

/** A speech engine could not answer: unreachable, an error status, an unreadable answer or too slow. */
public final class SpeechException extends Exception {
    public SpeechException(String message) {
        super(message);
    }

    public SpeechException(String message, Throwable cause) {
        super(message, cause);
    }
}
