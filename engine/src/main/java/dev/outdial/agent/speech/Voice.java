package dev.outdial.agent.speech;

/** Turns text into speech for the phone: 8 kHz 16-bit mono PCM. */
public interface Voice {
    /** The speech; empty for empty text. */
    short[] speak(String text, String language) throws SpeechException;
}
