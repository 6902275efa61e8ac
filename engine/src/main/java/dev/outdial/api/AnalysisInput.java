package dev.outdial.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.outdial.campaign.ClassificationTag;
import dev.outdial.campaign.ExtractionField;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * An agent's after-the-call settings as the API takes them: {@code extraction} (typed fields) and
 * {@code tags}. Every wrong field is named by its pointer, e.g. {@code /extraction/0/type}.
 */
final class AnalysisInput {
    private static final Set<String> FIELD_KEYS = Set.of("name", "description", "type", "example", "required", "values");
    private static final Set<String> TAG_KEYS = Set.of("name", "description");
    /** A field's name becomes a JSON key the model must write back: the same rule as prompt variables. */
    private static final String NAME = "[A-Za-z_][A-Za-z0-9_]{0,63}";
    /** Descriptions go into every analysis request: long enough for a sentence or two, not a document. */
    private static final int MAX_DESCRIPTION = 1_000;

    private AnalysisInput() {
    }

    /** {@code extraction}: [{name, description, type, example, required, values}]; null when absent. */
    static List<ExtractionField> extraction(Body b) {
        List<Body> items = b.objectItems("extraction", ExtractionField.MAX_FIELDS, "{name, description, type, example, required, values}");
        if (items == null) return null;
        List<ExtractionField> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (Body f : items) {
            f.rejectUnknown(FIELD_KEYS);
            String name = f.requiredText("name");
            if (name != null && !name.matches(NAME)) {
                f.error("name", "must be a letter or _ followed by letters, digits or _ (at most 64); got " + name);
            } else if (name != null && !seen.add(name)) {
                f.error("name", "declared twice: " + name);
            }
            String description = description(f);
            String type = f.text("type");
            if (type == null) type = "string";
            else if (!ExtractionField.TYPES.contains(type)) f.error("type", "must be one of " + sorted(ExtractionField.TYPES) + "; got " + type);
            String example = f.text("example");
            Boolean required = f.bool("required");
            List<String> values = values(f, type);
            out.add(new ExtractionField(name, description, type, example, required != null && required, values));
        }
        return out;
    }

    /** An enum's values: required for enum, refused for the other types. */
    private static List<String> values(Body f, String type) {
        JsonNode v = f.node().get("values");
        boolean given = v != null && !v.isNull();
        if (!"enum".equals(type)) {
            if (given) f.error("values", "is only for type enum");
            return null;
        }
        if (!given) {
            f.error("values", "is required for type enum: the values the field may take, e.g. [\"yes\", \"no\", \"maybe\"]");
            return null;
        }
        if (!v.isArray() || v.isEmpty() || v.size() > ExtractionField.MAX_VALUES) {
            f.error("values", "must be an array of 1 to " + ExtractionField.MAX_VALUES + " strings");
            return null;
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < v.size(); i++) {
            JsonNode e = v.get(i);
            if (!e.isTextual() || e.asText().isBlank()) f.error("values/" + i, "must be a non-empty string");
            else if (out.contains(e.asText())) f.error("values/" + i, "listed twice: " + e.asText());
            else out.add(e.asText());
        }
        return out;
    }

    /** {@code tags}: [{name, description}]; null when absent. */
    static List<ClassificationTag> tags(Body b) {
        List<Body> items = b.objectItems("tags", ClassificationTag.MAX_TAGS, "{name, description}");
        if (items == null) return null;
        List<ClassificationTag> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (Body t : items) {
            t.rejectUnknown(TAG_KEYS);
            String name = t.requiredText("name");
            if (name != null && name.length() > ClassificationTag.MAX_NAME) {
                t.error("name", "at most " + ClassificationTag.MAX_NAME + " characters");
            } else if (name != null && !name.isBlank() && !seen.add(name)) {
                t.error("name", "declared twice: " + name);
            }
            out.add(new ClassificationTag(name, description(t)));
        }
        return out;
    }

    private static String description(Body b) {
        String d = b.text("description");
        if (d != null && d.length() > MAX_DESCRIPTION) b.error("description", "at most " + MAX_DESCRIPTION + " characters");
        return d;
    }

    private static List<String> sorted(Set<String> s) {
        return s.stream().sorted().toList();
    }
}
