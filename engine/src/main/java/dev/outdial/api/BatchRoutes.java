package dev.outdial.api;

import dev.outdial.campaign.BatchRequest;
import dev.outdial.campaign.Batches;
import dev.outdial.campaign.Calls;
import dev.outdial.campaign.FieldError;
import dev.outdial.campaign.Intake;
import dev.outdial.campaign.Recipient;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@code /v1/batches} and {@code /v1/calls}: submit, read, list, cancel. */
final class BatchRoutes {
    private static final Set<String> BATCH_FIELDS = Set.of("name", "agent_id", "line_id", "scheduled_at", "deadline", "priority",
            "variables", "metadata", "default_country", "allow_partial", "recipients", "calling_window", "retry_policy");
    private static final Set<String> RECIPIENT_FIELDS = Set.of("phone_number", "variables", "metadata", "timezone", "priority",
            "scheduled_at", "deadline", "external_id", "overrides", "retry_policy");
    private static final Set<String> BATCH_STATUSES = Set.of("pending", "in_progress", "paused", "completed", "cancelled");

    private final Intake intake;
    private final Batches batches;
    private final Calls calls;
    private final Idempotency idempotency;

    BatchRoutes(Intake intake, Batches batches, Calls calls, Idempotency idempotency) {
        this.intake = intake;
        this.batches = batches;
        this.calls = calls;
        this.idempotency = idempotency;
    }

    void register(RoutesConfig r) {
        r.post("/v1/batches", idempotency.wrap(this::create));
        r.get("/v1/batches", ctx -> {
            String status = ctx.queryParam("status");
            if (status != null && !BATCH_STATUSES.contains(status)) {
                throw ApiException.invalid(List.of(FieldError.of("/status", "must be one of " + BATCH_STATUSES)));
            }
            Http.json(ctx, 200, Http.page(batches.list(Auth.org(ctx), ctx.queryParam("cursor"), Http.limit(ctx), status)));
        });
        r.get("/v1/batches/{id}", ctx -> Http.json(ctx, 200, batches.get(Auth.org(ctx), ctx.pathParam("id"))));
        r.post("/v1/batches/{id}/cancel", idempotency.wrap(ctx ->
                Http.json(ctx, 200, batches.cancel(Auth.org(ctx), ctx.pathParam("id")))));
        r.post("/v1/batches/{id}/pause", idempotency.wrap(ctx -> Http.json(ctx, 200, batches.pause(Auth.org(ctx), ctx.pathParam("id")))));
        r.post("/v1/batches/{id}/resume", idempotency.wrap(ctx -> Http.json(ctx, 200, batches.resume(Auth.org(ctx), ctx.pathParam("id")))));
        r.post("/v1/batches/{id}/retry", idempotency.wrap(this::retry));
        r.post("/v1/batches/{id}/recipients", idempotency.wrap(this::addRecipients));
        r.get("/v1/batches/{id}/calls", this::listCalls);
        r.get("/v1/calls/{id}", ctx -> Http.json(ctx, 200, calls.get(Auth.org(ctx), ctx.pathParam("id"))));
        r.get("/v1/calls/{id}/attempts/{attempt}/recording", this::recording);
    }

    /** An attempt's recording as audio/wav; 404 when it has none (or it is another organization's call). */
    private void recording(Context ctx) throws java.io.IOException {
        String id = ctx.pathParam("id");
        int attempt;
        try {
            attempt = Integer.parseInt(ctx.pathParam("attempt"));
        } catch (NumberFormatException e) {
            throw new dev.outdial.campaign.NotFoundException("recording", id + "/" + ctx.pathParam("attempt"));
        }
        java.nio.file.Path file = calls.recording(Auth.org(ctx), id, attempt)
                .filter(java.nio.file.Files::isReadable)
                .orElseThrow(() -> new dev.outdial.campaign.NotFoundException("recording", id + "/" + attempt));
        ctx.contentType("audio/wav");
        ctx.header("Content-Length", Long.toString(java.nio.file.Files.size(file)));
        try (var in = java.nio.file.Files.newInputStream(file)) {
            in.transferTo(ctx.outputStream());
        }
    }

    private void create(Context ctx) {
        List<FieldError> errors = new ArrayList<>();
        Body b = Body.of(ctx, errors);
        b.rejectUnknown(BATCH_FIELDS);
        String name = b.text("name");
        String agentId = b.text("agent_id");
        String lineId = b.text("line_id");
        var scheduledAt = b.instant("scheduled_at");
        var deadline = b.instant("deadline");
        Integer priority = b.integer("priority");
        Map<String, Object> variables = b.object("variables");
        Map<String, Object> metadata = b.object("metadata");
        String country = b.text("default_country");
        Boolean partial = b.bool("allow_partial");
        List<Body> rows = b.objects("recipients");
        Map<String, Object> window = AgentRoutes.callingWindow(b, errors);
        var retryPolicy = AgentRoutes.retryPolicy(b, errors);
        if (!errors.isEmpty()) throw ApiException.invalid(errors);
        List<Recipient> recipients = new ArrayList<>(rows == null ? 0 : rows.size());
        if (rows != null) {
            for (Body row : rows) recipients.add(recipient(row));
        }
        BatchRequest req = new BatchRequest(name, agentId, lineId, scheduledAt, deadline, priority, variables, metadata, country,
                partial != null && partial, recipients, ctx.header(Idempotency.HEADER), window, retryPolicy);
        Http.json(ctx, 201, render(intake.submit(Auth.org(ctx), req))); // a replay after a crash answers as the first would have
    }

