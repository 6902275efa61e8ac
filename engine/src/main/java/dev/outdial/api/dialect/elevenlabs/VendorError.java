package dev.outdial.api.dialect.elevenlabs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.outdial.campaign.FieldError;
import dev.outdial.store.Json;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An error in the vendor's shape, FastAPI's: {@code {"detail": [{type, loc, msg}]}} for invalid
 * input (422), {@code {"detail": {status, message}}} for the rest.
 */
final class VendorError extends RuntimeException {
    final int status;
    final transient Object detail;

    VendorError(int status, Object detail) {
        super(String.valueOf(detail), null, false, false);
        this.status = status;
        this.detail = detail;
    }

    static VendorError invalidField(List<Object> loc, String msg) {
        return new VendorError(422, List.of(item(loc, msg)));
    }

    static VendorError state(String message) {
        return new VendorError(409, Map.of("status", "invalid_batch_state", "message", message));
    }

    /** Intake's field errors, each at the place the vendor's request carried that field. */
    static VendorError invalid(List<FieldError> errors) {
        List<Object> items = new ArrayList<>(errors.size());
        for (FieldError e : errors) items.add(item(loc(e.pointer()), e.reason()));
        return new VendorError(422, items);
    }

    static JsonNode parse(Context ctx) {
        try {
            JsonNode n = Json.MAPPER.readTree(ctx.bodyAsBytes());
            if (n == null || !n.isObject()) throw invalidField(List.of("body"), "must be a JSON object");
            return n;
        } catch (JsonProcessingException e) {
            throw new VendorError(422, List.of(Map.of("type", "json_invalid", "loc", List.of("body"),
                    "msg", "JSON decode error: " + e.getOriginalMessage())));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e); // reading a byte array: cannot happen
        }
    }

    static Map<String, Object> item(List<Object> loc, String msg) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", "value_error");
        m.put("loc", loc);
        m.put("msg", msg);
        return m;
    }

    /** Vendor names for the native fields intake reports: {@code /recipients/3/variables/name} → the dynamic variable. */
    private static final Map<String, List<String>> FIELDS = Map.of(
            "name", List.of("call_name"),
            "line_id", List.of("agent_phone_number_id"),
            "scheduled_at", List.of("scheduled_time_unix"),
            "external_id", List.of("id"),
            "variables", List.of("conversation_initiation_client_data", "dynamic_variables"));
    private static final Map<String, List<String>> OVERRIDES = Map.of(
            "prompt", List.of("agent", "prompt", "prompt"),
            "llm_model", List.of("agent", "prompt", "llm"),
            "first_message", List.of("agent", "first_message"),
            "language", List.of("agent", "language"),
            "voice", List.of("tts", "voice_id"));

    static List<Object> loc(String pointer) {
        List<Object> loc = new ArrayList<>();
        loc.add("body");
        String[] parts = pointer.startsWith("/") ? pointer.substring(1).split("/") : new String[0];
        boolean literal = false; // inside variables, names are the caller's own
        for (int i = 0; i < parts.length; i++) {
            String part = parts[i];
            if (part.isEmpty()) continue;
            if (literal) {
                loc.add(part);
            } else if (part.chars().allMatch(Character::isDigit)) {
                loc.add(Integer.parseInt(part));
            } else if (part.equals("overrides") && i + 1 < parts.length && OVERRIDES.containsKey(parts[i + 1])) {
                loc.addAll(List.of("conversation_initiation_client_data", "conversation_config_override"));
                loc.addAll(OVERRIDES.get(parts[++i]));
            } else {
                loc.addAll(FIELDS.getOrDefault(part, List.of(part)));
                literal = part.equals("variables");
            }
        }
        return loc;
    }
}
