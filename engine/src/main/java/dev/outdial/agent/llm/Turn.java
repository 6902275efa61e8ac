package dev.outdial.agent.llm;

import java.util.List;

/** What the model answered in one turn: its text, the tools it called, and why it stopped (stop, tool_calls, length…). */
public record Turn(String text, List<ToolCall> toolCalls, String finishReason) {
}
