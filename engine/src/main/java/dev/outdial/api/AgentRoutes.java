package dev.outdial.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.outdial.webhook.WebhookEndpoints;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.outdial.agent.PromptVariables;
import dev.outdial.agent.Template;
import dev.outdial.campaign.Agent;
import dev.outdial.campaign.AmdSettings;
import dev.outdial.campaign.ClassificationTag;
import dev.outdial.campaign.ExtractionField;
import dev.outdial.campaign.ConversationSettings;
import dev.outdial.campaign.PhoneNumbers;
import dev.outdial.campaign.Providers;
import dev.outdial.campaign.Agents;
import dev.outdial.campaign.FieldError;
import dev.outdial.campaign.VariableSpec;
import dev.outdial.schedule.RetryPolicy;
import dev.outdial.store.Json;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@code /v1/agents}: create, list, get, update (PATCH), delete. */
final class AgentRoutes {
    private static final Set<String> FIELDS = Set.of("name", "prompt", "first_message", "language", "voice", "variables",
            "default_variables", "timezone", "max_duration_seconds", "retry_policy", "calling_window", "hooks",
            "amd", "record_calls", "providers", "conversation", "extraction", "tags", "summarize");
    private static final Set<String> PROVIDER_KINDS = Set.of("llm", "stt", "tts", "bot");
    private static final Set<String> ENDPOINT_FIELDS = Set.of("base_url", "model", "voice", "api_key", "api_key_set");
    private static final Set<String> CONVERSATION_FIELDS = Set.of("talk_first", "silence_ms", "reminders", "goodbye", "fallback_line",
            "time_up_line", "transfer_number");
    private static final Set<String> AMD_FIELDS = Set.of("enabled", "behavior", "decision_ms", "message");
    /** Bounds on a call's length: at least 10 s, at most 4 h. */
    private static final int MIN_DURATION_S = 10;
    private static final int MAX_DURATION_S = 4 * 3600;

    private final Agents agents;
    private final Idempotency idempotency;
    private final WebhookEndpoints webhooks;

    AgentRoutes(Agents agents, Idempotency idempotency, WebhookEndpoints webhooks) {
        this.agents = agents;
        this.idempotency = idempotency;
        this.webhooks = webhooks;
    }

    void register(RoutesConfig r) {
        r.post("/v1/agents", idempotency.wrap(this::create));
        r.get("/v1/agents", ctx -> {
            String org = Auth.org(ctx);
            var page = agents.list(org, ctx.queryParam("cursor"), Http.limit(ctx));
            Map<String, Object> out = Http.page(page);
            out.put("data", page.data().stream().map(a -> render(org, a)).toList());
            Http.json(ctx, 200, out);
        });
        r.get("/v1/agents/{id}", ctx -> Http.json(ctx, 200, render(Auth.org(ctx), agents.get(Auth.org(ctx), ctx.pathParam("id")))));
        r.patch("/v1/agents/{id}", this::update);
        r.delete("/v1/agents/{id}", ctx -> {
            agents.delete(Auth.org(ctx), ctx.pathParam("id"));
            ctx.status(204);
        });
    }

    private void create(Context ctx) {
        List<FieldError> errors = new ArrayList<>();
        Body body = Body.of(ctx, errors);
        List<WebhookEndpoints.Hook> hooks = hooks(body, errors);
        Agent.Spec spec = spec(body, errors);
        String org = Auth.org(ctx);
        Agent agent = agents.create(org, spec);
        if (hooks != null) webhooks.replaceAgentHooks(org, agent.id(), hooks);
        Http.json(ctx, 201, render(org, agent));
    }

    /** The agent as answered: its fields and its hooks (HappyRobot's use-case hooks: url and headers). */
    private Map<String, Object> render(String org, Agent agent) {
        @SuppressWarnings("unchecked")
        Map<String, Object> out = new java.util.LinkedHashMap<>(Json.MAPPER.convertValue(agent, Map.class));
        out.put("hooks", webhooks.agentHooks(org, agent.id()));
        return out;
    }

