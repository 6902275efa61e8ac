package dev.outdial.api.dialect.happyrobot;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.outdial.api.Auth;
import dev.outdial.campaign.Agent;
import dev.outdial.campaign.Agents;
import dev.outdial.campaign.BatchRequest;
import dev.outdial.campaign.Call;
import dev.outdial.campaign.Calls;
import dev.outdial.campaign.FieldError;
import dev.outdial.campaign.Intake;
import dev.outdial.campaign.InvalidInputException;
import dev.outdial.campaign.Lines;
import dev.outdial.campaign.Page;
import dev.outdial.campaign.Recipient;
import dev.outdial.store.Json;
import dev.outdial.webhook.WebhookEndpoints;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * HappyRobot's dial API (seeds 000 and 003): {@code POST /api/v1/dial/outbound} (one call) and
 * {@code POST /api/v1/dial/outbound-batched} (an array). Each request becomes one Outdial batch;
 * the use case is an Outdial agent ({@code use_case_id}, else {@code agent_id}, else the deprecated
 * {@code assistant_id}), {@code number_id} the line. Calls of one request share both, so a request
 * is stored whole or not at all.
 */
public final class DialRoutes {
    /** The seed's language enum. */
    static final Set<String> LANGUAGES = Set.of("en-US", "en-GB", "es-MX", "es-ES", "pt-PT", "de-DE", "fr-FR", "pl-PL",
            "ro-RO", "it-IT");
    /** HappyRobot's ids are 24 characters, as Outdial's are. */
    private static final int ID_LENGTH = 24;

    private final Auth auth;
    private final Clock clock;
    private final Intake intake;
    private final Calls calls;
    private final Agents agents;
    private final Lines lines;
    private final WebhookEndpoints webhooks;

    public DialRoutes(Auth auth, Clock clock, Intake intake, Calls calls, Agents agents, Lines lines, WebhookEndpoints webhooks) {
        this.auth = auth;
        this.clock = clock;
        this.intake = intake;
        this.calls = calls;
        this.agents = agents;
        this.lines = lines;
        this.webhooks = webhooks;
    }

    public void register(RoutesConfig routes) {
        routes.exception(HappyRobotError.class, (e, ctx) -> ctx.status(e.status).contentType("application/json")
                .result(Json.writeBytes(e.body())));
        routes.before("/api/v1/dial/*", ctx -> {
            if (!auth.authenticate(ctx)) throw new HappyRobotError(401, "Unauthorized", "Send 'authorization: Bearer <API key>'", List.of());
        });
        routes.post("/api/v1/dial/outbound", ctx -> dial(ctx, false));
        routes.post("/api/v1/dial/outbound-batched", ctx -> dial(ctx, true));
    }

    /** One call object, read; {@code agentId} and {@code lineId} are checked to agree across a request. */
    private record Dial(String agentId, String lineId, Recipient recipient) {
    }

