package dev.outdial.agent.llm;

/** A tool the model asked to run: its id (echoed back in the tool's answer), name and JSON arguments. */
public record ToolCall(String id, String name, String argumentsJson) {
}
