package dev.outdial.campaign;

import java.util.List;
import java.util.Set;

/**
 * A typed field an agent extracts from each conversation after the call (HappyRobot's {@code extract_with_ai}).
 *
 * @param name        the key in the call's {@code analysis.extracted}: a letter or _, then letters, digits or _
 * @param description what the model should look for (it reads this)
 * @param type        string, number, integer, boolean, date (YYYY-MM-DD), datetime (ISO 8601) or enum
 * @param example     an example value, as text, shown to the model; null for none
 * @param required    true if a call whose conversation does not give it gets an error for it
 * @param values      for enum: the allowed values; null for the other types
 */
public record ExtractionField(String name, String description, String type, String example, boolean required, List<String> values) {
    public static final Set<String> TYPES = Set.of("string", "number", "integer", "boolean", "date", "datetime", "enum");
    /** Bounds on what one agent asks of the model: more would make the request slow and the answer unreliable. */
    public static final int MAX_FIELDS = 50;
    public static final int MAX_VALUES = 100;
}
