package dev.outdial.agent.llm;

import java.util.Map;

/** A tool offered to the model: name, what it does, and its parameters as a JSON schema. */
public record Tool(String name, String description, Map<String, Object> parameters) {
}