    /** The batch, plus what intake did with the rows that did not become plain scheduled calls. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> render(Intake.Result result) {
        Map<String, Object> out = new LinkedHashMap<>(dev.outdial.store.Json.MAPPER.convertValue(result.batch(), Map.class));
        if (!result.rejected().isEmpty()) out.put("rejected", result.rejected().stream().map(Problems::render).toList());
        if (!result.suppressed().isEmpty()) out.put("suppressed", result.suppressed());
        if (!result.merged().isEmpty()) out.put("merged", result.merged());
        if (!result.duplicates().isEmpty()) out.put("duplicates", result.duplicates());
        return out;
    }

    private void addRecipients(Context ctx) {
        List<FieldError> errors = new ArrayList<>();
        Body b = Body.of(ctx, errors);
        b.rejectUnknown(Set.of("recipients", "allow_partial"));
        Boolean partial = b.bool("allow_partial");
        List<Body> rows = b.objects("recipients");
        if (rows == null) b.error("recipients", "is required");
        if (!errors.isEmpty()) throw ApiException.invalid(errors);
        List<Recipient> recipients = new ArrayList<>(rows.size());
        for (Body row : rows) recipients.add(recipient(row));
        Http.json(ctx, 200, render(intake.addToBatch(Auth.org(ctx), ctx.pathParam("id"), recipients, partial != null && partial)));
    }

    private void retry(Context ctx) {
        Set<String> outcomes = Set.of("no_answer", "busy", "voicemail", "failed");
        boolean extend = false;
        if (ctx.bodyAsBytes().length > 0) {
            List<FieldError> errors = new ArrayList<>();
            Body b = Body.of(ctx, errors);
            b.rejectUnknown(Set.of("outcomes", "extend_budget"));
            Boolean e = b.bool("extend_budget");
            extend = e != null && e;
            var node = b.node().get("outcomes");
            if (node != null && !node.isNull()) {
                Set<String> chosen = new java.util.HashSet<>();
                if (!node.isArray()) b.error("outcomes", "must be a list of outcomes");
                else node.forEach(o -> {
                    if (o.isTextual() && Calls.OUTCOMES.contains(o.asText())) chosen.add(o.asText());
                    else b.error("outcomes", "must name outcomes among " + new java.util.TreeSet<>(Calls.OUTCOMES) + "; got " + o);
                });
                outcomes = chosen;
            }
            if (!errors.isEmpty()) throw ApiException.invalid(errors);
        }
        String org = Auth.org(ctx);
        String id = ctx.pathParam("id");
        int n = batches.retry(org, id, outcomes, extend);
        Map<String, Object> out = new LinkedHashMap<>(dev.outdial.store.Json.MAPPER.convertValue(batches.get(org, id), Map.class));
        out.put("calls_requeued", n);
        Http.json(ctx, 200, out);
    }

    /** Reads one recipient; a row that is not an object is a row error, not a failed request. */
    private static Recipient recipient(Body row) {
        List<FieldError> rowErrors = new ArrayList<>();
        if (!row.isObject()) {
            return new Recipient(null, null, null, null, null, null, null, null, null, null,
                    List.of(FieldError.of(row.pointer(""), "must be an object with a phone_number")));
        }
        Body r = new Body(row.node(), row.pointer(""), rowErrors, null);
        r.rejectUnknown(RECIPIENT_FIELDS);
        String phone = r.text("phone_number");
        Map<String, Object> variables = r.object("variables");
        Map<String, Object> metadata = r.object("metadata");
        String tz = r.text("timezone");
        Integer priority = r.integer("priority");
        var scheduledAt = r.instant("scheduled_at");
        var deadline = r.instant("deadline");
        String externalId = r.text("external_id");
        Map<String, Object> overrides = r.object("overrides");
        var retryPolicy = AgentRoutes.retryPolicy(r, rowErrors);
        return new Recipient(phone, variables, metadata, tz, priority, scheduledAt, deadline, externalId, overrides, retryPolicy,
                rowErrors);
    }

    private void listCalls(Context ctx) {
        String state = ctx.queryParam("state");
        String outcome = ctx.queryParam("outcome");
        List<FieldError> errors = new ArrayList<>();
        if (state != null && !Calls.STATES.contains(state)) errors.add(FieldError.of("/state", "must be one of " + Calls.STATES));
        if (outcome != null && !Calls.OUTCOMES.contains(outcome)) errors.add(FieldError.of("/outcome", "must be one of " + Calls.OUTCOMES));
        int limit = Http.limit(ctx);
        if (!errors.isEmpty()) throw ApiException.invalid(errors);
        Http.json(ctx, 200, Http.page(calls.listByBatch(Auth.org(ctx), ctx.pathParam("id"), state, outcome,
                ctx.queryParam("cursor"), limit)));
    }
}
