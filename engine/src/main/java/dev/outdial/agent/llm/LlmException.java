package dev.outdial.agent.llm;

/** The model could not answer: unreachable, an error status, a malformed stream or too slow. The message says which. */
public final class LlmException extends Exception {
    public LlmException(String message) {
        super(message);
    }

    public LlmException(String message, Throwable cause) {
        super(message, cause);
    }
}