    /** The request's hooks, checked (null: the request does not set them). */
    private List<WebhookEndpoints.Hook> hooks(Body b, List<FieldError> errors) {
        JsonNode n = b.node().get("hooks");
        if (n == null || n.isNull()) return null;
        if (!n.isArray()) {
            errors.add(FieldError.of("/hooks", "must be an array of {url, headers: [{key, value}]}"));
            return null;
        }
        List<WebhookEndpoints.Hook> out = new ArrayList<>();
        for (JsonNode h : n) {
            List<WebhookEndpoints.Header> headers = new ArrayList<>();
            for (JsonNode hd : h.path("headers")) {
                headers.add(new WebhookEndpoints.Header(hd.path("key").isTextual() ? hd.path("key").asText() : null,
                        hd.path("value").isTextual() ? hd.path("value").asText() : null));
            }
            out.add(new WebhookEndpoints.Hook(h.path("url").isTextual() ? h.path("url").asText() : null, headers));
        }
        errors.addAll(webhooks.checkHooks(out));
        return out;
    }

    private void update(Context ctx) {
        String org = Auth.org(ctx);
        Agent current = agents.get(org, ctx.pathParam("id"));
        List<FieldError> errors = new ArrayList<>();
        Body patch = Body.of(ctx, errors);
        List<WebhookEndpoints.Hook> hooks = hooks(patch, errors);
        ObjectNode base = Json.MAPPER.valueToTree(current);
        base.remove(List.of("id", "created_at", "updated_at"));
        ObjectNode merged = Body.merge(base, patch.node());
        merged.remove("hooks");
        Agent.Spec spec = spec(new Body(merged, "", errors, null), errors);
        Agent updated = agents.update(org, current.id(), spec);
        if (hooks != null) webhooks.replaceAgentHooks(org, updated.id(), hooks);
        Http.json(ctx, 200, render(org, updated));
    }

    static Agent.Spec spec(Body b, List<FieldError> errors) {
        b.rejectUnknown(FIELDS);
        String name = b.requiredText("name");
        String prompt = b.text("prompt");
        String firstMessage = b.text("first_message");
        String language = b.text("language");
        String voice = b.text("voice");
        List<VariableSpec> variables = variables(b);
        Map<String, Object> defaults = b.object("default_variables");
        String timezone = b.text("timezone");
        if (timezone != null) {
            try {
                timezone = ZoneId.of(timezone).getId();
            } catch (DateTimeException e) {
                b.error("timezone", "not an IANA time zone: " + timezone);
            }
        }
        Integer maxDuration = b.integer("max_duration_seconds");
        if (maxDuration != null && (maxDuration < MIN_DURATION_S || maxDuration > MAX_DURATION_S)) {
            b.error("max_duration_seconds", "must be between " + MIN_DURATION_S + " and " + MAX_DURATION_S);
        }
        RetryPolicy policy = retryPolicy(b, errors);
        Map<String, Object> window = callingWindow(b, errors);
        AmdSettings amd = amd(b);
        Boolean record = b.bool("record_calls");
        Providers providers = providers(b);
        ConversationSettings conversation = conversation(b);
        List<ExtractionField> extraction = AnalysisInput.extraction(b);
        List<ClassificationTag> tags = AnalysisInput.tags(b);
        Boolean summarize = b.bool("summarize");
        if (defaults != null && variables != null) {
            for (VariableSpec v : variables) {
                Object d = defaults.get(v.name());
                String why = d == null ? null : v.check(d);
                if (why != null) errors.add(FieldError.of("/default_variables/" + v.name(), why));
            }
        }
        Set<String> known = new java.util.HashSet<>(PromptVariables.BUILT_INS);
        if (variables != null) variables.forEach(v -> known.add(v.name()));
        if (defaults != null) known.addAll(defaults.keySet());
        placeholders("/prompt", prompt, known, errors);
        placeholders("/first_message", firstMessage, known, errors);
        if (amd != null) placeholders("/amd/message", amd.message(), known, errors);
        if (providers != null && providers.bot() != null && providers.bot().customParameters() != null) {
            providers.bot().customParameters().forEach((k, v) -> placeholders("/providers/bot/custom_parameters/" + Body.segment(k), v, known, errors));
        }
        if (!errors.isEmpty()) throw ApiException.invalid(errors);
        return new Agent.Spec(name, prompt == null ? "" : prompt, firstMessage, language == null ? "en" : language, voice,
                variables == null ? List.of() : variables, defaults == null ? Map.of() : defaults, timezone,
                maxDuration == null ? 600 : maxDuration, policy == null ? RetryPolicy.defaults() : policy, window,
                amd, record != null && record, providers, conversation, extraction == null ? List.of() : extraction,
                tags == null ? List.of() : tags, summarize);
    }

