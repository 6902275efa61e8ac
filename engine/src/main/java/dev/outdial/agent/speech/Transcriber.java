package dev.outdial.agent.speech;

/** Speech to text, one utterance at a time. */
public interface Transcriber {
    /** The text of an utterance (8 kHz 16-bit mono PCM); empty when nothing was understood. */
    String transcribe(short[] pcm8k, String language) throws SpeechException;
}
