package dev.outdial.agent;

/** Turns text into speech for the phone: 8 kHz 16-bit mono PCM. */
public interface Voice {
    /** The speech, or an empty array when this voice cannot speak (it says why in the log). */
    short[] speak(String text, String language);
}