    /**
     * {@code providers}: {llm, stt, tts}, each {base_url, model, voice (tts), api_key (write-only)}, stt's base_url also ws(s)
     * (streaming); or {bot: {url, headers, custom_parameters}}.
     */
    static Providers providers(Body b) {
        if (!b.has("providers") || b.node().get("providers").isNull()) return null;
        Body p = b.nested("providers");
        if (p == null) return null;
        p.rejectUnknown(PROVIDER_KINDS);
        return new Providers(endpoint(p, "llm"), endpoint(p, "stt"), endpoint(p, "tts"), BotSettings.read(p));
    }

    private static Providers.Endpoint endpoint(Body p, String kind) {
        if (!p.has(kind) || p.node().get(kind).isNull()) return null;
        Body e = p.nested(kind);
        if (e == null) return null;
        e.rejectUnknown(ENDPOINT_FIELDS);
        String url = e.requiredText("base_url");
        if (url != null && "stt".equals(kind) && !url.matches("(https?|wss?)://[^\\s/]+(/\\S*)?")) {
            e.error("base_url", "must be an http or https URL (audio transcriptions, e.g. https://api.openai.com/v1) or a ws or wss URL "
                    + "(Deepgram-compatible streaming, e.g. wss://api.deepgram.com/v1); got " + url);
        } else if (url != null && !"stt".equals(kind) && !url.matches("https?://[^\\s/]+(/\\S*)?")) {
            e.error("base_url", "must be an http or https URL, e.g. https://api.openai.com/v1; got " + url);
        }
        String model = e.requiredText("model");
        String voice = e.text("voice");
        if ("tts".equals(kind) && voice == null) e.error("voice", "is required for tts, e.g. alloy");
        if (!"tts".equals(kind) && voice != null) e.error("voice", "is only for tts");
        return new Providers.Endpoint(url, model, voice, e.text("api_key"), null); // api_key_set is only ever shown
    }

    /** {@code conversation}: talk_first, silence_ms, reminders, goodbye, fallback_line, time_up_line, transfer_number. */
    static ConversationSettings conversation(Body b) {
        if (!b.has("conversation") || b.node().get("conversation").isNull()) return null;
        Body c = b.nested("conversation");
        if (c == null) return null;
        c.rejectUnknown(CONVERSATION_FIELDS);
        Integer silence = c.integer("silence_ms");
        if (silence != null && (silence < ConversationSettings.MIN_SILENCE_MS || silence > ConversationSettings.MAX_SILENCE_MS)) {
            c.error("silence_ms", "must be between " + ConversationSettings.MIN_SILENCE_MS + " and " + ConversationSettings.MAX_SILENCE_MS);
        }
        List<String> reminders = null;
        JsonNode r = c.node().get("reminders");
        if (r != null && !r.isNull()) {
            reminders = new ArrayList<>();
            if (!r.isArray() || r.size() > ConversationSettings.MAX_REMINDERS) {
                c.error("reminders", "must be an array of at most " + ConversationSettings.MAX_REMINDERS + " strings");
            } else {
                for (JsonNode v : r) {
                    if (!v.isTextual() || v.asText().isBlank()) c.error("reminders", "must hold only non-empty strings");
                    else reminders.add(v.asText());
                }
            }
        }
        String transfer = c.text("transfer_number");
        if (transfer != null) {
            PhoneNumbers.Parsed p = PhoneNumbers.parse(transfer, null, true);
            if (p.ok()) transfer = p.value();
            else c.error("transfer_number", p.error());
        }
        return new ConversationSettings(c.bool("talk_first"), silence, reminders, c.text("goodbye"), c.text("fallback_line"),
                c.text("time_up_line"), transfer);
    }