    private void dial(Context ctx, boolean batched) {
        String org = Auth.org(ctx);
        JsonNode body = parse(ctx);
        List<JsonNode> items = new ArrayList<>();
        if (batched) {
            if (!body.isArray() || body.isEmpty() || body.size() > Intake.MAX_RECIPIENTS) {
                throw HappyRobotError.invalid(List.of(Map.of("path", "", "message",
                        "must be an array of 1 to " + Intake.MAX_RECIPIENTS + " call objects")));
            }
            body.forEach(items::add);
        } else {
            if (!body.isObject()) throw HappyRobotError.invalid(List.of(Map.of("path", "", "message", "must be a call object")));
            items.add(body);
        }
        List<Map<String, String>> errors = new ArrayList<>();
        List<Dial> dials = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) dials.add(read(items.get(i), batched ? "[" + i + "]." : "", errors));
        if (errors.isEmpty()) {
            for (int i = 1; i < dials.size(); i++) {
                if (!dials.get(i).agentId().equals(dials.get(0).agentId()) || !dials.get(i).lineId().equals(dials.get(0).lineId())) {
                    errors.add(Map.of("path", "[" + i + "]", "message",
                            "every call of one request must use the same use case and number_id as the first"));
                }
            }
        }
        if (!errors.isEmpty()) throw HappyRobotError.invalid(errors);
        Dial first = dials.get(0);
        BatchRequest req = new BatchRequest("happyrobot " + clock.instant(), first.agentId(), first.lineId(), null, null, null,
                null, Map.of("dialect", "happyrobot"), null, false, dials.stream().map(Dial::recipient).toList(),
                ctx.header("Idempotency-Key"), null, null);
        Intake.Result result;
        try {
            result = intake.submit(org, req);
        } catch (InvalidInputException e) {
            throw fromIntake(e.errors(), batched);
        }
        Agent agent = agents.get(org, first.agentId());
        String from = lines.get(org, first.lineId()).phoneNumber();
        List<WebhookEndpoints.Hook> hooks = webhooks.agentHooks(org, agent.id());
        List<Map<String, Object>> out = new ArrayList<>();
        String cursor = null;
        do {
            Page<Call> page = calls.listByBatch(org, result.batch().id(), null, null, cursor, 1000);
            for (Call c : page.data()) out.add(UseCaseView.call(c, agent, hooks, org, from));
            cursor = page.nextCursor();
        } while (cursor != null);
        ctx.status(200).contentType("application/json").result(Json.writeBytesKeepingNulls(batched ? out : out.get(0)));
    }

    private static Dial read(JsonNode n, String at, List<Map<String, String>> errors) {
        if (!n.isObject()) {
            errors.add(Map.of("path", at.isEmpty() ? "" : at.substring(0, at.length() - 1), "message", "must be a call object"));
            return new Dial("", "", Recipient.of(null));
        }
        String useCase = id(n, "use_case_id", at, errors);
        String agentId = id(n, "agent_id", at, errors);
        String assistant = text(n, "assistant_id", at, errors);
        String agent = useCase != null ? useCase : agentId != null ? agentId : assistant;
        if (agent == null && !n.hasNonNull("use_case_id") && !n.hasNonNull("agent_id")) {
            errors.add(Map.of("path", at + "use_case_id", "message", "use_case_id (or agent_id) is required"));
        }
        String line = id(n, "number_id", at, errors);
        if (line == null && !n.hasNonNull("number_id")) errors.add(Map.of("path", at + "number_id", "message", "is required"));
        String phone = text(n, "phone_number", at, errors);
        if (phone == null && !n.hasNonNull("phone_number")) errors.add(Map.of("path", at + "phone_number", "message", "is required"));

        Map<String, Object> overrides = new LinkedHashMap<>();
        String language = text(n, "language", at, errors);
        if (language != null && !LANGUAGES.contains(language)) {
            errors.add(Map.of("path", at + "language", "message", "must be one of " + LANGUAGES.stream().sorted().toList()));
        } else if (language != null) {
            overrides.put("language", language);
        }
        String voice = text(n, "voice_id", at, errors);
        if (voice != null) overrides.put("voice", voice);
        String modelId = id(n, "model_id", at, errors);
        String model = text(n, "model", at, errors);
        if (modelId != null || model != null) overrides.put("llm_model", modelId != null ? modelId : model);
        JsonNode mins = n.get("max_duration_mins");
        if (mins != null && !mins.isNull()) {
            if (!mins.isInt() || mins.asInt() < 1 || mins.asInt() > Recipient.MAX_DURATION_S / 60) {
                errors.add(Map.of("path", at + "max_duration_mins", "message", "must be whole minutes from 1 to " + Recipient.MAX_DURATION_S / 60));
            } else {
                overrides.put("max_duration_s", mins.asInt() * 60);
            }
        }
        Map<String, Object> variables = Map.of();
        JsonNode params = n.get("params");
        if (params != null && !params.isNull()) {
            if (!params.isObject()) errors.add(Map.of("path", at + "params", "message", "must be an object of prompt variables"));
            else variables = Json.map(params.toString());
        }
        Map<String, Object> metadata = new LinkedHashMap<>();
        JsonNode custom = n.get("metadata");
        if (custom != null && !custom.isNull()) {
            if (!custom.isObject()) errors.add(Map.of("path", at + "metadata", "message", "must be an object"));
            else metadata.put("custom", Json.map(custom.toString()));
        }
        String campaign = text(n, "campaign_id", at, errors);
        if (campaign != null) metadata.put("campaign_id", campaign);
        String prompt = text(n, "prompt_id", at, errors);
        if (prompt != null) metadata.put("prompt_id", prompt);
        Instant scheduledFor = null;
        String s = text(n, "scheduled_for", at, errors);
        if (s != null) {
            try {
                scheduledFor = Instant.parse(s);
            } catch (DateTimeParseException e) {
                errors.add(Map.of("path", at + "scheduled_for", "message", "must be an ISO 8601 UTC date-time such as 2024-01-01T01:01:01Z"));
            }
        }
        Recipient r = new Recipient(phone, variables, metadata, null, null, scheduledFor, null, null,
                overrides.isEmpty() ? null : overrides, null, List.of());
        return new Dial(agent == null ? "" : agent, line == null ? "" : line, r);
    }

    private static String id(JsonNode n, String field, String at, List<Map<String, String>> errors) {
        String v = text(n, field, at, errors);
        if (v != null && v.length() != ID_LENGTH) {
            errors.add(Map.of("path", at + field, "message", "must be " + ID_LENGTH + " characters"));
            return null;
        }
        return v;
    }

    private static String text(JsonNode n, String field, String at, List<Map<String, String>> errors) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) return null;
        if (!v.isTextual()) {
            errors.add(Map.of("path", at + field, "message", "must be a string"));
            return null;
        }
        return v.asText();
    }

    /** Intake's errors at HappyRobot's paths: {@code /recipients/2/variables/name} → {@code [2].params.name}. */
    private static HappyRobotError fromIntake(List<FieldError> errors, boolean batched) {
        List<Map<String, String>> out = new ArrayList<>();
        boolean agentMissing = false;
        for (FieldError e : errors) {
            String p = e.pointer();
            if (p.equals("/agent_id")) agentMissing = true;
            String path = p.replaceFirst("^/recipients/(\\d+)/?", batched ? "[$1]." : "")
                    .replaceFirst("^/agent_id$", "use_case_id").replaceFirst("^/line_id$", "number_id")
                    .replace("variables/", "params.").replace("scheduled_at", "scheduled_for")
                    .replace('/', '.');
            out.add(Map.of("path", path.endsWith(".") ? path.substring(0, path.length() - 1) : path, "message", e.reason()));
        }
        if (agentMissing && errors.size() == 1) return new HappyRobotError(404, "Not Found", "Use case not found", out);
        return HappyRobotError.invalid(out);
    }

    private static JsonNode parse(Context ctx) {
        try {
            JsonNode n = Json.MAPPER.readTree(ctx.bodyAsBytes());
            if (n == null) throw HappyRobotError.invalid(List.of(Map.of("path", "", "message", "a JSON body is required")));
            return n;
        } catch (JsonProcessingException e) {
            throw HappyRobotError.invalid(List.of(Map.of("path", "", "message", "not valid JSON: " + e.getOriginalMessage())));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e); // reading a byte array: cannot happen
        }
    }
}
