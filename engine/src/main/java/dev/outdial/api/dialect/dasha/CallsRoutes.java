package dev.outdial.api.dialect.dasha;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.outdial.api.Auth;
import dev.outdial.campaign.BatchRequest;
import dev.outdial.campaign.Call;
import dev.outdial.campaign.Calls;
import dev.outdial.campaign.Intake;
import dev.outdial.campaign.InvalidInputException;
import dev.outdial.campaign.Line;
import dev.outdial.campaign.Lines;
import dev.outdial.campaign.NotFoundException;
import dev.outdial.campaign.Page;
import dev.outdial.campaign.PhoneNumbers;
import dev.outdial.campaign.Recipient;
import dev.outdial.store.Json;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Dasha BlackBox calls (seed 002) at the vendor's paths: {@code POST /api/v1/calls?agentId=…} (one
 * call), {@code POST /api/v1/calls/bulk?agentId=…} (an array) and {@code GET /api/v1/calls/{callId}}.
 * Dasha has no batches: each request becomes one Outdial batch on the caller line its calls name
 * (see {@link #lineFor}), and each call answers as a Dasha call ({@link DashaViews}).
 *
 * <p>Defaults as the seed states them: {@code priority} 1, {@code callDeadline} now + 24 h (a call
 * not connected by then ends {@code expired}, which Dasha calls Canceled).
 */
public final class CallsRoutes {
    /** Dasha's default time to complete a call when the request names no deadline. */
    static final Duration DEFAULT_DEADLINE = Duration.ofDays(1);
    /** Dasha's default priority. */
    static final int DEFAULT_PRIORITY = 1;

    private final Auth auth;
    private final Clock clock;
    private final Intake intake;
    private final Calls calls;
    private final Lines lines;

    public CallsRoutes(Auth auth, Clock clock, Intake intake, Calls calls, Lines lines) {
        this.auth = auth;
        this.clock = clock;
        this.intake = intake;
        this.calls = calls;
        this.lines = lines;
    }

    public void register(RoutesConfig routes) {
        routes.exception(DashaError.class, (e, ctx) -> json(ctx, e.status, e.body));
        routes.before("/api/v1/calls", this::authenticate);
        routes.before("/api/v1/calls/*", this::authenticate);
        routes.post("/api/v1/calls", ctx -> create(ctx, false));
        routes.post("/api/v1/calls/bulk", ctx -> create(ctx, true));
        routes.get("/api/v1/calls/{callId}", this::get);
    }

    private void authenticate(Context ctx) {
        if (!auth.authenticate(ctx)) {
            throw DashaError.of(401, "Unauthorized", "Send your API key as 'Authorization: Bearer <key>'");
        }
    }

    private void create(Context ctx, boolean bulk) {
        String org = Auth.org(ctx);
        String agentId = ctx.queryParam("agentId");
        if (agentId == null || agentId.isBlank()) {
            throw DashaError.validation(Map.of("agentId", List.of("The agentId field is required.")));
        }
        JsonNode body = parse(ctx);
        List<JsonNode> items = new ArrayList<>();
        if (bulk) {
            if (!body.isArray() || body.isEmpty() || body.size() > Intake.MAX_RECIPIENTS) {
                throw DashaError.validation(Map.of("calls", List.of("must be an array of 1 to " + Intake.MAX_RECIPIENTS + " calls")));
            }
            body.forEach(items::add);
        } else {
            if (!body.isObject()) throw DashaError.validation(Map.of("", List.of("must be a call object")));
            items.add(body);
        }
        Instant now = clock.instant();
        Map<String, List<String>> errors = new LinkedHashMap<>();
        List<Recipient> recipients = new ArrayList<>(items.size());
        List<Map<String, Object>> outbound = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            String at = bulk ? "[" + i + "]." : "";
            recipients.add(recipient(items.get(i), at, now, errors));
            outbound.add(object(items.get(i), "overrideOutboundConfig", at, errors));
        }
        if (!errors.isEmpty()) throw DashaError.validation(errors);
        String lineId = lineFor(org, outbound, bulk);
        BatchRequest req = new BatchRequest("dasha " + now, agentId, lineId, null, null, null, null, Map.of("dialect", "dasha"),
                null, false, recipients, ctx.header("Idempotency-Key"), null, null);
        Intake.Result result;
        try {
            result = intake.submit(org, req);
        } catch (InvalidInputException e) {
            throw DashaError.fromIntake(e.errors(), bulk);
        }
        List<Map<String, Object>> answers = new ArrayList<>();
        Instant answeredAt = clock.instant(); // a call due "now" at intake is Queued, not Pending, when answered
        String cursor = null;
        do {
            Page<Call> page = calls.listByBatch(org, result.batch().id(), null, null, cursor, 1000);
            for (Call c : page.data()) answers.add(DashaViews.call(c, org, answeredAt));
            cursor = page.nextCursor();
        } while (cursor != null);
        json(ctx, 200, bulk ? answers : answers.get(0));
    }

    private void get(Context ctx) {
        String org = Auth.org(ctx);
        try {
            json(ctx, 200, DashaViews.call(calls.get(org, ctx.pathParam("callId")), org, clock.instant()));
        } catch (NotFoundException e) {
            throw DashaError.of(404, "Not Found", "No call " + ctx.pathParam("callId"));
        }
    }

    /**
     * The line the calls go out on: the one whose number (or id, as {@code credentialsId}) their
     * {@code overrideOutboundConfig} names, else the organization's only line. One request, one line:
     * a bulk request naming several is refused rather than split, so it is stored whole or not at all.
     */
    private String lineFor(String org, List<Map<String, Object>> outbound, boolean bulk) {
        List<Line> all = lines.all(org);
        String chosen = null;
        for (int i = 0; i < outbound.size(); i++) {
            Map<String, Object> o = outbound.get(i);
            String key = (bulk ? "[" + i + "]." : "") + "overrideOutboundConfig";
            String line = null;
            if (o != null && o.get("credentialsId") instanceof String id) {
                line = all.stream().map(Line::id).filter(id::equals).findFirst()
                        .orElseThrow(() -> DashaError.validation(Map.of(key + ".credentialsId", List.of("no line " + id + " in this organization"))));
            } else if (o != null && o.get("phoneNumber") instanceof String number) {
                PhoneNumbers.Parsed p = PhoneNumbers.parse(number, null, false);
                line = all.stream().filter(l -> p.ok() && l.phoneNumber().equals(p.value())).map(Line::id).findFirst()
                        .orElseThrow(() -> DashaError.validation(Map.of(key + ".phoneNumber", List.of("no line with number " + number))));
            }
            if (line == null) {
                if (all.size() != 1) {
                    throw DashaError.validation(Map.of(key, List.of("required: this organization has " + all.size()
                            + " lines; name one by phoneNumber or by its id as credentialsId")));
                }
                line = all.get(0).id();
            }
            if (chosen != null && !chosen.equals(line)) {
                throw DashaError.validation(Map.of(key, List.of("all calls of one request must use the same caller line")));
            }
            chosen = line;
        }
        return chosen;
    }

    private static Recipient recipient(JsonNode call, String at, Instant now, Map<String, List<String>> errors) {
        String endpoint = text(call, "endpoint", at, errors);
        if (endpoint == null && !errors.containsKey(at + "endpoint")) {
            errors.put(at + "endpoint", List.of("The endpoint field is required."));
        }
        Map<String, Object> data = object(call, "additionalData", at, errors);
        Integer priority = DEFAULT_PRIORITY;
        JsonNode p = call.get("priority");
        if (p != null && !p.isNull()) {
            if (!p.isInt()) errors.put(at + "priority", List.of("must be an integer"));
            else priority = p.asInt();
        }
        Instant deadline = now.plus(DEFAULT_DEADLINE);
        String d = text(call, "callDeadline", at, errors);
        if (d != null) {
            try {
                deadline = java.time.OffsetDateTime.parse(d).toInstant();
            } catch (DateTimeParseException e) {
                errors.put(at + "callDeadline", List.of("must be an ISO 8601 date-time with an offset, such as 2026-03-03T18:00:00Z"));
            }
        }
        String tz = text(call, "timezone", at, errors);
        Map<String, Object> metadata = new LinkedHashMap<>();
        Map<String, Object> outbound = object(call, "overrideOutboundConfig", at, errors);
        if (outbound != null) metadata.put("overrideOutboundConfig", outbound);
        return new Recipient(endpoint, data == null ? Map.of() : data, metadata, tz, priority, null, deadline, null, null, null,
                List.of());
    }

    private static String text(JsonNode parent, String field, String at, Map<String, List<String>> errors) {
        JsonNode n = parent.get(field);
        if (n == null || n.isNull()) return null;
        if (!n.isTextual()) {
            errors.put(at + field, List.of("must be a string"));
            return null;
        }
        return n.asText();
    }

    private static Map<String, Object> object(JsonNode parent, String field, String at, Map<String, List<String>> errors) {
        JsonNode n = parent.get(field);
        if (n == null || n.isNull()) return null;
        if (!n.isObject()) {
            errors.put(at + field, List.of("must be an object"));
            return null;
        }
        return Json.map(n.toString());
    }

    private static JsonNode parse(Context ctx) {
        try {
            return Objects.requireNonNullElse(Json.MAPPER.readTree(ctx.bodyAsBytes()), Json.MAPPER.nullNode());
        } catch (JsonProcessingException e) {
            throw DashaError.validation(Map.of("$", List.of("The JSON value could not be parsed: " + e.getOriginalMessage())));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e); // reading a byte array: cannot happen
        }
    }

    /** Null fields are spelt out (nextScheduleTime once finished, an absent timezone), as Dasha does. */
    private static void json(Context ctx, int status, Object body) {
        String type = status >= 400 ? "application/problem+json" : "application/json";
        ctx.status(status).contentType(type).result(Json.writeBytesKeepingNulls(body));
    }
}
