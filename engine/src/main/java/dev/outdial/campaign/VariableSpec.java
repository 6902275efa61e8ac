package dev.outdial.campaign;

import java.util.Set;

/**
 * A prompt variable an agent expects.
 *
 * @param name     the placeholder name, as in {@code {{name}}}
 * @param type     string, number, integer or boolean
 * @param required true if every call must supply it (after agent defaults and batch variables)
 */
public record VariableSpec(String name, String type, boolean required) {
    public static final Set<String> TYPES = Set.of("string", "number", "integer", "boolean");

    /** Null if {@code value} fits this variable's type, else the reason it does not. */
    public String check(Object value) {
        return switch (type) {
            case "string" -> value instanceof String ? null : "must be a string";
            case "boolean" -> value instanceof Boolean ? null : "must be true or false";
            case "number" -> value instanceof Number ? null : "must be a number";
            case "integer" -> value instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())
                    && !(Double.isInfinite(n.doubleValue())) ? null : "must be an integer";
            default -> "has unknown type " + type;
        };
    }
}
