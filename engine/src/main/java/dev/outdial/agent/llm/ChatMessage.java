package dev.outdial.agent.llm;

import java.util.List;

/**
 * One message of a conversation in the chat-completions shape.
 *
 * @param role       system, user, assistant or tool
 * @param content    the text (null for an assistant message that only calls tools)
 * @param toolCalls  the tools an assistant message called (empty otherwise)
 * @param toolCallId for a tool message: the call it answers
 */
public record ChatMessage(String role, String content, List<ToolCall> toolCalls, String toolCallId) {
    public static ChatMessage system(String text) {
        return new ChatMessage("system", text, List.of(), null);
    }

    public static ChatMessage user(String text) {
        return new ChatMessage("user", text, List.of(), null);
    }

    public static ChatMessage assistant(String text, List<ToolCall> calls) {
        return new ChatMessage("assistant", text, calls == null ? List.of() : calls, null);
    }

    public static ChatMessage tool(String callId, String result) {
        return new ChatMessage("tool", result, List.of(), callId);
    }
}
