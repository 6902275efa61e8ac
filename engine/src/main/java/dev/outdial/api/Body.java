package dev.outdial.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.outdial.campaign.FieldError;
import dev.outdial.store.Json;
import io.javalin.http.Context;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads fields out of a JSON object and collects every shape error with its pointer, so a client
 * learns all that is wrong in one answer (STYLE 8). Absent and null fields read as null.
 */
final class Body {
    private final JsonNode node;
    private final String prefix;
    private final List<FieldError> errors;
    private final Integer index;

    Body(JsonNode node, String prefix, List<FieldError> errors, Integer index) {
        this.node = node;
        this.prefix = prefix;
        this.errors = errors;
        this.index = index;
    }

    /** The request body as a JSON object, or a 400 problem saying why it is not one. */
    static Body of(Context ctx, List<FieldError> errors) {
        byte[] bytes = ctx.bodyAsBytes();
        if (bytes.length == 0) {
            throw ApiException.badRequest("The request body is empty; send a JSON object", List.of());
        }
        try {
            JsonNode n = Json.MAPPER.readTree(bytes);
            if (n == null || !n.isObject()) {
                throw ApiException.badRequest("The request body must be a JSON object", List.of(FieldError.of("", "not an object")));
            }
            return new Body(n, "", errors, null);
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
            throw ApiException.badRequest("The request body is not valid JSON" + where + ": " + e.getOriginalMessage(), List.of());
        } catch (java.io.IOException e) {
            throw ApiException.badRequest("The request body could not be read: " + e.getMessage(), List.of());
        }
    }

    JsonNode node() {
        return node;
    }

    /** The pointer of {@code field} in this object; "" means the object itself. */
    /** A key as one JSON-pointer segment (RFC 6901): "~" becomes "~0" and "/" becomes "~1". */
    static String segment(String key) {
        return key.replace("~", "~0").replace("/", "~1");
    }

    String pointer(String field) {
        return field.isEmpty() ? prefix : prefix + "/" + field;
    }

    void error(String field, String reason) {
        errors.add(new FieldError(pointer(field), reason, index));
    }

    private JsonNode get(String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v;
    }

    boolean has(String field) {
        return node.has(field);
    }

    String text(String field) {
        JsonNode v = get(field);
        if (v == null) return null;
        if (!v.isTextual()) {
            error(field, "must be a string");
            return null;
        }
        return v.asText();
    }

    /** A required non-blank string. */
    String requiredText(String field) {
        String s = text(field);
        if (s == null && get(field) == null) error(field, "is required");
        else if (s != null && s.isBlank()) error(field, "must not be blank");
        return s;
    }

    Integer integer(String field) {
        JsonNode v = get(field);
        if (v == null) return null;
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            error(field, "must be an integer");
            return null;
        }
        return v.asInt();
    }

    Double number(String field) {
        JsonNode v = get(field);
        if (v == null) return null;
        if (!v.isNumber()) {
            error(field, "must be a number");
            return null;
        }
        return v.asDouble();
    }

    Boolean bool(String field) {
        JsonNode v = get(field);
        if (v == null) return null;
        if (!v.isBoolean()) {
            error(field, "must be true or false");
            return null;
        }
        return v.asBoolean();
    }

    /** An ISO 8601 time with an offset, e.g. {@code 2026-05-01T14:00:00Z}. */
    Instant instant(String field) {
        String s = text(field);
        if (s == null) return null;
        try {
            return OffsetDateTime.parse(s).toInstant();
        } catch (DateTimeParseException e) {
            error(field, "must be an ISO 8601 time with an offset, e.g. 2026-05-01T14:00:00Z; got " + s);
            return null;
        }
    }

    @SuppressWarnings("unchecked")
    Map<String, Object> object(String field) {
        JsonNode v = get(field);
        if (v == null) return null;
        if (!v.isObject()) {
            error(field, "must be an object");
            return null;
        }
        return Json.MAPPER.convertValue(v, Map.class);
    }

    /** The elements of an array field, each as a Body with its own pointer; null if absent. */
    List<Body> objects(String field) {
        JsonNode v = get(field);
        if (v == null) return null;
        if (!v.isArray()) {
            error(field, "must be an array");
            return null;
        }
        List<Body> out = new ArrayList<>(v.size());
        for (int i = 0; i < v.size(); i++) {
            out.add(new Body(v.get(i), pointer(field) + "/" + i, errors, index == null && field.equals("recipients") ? Integer.valueOf(i) : index));
        }
        return out;
    }

    /**
     * The elements of an array of objects, each as a Body; an element that is no object ({@code shape} says what
     * it should be) and more than {@code max} elements are errors. Null if absent.
     */
    List<Body> objectItems(String field, int max, String shape) {
        List<Body> all = objects(field);
        if (all == null) return null;
        if (all.size() > max) error(field, "at most " + max + " items");
        List<Body> out = new ArrayList<>(all.size());
        for (Body b : all) {
            if (b.isObject()) out.add(b);
            else b.error("", "must be an object " + shape);
        }
        return out;
    }

    /** Nested object as a Body, or null. */
    Body nested(String field) {
        JsonNode v = get(field);
        if (v == null) return null;
        if (!v.isObject()) {
            error(field, "must be an object");
            return null;
        }
        return new Body(v, pointer(field), errors, index);
    }

    boolean isObject() {
        return node.isObject();
    }

    /** Reports every field not in {@code known}: nothing a client sends is silently dropped. */
    void rejectUnknown(Set<String> known) {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!known.contains(f)) error(f, "unknown field");
        }
    }

    /** A copy of this object with {@code patch}'s fields laid over it (for PATCH). */
    static ObjectNode merge(ObjectNode base, JsonNode patch) {
        ObjectNode out = base.deepCopy();
        patch.fields().forEachRemaining(e -> out.set(e.getKey(), e.getValue()));
        return out;
    }
}
