package dev.outdial.agent.llm;

import java.util.List;
import java.util.function.Consumer;

/** A language model that answers a conversation turn by turn (the agent runtime's brain). */
public interface Llm {
    /**
     * Answers one turn, streaming: {@code text} receives each piece of text as soon as it arrives (so speech can
     * start before the turn is complete); the returned turn holds the whole text and any tool calls.
     */
    Turn complete(List<ChatMessage> messages, List<Tool> tools, Consumer<String> text) throws LlmException;
}
