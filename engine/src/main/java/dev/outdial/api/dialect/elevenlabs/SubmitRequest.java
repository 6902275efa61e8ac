package dev.outdial.api.dialect.elevenlabs;

import com.fasterxml.jackson.databind.JsonNode;
import dev.outdial.campaign.BatchRequest;
import dev.outdial.campaign.Recipient;
import dev.outdial.store.Json;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A submitted batch call job, read from the vendor's JSON with every shape error collected.
 *
 * <p>Mapping: {@code call_name} → batch name; {@code agent_phone_number_id} → line;
 * {@code scheduled_time_unix} → scheduled_at; per recipient, {@code id} → external_id,
 * {@code dynamic_variables} → variables, and from {@code conversation_config_override}:
 * {@code agent.prompt.prompt} → prompt, {@code agent.prompt.llm} → llm_model,
 * {@code agent.first_message}, {@code agent.language} and {@code tts.voice_id} → voice, as the
 * call's overrides. The whole {@code conversation_initiation_client_data} is also kept in the call's
 * metadata, so a get answers it as it was sent.
 */
record SubmitRequest(String name, String agentId, List<Recipient> recipients, Instant scheduledAt, String phoneNumberId,
                     Map<String, Object> whatsappParams) {
    /** The vendor's limit per job. */
    static final int MAX_RECIPIENTS = 10_000;

    static SubmitRequest read(JsonNode body) {
        List<Map<String, Object>> errors = new ArrayList<>();
        String name = text(body, "call_name", true, errors, List.of("body"));
        String agentId = text(body, "agent_id", true, errors, List.of("body"));
        String line = text(body, "agent_phone_number_id", false, errors, List.of("body"));
        Instant scheduledAt = null;
        JsonNode t = body.get("scheduled_time_unix");
        if (t != null && !t.isNull()) {
            if (!t.canConvertToLong() || !t.isIntegralNumber() || Math.abs(t.asLong()) > 100_000_000_000L) {
                errors.add(VendorError.item(List.of("body", "scheduled_time_unix"), "must be an integer (Unix seconds) or null"));
            } else {
                scheduledAt = Instant.ofEpochSecond(t.asLong());
            }
        }
        Map<String, Object> whatsapp = object(body, "whatsapp_params", errors, List.of("body"));
        List<Recipient> recipients = new ArrayList<>();
        JsonNode rs = body.get("recipients");
        if (rs == null || rs.isNull()) {
            errors.add(VendorError.item(List.of("body", "recipients"), "Field required"));
        } else if (!rs.isArray()) {
            errors.add(VendorError.item(List.of("body", "recipients"), "must be an array"));
        } else if (rs.isEmpty() || rs.size() > MAX_RECIPIENTS) {
            errors.add(VendorError.item(List.of("body", "recipients"), "must list 1 to " + MAX_RECIPIENTS + " recipients, got " + rs.size()));
        } else {
            for (int i = 0; i < rs.size(); i++) recipients.add(recipient(rs.get(i), i, errors));
        }
        if (!errors.isEmpty()) throw new VendorError(422, errors);
        return new SubmitRequest(name, agentId, recipients, scheduledAt, line, whatsapp);
    }

    BatchRequest toNative(String lineId, String idempotencyKey) {
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("dialect", "elevenlabs");
        if (whatsappParams != null) metadata.put("whatsapp_params", whatsappParams);
        return new BatchRequest(name, agentId, lineId, scheduledAt, null, null, null, metadata, null, false, recipients,
                idempotencyKey, null, null);
    }

    private static Recipient recipient(JsonNode r, int i, List<Map<String, Object>> errors) {
        List<Object> at = List.of("body", "recipients", i);
        if (!r.isObject()) {
            errors.add(VendorError.item(at, "must be an object"));
            return Recipient.of(null);
        }
        String id = text(r, "id", false, errors, at);
        String phone = text(r, "phone_number", false, errors, at);
        if (phone == null && r.hasNonNull("whatsapp_user_id")) {
            errors.add(VendorError.item(concat(at, "whatsapp_user_id"), "WhatsApp recipients are not supported; give a phone_number"));
        } else if (phone == null) {
            errors.add(VendorError.item(concat(at, "phone_number"), "Field required"));
        }
        Map<String, Object> clientData = object(r, "conversation_initiation_client_data", errors, at);
        Map<String, Object> variables = Map.of();
        Map<String, Object> overrides = new LinkedHashMap<>();
        JsonNode data = r.get("conversation_initiation_client_data");
        if (clientData != null) {
            List<Object> dataAt = concat(at, "conversation_initiation_client_data");
            Map<String, Object> dyn = object(data, "dynamic_variables", errors, dataAt);
            if (dyn != null) variables = dyn;
            JsonNode o = data.path("conversation_config_override");
            List<Object> oAt = concat(dataAt, "conversation_config_override");
            override(o, List.of("agent", "prompt", "prompt"), "prompt", overrides, errors, oAt);
            override(o, List.of("agent", "prompt", "llm"), "llm_model", overrides, errors, oAt);
            override(o, List.of("agent", "first_message"), "first_message", overrides, errors, oAt);
            override(o, List.of("agent", "language"), "language", overrides, errors, oAt);
            override(o, List.of("tts", "voice_id"), "voice", overrides, errors, oAt);
        }
        Map<String, Object> metadata = clientData == null ? Map.of() : Map.of("conversation_initiation_client_data", clientData);
        return new Recipient(phone, variables, metadata, null, null, null, null, id, overrides.isEmpty() ? null : overrides,
                null, List.of());
    }

    private static void override(JsonNode o, List<String> path, String key, Map<String, Object> out,
                                 List<Map<String, Object>> errors, List<Object> at) {
        JsonNode n = o;
        for (String p : path) n = n.path(p);
        if (n.isMissingNode() || n.isNull()) return;
        List<Object> loc = new ArrayList<>(at);
        loc.addAll(path);
        if (!n.isTextual()) errors.add(VendorError.item(loc, "must be a string"));
        else out.put(key, n.asText());
    }

    private static String text(JsonNode parent, String field, boolean required, List<Map<String, Object>> errors, List<Object> at) {
        JsonNode n = parent.get(field);
        if (n == null || n.isNull()) {
            if (required) errors.add(VendorError.item(concat(at, field), "Field required"));
            return null;
        }
        if (!n.isTextual()) {
            errors.add(VendorError.item(concat(at, field), "must be a string"));
            return null;
        }
        return n.asText();
    }

    private static Map<String, Object> object(JsonNode parent, String field, List<Map<String, Object>> errors, List<Object> at) {
        JsonNode n = parent.get(field);
        if (n == null || n.isNull()) return null;
        if (!n.isObject()) {
            errors.add(VendorError.item(concat(at, field), "must be an object"));
            return null;
        }
        return Json.map(n.toString());
    }

    private static List<Object> concat(List<Object> at, Object field) {
        List<Object> out = new ArrayList<>(at);
        out.add(field);
        return out;
    }
}