    /** A template may only use declared variables, defaults and built-ins: a typo would otherwise be spoken as nothing. */
    private static void placeholders(String pointer, String template, Set<String> known, List<FieldError> errors) {
        for (String name : Template.unknown(template, known)) {
            errors.add(FieldError.of(pointer, "unknown placeholder {{" + name + "}}: declare it in variables, give it a default"
                    + " in default_variables, or use a built-in (" + String.join(", ", PromptVariables.BUILT_INS) + ")"));
        }
    }

    /** {@code amd}: {enabled, behavior, decision_ms, message}; null (off) when absent, null or enabled false. */
    static AmdSettings amd(Body b) {
        if (!b.has("amd") || b.node().get("amd").isNull()) return null;
        Body a = b.nested("amd");
        if (a == null) return null;
        a.rejectUnknown(AMD_FIELDS);
        Boolean enabled = a.bool("enabled");
        String behavior = a.text("behavior");
        if (behavior == null) behavior = "hangup";
        if (!AmdSettings.BEHAVIORS.contains(behavior)) a.error("behavior", "must be one of " + AmdSettings.BEHAVIORS + "; got " + behavior);
        Integer decision = a.integer("decision_ms");
        if (decision != null && (decision < AmdSettings.MIN_DECISION_MS || decision > AmdSettings.MAX_DECISION_MS)) {
            a.error("decision_ms", "must be between " + AmdSettings.MIN_DECISION_MS + " and " + AmdSettings.MAX_DECISION_MS);
        }
        String message = a.text("message");
        if ("leave_message".equals(behavior) && (message == null || message.isBlank())) a.error("message", "is required when behavior is leave_message");
        if (enabled != null && !enabled) return null;
        return new AmdSettings(behavior, decision == null ? AmdSettings.DEFAULT_DECISION_MS : decision, message);
    }

    /** {@code retry_policy} if present (null if absent or invalid, with the error recorded). */
    static RetryPolicy retryPolicy(Body b, List<FieldError> errors) {
        Map<String, Object> rp = b.object("retry_policy");
        if (rp == null) return null;
        try {
            return RetryPolicy.fromJson(rp);
        } catch (IllegalArgumentException e) {
            errors.add(nested(b.pointer("retry_policy"), e.getMessage().replaceFirst("^([a-z_]+)\\.", "$1/")));
            return null;
        }
    }

    /** {@code calling_window} in canonical form if present (null if absent or invalid, with the error recorded). */
    static Map<String, Object> callingWindow(Body b, List<FieldError> errors) {
        Map<String, Object> w = b.object("calling_window");
        if (w == null) return null;
        try {
            return dev.outdial.schedule.WindowJson.toJson(dev.outdial.schedule.WindowJson.parse(w));
        } catch (IllegalArgumentException e) {
            errors.add(nested(b.pointer("calling_window"), e.getMessage()));
            return null;
        }
    }

    /** An error whose message starts with a sub-path ("mon/0/end: reason") as a pointer under {@code base}. */
    private static FieldError nested(String base, String message) {
        int colon = message.indexOf(": ");
        if (colon <= 0) return FieldError.of(base, message);
        String sub = message.substring(0, colon);
        return FieldError.of(sub.isBlank() ? base : base + "/" + sub, message.substring(colon + 2));
    }

    private static List<VariableSpec> variables(Body b) {
        List<Body> items = b.objectItems("variables", Integer.MAX_VALUE, "{name, type, required}");
        if (items == null) return null;
        List<VariableSpec> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (Body v : items) {
            v.rejectUnknown(Set.of("name", "type", "required"));
            String name = v.requiredText("name");
            String type = v.text("type");
            Boolean required = v.bool("required");
            if (type == null) type = "string";
            if (!VariableSpec.TYPES.contains(type)) v.error("type", "must be one of " + VariableSpec.TYPES);
            if (name != null && !name.matches("[A-Za-z_][A-Za-z0-9_]{0,63}")) {
                v.error("name", "must be a letter or _ followed by letters, digits or _ (at most 64)");
            } else if (name != null && !seen.add(name)) {
                v.error("name", "declared twice: " + name);
            }
            out.add(new VariableSpec(name, type, required == null || required));
        }
        return out;
    }
}
