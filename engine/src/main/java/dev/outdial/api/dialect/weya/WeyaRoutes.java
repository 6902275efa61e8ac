package dev.outdial.api.dialect.weya;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.outdial.api.Auth;
import dev.outdial.campaign.Batch;
import dev.outdial.campaign.BatchRequest;
import dev.outdial.campaign.Batches;
import dev.outdial.campaign.ConflictException;
import dev.outdial.campaign.FieldError;
import dev.outdial.campaign.Intake;
import dev.outdial.campaign.InvalidInputException;
import dev.outdial.campaign.Line;
import dev.outdial.campaign.Lines;
import dev.outdial.campaign.PhoneNumbers;
import dev.outdial.campaign.Recipient;
import dev.outdial.store.Json;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Weya's batch API (seed 004): {@code POST /api/call/createBatch} opens an empty batch, and
 * {@code POST /api/call/addCallsToBatch} adds {@code call_data} records to it in chunks of 1,000,
 * each chunk its own transaction, so one bad chunk fails alone (207 with {@code failedChunks}).
 * A record's {@code phoneNumber} is the destination, its {@code timezone} (if any) the call's zone,
 * and every other key a variable checked against the agent's schema. A number that still has a
 * scheduled call in the batch updates that call (Weya's pending-call rule, done by Intake).
 */
public final class WeyaRoutes {
    /** Records per chunk, as Weya processes them. */
    static final int CHUNK = 1_000;

    private final Auth auth;
    private final Intake intake;
    private final Batches batches;
    private final Lines lines;

    public WeyaRoutes(Auth auth, Intake intake, Batches batches, Lines lines) {
        this.auth = auth;
        this.intake = intake;
        this.batches = batches;
        this.lines = lines;
    }

    public void register(RoutesConfig routes) {
        routes.exception(WeyaError.class, (e, ctx) -> ctx.status(e.code).contentType("application/json").result(Json.writeBytes(e.body)));
        routes.before("/api/call/*", ctx -> {
            if (!auth.authenticate(ctx)) throw new WeyaError(403, "Invalid or missing API key");
        });
        routes.post("/api/call/createBatch", this::createBatch);
        routes.post("/api/call/addCallsToBatch", this::addCalls);
    }

    private void createBatch(Context ctx) {
        String org = Auth.org(ctx);
        JsonNode body = parse(ctx);
        String name = text(body, "name") != null ? text(body, "name") : text(body, "batchName");
        String agentId = text(body, "agentId");
        Instant scheduledAt = null;
        String at = text(body, "scheduledAt");
        if (at != null) {
            try {
                scheduledAt = java.time.OffsetDateTime.parse(at).toInstant();
            } catch (DateTimeParseException e) {
                throw new WeyaError(400, "scheduledAt must be an ISO 8601 date-time with an offset");
            }
        }
        String lineId = line(org, text(body, "lineId"), text(body, "callingNumber"));
        BatchRequest req = new BatchRequest(name, agentId, lineId, scheduledAt, null, null, null, Map.of("dialect", "weya"), null,
                false, List.of(), ctx.header("Idempotency-Key"), null, null);
        Batch b;
        try {
            b = intake.open(org, req);
        } catch (InvalidInputException e) {
            boolean noAgent = agentId != null && e.errors().stream().allMatch(err -> err.pointer().equals("/agent_id"));
            if (noAgent) throw new WeyaError(404, "No agent found for the batch's calling numbers: no agent " + agentId);
            throw new WeyaError(400, message(e.errors()), Map.of("errors", errors(e.errors(), 0)));
        }
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("batchId", b.id());
        data.put("name", b.name());
        data.put("agentId", b.agentId());
        data.put("lineId", b.lineId());
        data.put("callingNumber", lines.get(org, b.lineId()).phoneNumber());
        data.put("status", b.status());
        data.put("createdAt", b.createdAt().toString());
        ok(ctx, 200, "Batch created", Map.of("data", data));
    }

    private void addCalls(Context ctx) {
        String org = Auth.org(ctx);
        JsonNode body = parse(ctx);
        String batchId = text(body, "batchId");
        if (batchId == null || batchId.isBlank()) throw new WeyaError(400, "batchId is required");
        JsonNode records = body.get("call_data");
        if (records == null || !records.isArray() || records.isEmpty()) {
            throw new WeyaError(400, "call_data must be a non-empty array of call records");
        }
        Optional<String> owner = batches.ownerOf(batchId);
        if (owner.isEmpty()) throw new WeyaError(404, "Batch not found: " + batchId);
        if (!owner.get().equals(org)) throw new WeyaError(403, "This API key does not own batch " + batchId);

        int inserted = 0, updated = 0, duplicates = 0, suppressed = 0;
        List<Map<String, Object>> failed = new ArrayList<>();
        int chunks = (records.size() + CHUNK - 1) / CHUNK;
        for (int k = 0; k < chunks; k++) {
            int from = k * CHUNK;
            int to = Math.min(records.size(), from + CHUNK);
            List<Recipient> chunk = new ArrayList<>(to - from);
            for (int i = from; i < to; i++) chunk.add(record(records.get(i)));
            try {
                Intake.Result r = intake.addToBatch(org, batchId, chunk, false);
                int up = (int) r.merged().stream().filter(m -> m.containsKey("call_id")).count();
                updated += up;
                duplicates += r.duplicates().size();
                suppressed += r.suppressed().size();
                inserted += chunk.size() - r.merged().size() - r.duplicates().size();
            } catch (InvalidInputException e) {
                Map<String, Object> f = new LinkedHashMap<>();
                f.put("chunk", k);
                f.put("startIndex", from);
                f.put("endIndex", to - 1);
                f.put("message", message(e.errors()));
                f.put("errors", errors(e.errors(), from));
                failed.add(f);
            } catch (ConflictException e) {
                throw new WeyaError(400, e.getMessage());
            }
        }
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("batchId", batchId);
        data.put("received", records.size());
        data.put("inserted", inserted);
        data.put("updated", updated);
        data.put("duplicates", duplicates);
        data.put("suppressed", suppressed);
        data.put("chunks", chunks);
        if (failed.isEmpty()) {
            ok(ctx, 200, inserted + " calls added, " + updated + " pending calls updated", Map.of("data", data));
        } else if (failed.size() == chunks) {
            throw new WeyaError(400, "Validation failed for every chunk; nothing was added",
                    Map.of("data", data, "failedChunks", failed));
        } else {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("status", false);
            out.put("code", 207);
            out.put("message", failed.size() + " of " + chunks + " chunks failed; the others were added");
            out.put("data", data);
            out.put("failedChunks", failed);
            ctx.status(207).contentType("application/json").result(Json.writeBytes(out));
        }
    }

    /** A call_data record: phoneNumber, an optional timezone, and variables. */
    private static Recipient record(JsonNode r) {
        if (r == null || !r.isObject()) {
            return new Recipient(null, Map.of(), Map.of(), null, null, null, null, null, null, null, List.of());
        }
        Map<String, Object> variables = Json.map(r.toString());
        Object phone = variables.remove("phoneNumber");
        Object tz = variables.remove("timezone");
        return new Recipient(phone instanceof String s ? s : phone == null ? null : String.valueOf(phone), variables, Map.of(),
                tz instanceof String z ? z : null, null, null, null, null, null, null, List.of());
    }

    /** The line by id or calling number; else the organization's only line. */
    private String line(String org, String lineId, String callingNumber) {
        if (lineId != null) return lineId; // checked by intake
        List<Line> all = lines.all(org);
        if (callingNumber != null) {
            PhoneNumbers.Parsed p = PhoneNumbers.parse(callingNumber, null, false);
            return all.stream().filter(l -> p.ok() && l.phoneNumber().equals(p.value())).map(Line::id).findFirst()
                    .orElseThrow(() -> new WeyaError(404, "No calling number " + callingNumber + " in this organization"));
        }
        if (all.size() != 1) {
            throw new WeyaError(400, "callingNumber is required: this organization has " + all.size() + " calling numbers");
        }
        return all.get(0).id();
    }

    /** Intake's errors with Weya's names: the record's index in call_data, and the field as the record spelt it. */
    private static List<Map<String, Object>> errors(List<FieldError> errors, int offset) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (FieldError e : errors) {
            Map<String, Object> m = new LinkedHashMap<>();
            if (e.index() != null) m.put("index", offset + e.index());
            m.put("field", field(e.pointer()));
            m.put("message", e.reason());
            out.add(m);
        }
        return out;
    }

    private static String field(String pointer) {
        String[] parts = pointer.split("/");
        String last = parts[parts.length - 1];
        if (pointer.contains("/variables/")) return last;
        return switch (last) {
            case "phone_number" -> "phoneNumber";
            case "agent_id" -> "agentId";
            case "line_id" -> "lineId";
            case "scheduled_at" -> "scheduledAt";
            default -> last;
        };
    }

    private static String message(List<FieldError> errors) {
        if (errors.isEmpty()) return "Validation failed";
        FieldError e = errors.get(0);
        return "Validation failed: " + field(e.pointer()) + " " + e.reason() + (errors.size() > 1 ? " (and " + (errors.size() - 1) + " more)" : "");
    }

    private static void ok(Context ctx, int code, String message, Map<String, Object> extra) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("status", true);
        out.put("code", code);
        out.put("message", message);
        out.putAll(extra);
        ctx.status(code).contentType("application/json").result(Json.writeBytes(out));
    }

    private static String text(JsonNode parent, String field) {
        JsonNode n = parent.get(field);
        if (n == null || n.isNull()) return null;
        if (!n.isTextual()) throw new WeyaError(400, field + " must be a string");
        return n.asText();
    }

    private static JsonNode parse(Context ctx) {
        try {
            JsonNode n = Json.MAPPER.readTree(ctx.bodyAsBytes());
            if (n == null || !n.isObject()) throw new WeyaError(400, "The body must be a JSON object");
            return n;
        } catch (JsonProcessingException e) {
            throw new WeyaError(400, "The body is not valid JSON: " + e.getOriginalMessage());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e); // reading a byte array: cannot happen
        }
    }
}
