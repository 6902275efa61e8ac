package dev.outdial.agent;

import dev.outdial.campaign.ClassificationTag;
import dev.outdial.campaign.ExtractionField;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON schema of the analysis answer, in the form OpenAI's strict structured outputs accept: every
 * object lists all its properties as required and forbids others, so "not said" is a null rather than
 * a missing key. Each field may be null even when the agent marks it required: forcing a value would
 * make the model invent one, and {@link AnswerCheck} records the missing required field instead.
 */
final class AnalysisSchema {
    private AnalysisSchema() {
    }

    static Map<String, Object> of(CallAnalysis.Plan plan) {
        Map<String, Object> properties = new LinkedHashMap<>();
        if (!plan.fields().isEmpty()) {
            Map<String, Object> fields = new LinkedHashMap<>();
            for (ExtractionField f : plan.fields()) fields.put(f.name(), field(f));
            properties.put("extracted", object(fields, "the fields drawn from the conversation"));
        }
        if (!plan.tags().isEmpty()) {
            Map<String, Object> items = new LinkedHashMap<>();
            items.put("type", "string");
            items.put("enum", plan.tags().stream().map(ClassificationTag::name).toList());
            Map<String, Object> tags = new LinkedHashMap<>();
            tags.put("type", "array");
            tags.put("description", "every tag that applies to the call; empty when none does");
            tags.put("items", items);
            properties.put("tags", tags);
        }
        if (plan.summary()) {
            properties.put("summary", Map.of("type", "string",
                    "description", "two or three sentences: what happened on the call and what was agreed"));
        }
        return object(properties, null);
    }

    private static Map<String, Object> object(Map<String, Object> properties, String description) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("type", "object");
        if (description != null) o.put("description", description);
        o.put("properties", properties);
        o.put("required", List.copyOf(properties.keySet()));
        o.put("additionalProperties", false);
        return o;
    }

    private static Map<String, Object> field(ExtractionField f) {
        Map<String, Object> s = new LinkedHashMap<>();
        String json = switch (f.type()) {
            case "number", "integer", "boolean" -> f.type();
            default -> "string";
        };
        s.put("type", List.of(json, "null"));
        switch (f.type()) {
            case "date" -> s.put("format", "date");
            case "datetime" -> s.put("format", "date-time");
            case "enum" -> {
                List<Object> values = new ArrayList<>(f.values());
                values.add(null); // strict mode wants the null of a nullable enum among its values
                s.put("enum", values);
            }
            default -> { }
        }
        s.put("description", description(f));
        return s;
    }

    /** What the model reads about a field: the agent's words, the example and how to say "not given". */
    static String description(ExtractionField f) {
        StringBuilder d = new StringBuilder(f.description() == null ? f.name() : f.description());
        switch (f.type()) {
            case "date" -> d.append(" (a date, YYYY-MM-DD)");
            case "datetime" -> d.append(" (a date and time, ISO 8601, e.g. 2026-05-01T14:30:00-05:00)");
            default -> { }
        }
        if (f.example() != null) d.append(". Example: ").append(f.example());
        return d.append(". null when the conversation does not say.").toString();
    }
}
