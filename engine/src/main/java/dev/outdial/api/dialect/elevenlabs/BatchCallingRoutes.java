package dev.outdial.api.dialect.elevenlabs;

import com.fasterxml.jackson.databind.JsonNode;
import dev.outdial.api.Auth;
import dev.outdial.campaign.Agent;
import dev.outdial.campaign.Agents;
import dev.outdial.campaign.Batch;
import dev.outdial.campaign.BatchRequest;
import dev.outdial.campaign.Batches;
import dev.outdial.campaign.Call;
import dev.outdial.campaign.Calls;
import dev.outdial.campaign.ConflictException;
import dev.outdial.campaign.Intake;
import dev.outdial.campaign.InvalidInputException;
import dev.outdial.campaign.Line;
import dev.outdial.campaign.Lines;
import dev.outdial.campaign.NotFoundException;
import dev.outdial.campaign.Page;
import dev.outdial.store.Ids;
import dev.outdial.store.Json;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * ElevenLabs-style batch calling (seed 001) at the vendor's own paths, under both
 * {@code /v1/voiceai/batch-calling} (the seed) and {@code /v1/convai/batch-calling} (the original
 * API it copies, which the official SDKs call). A thin mapping onto the native services: a job is
 * a batch, a recipient a call; see {@link SubmitRequest} for the field mapping and
 * {@link BatchCallingViews} for the answers. Errors are FastAPI's: {@code {"detail": …}}.
 */
public final class BatchCallingRoutes {
    private static final List<String> PREFIXES = List.of("/v1/voiceai/batch-calling", "/v1/convai/batch-calling");
    /** What retry re-dials: every recipient not reached, as the vendor's "failed and no-response" recipients. */
    private static final Set<String> RETRIED_OUTCOMES = Set.of("failed", "no_answer", "busy", "voicemail");
    private static final int DEFAULT_LIMIT = 100;
    private static final int MAX_LIMIT = 1000;

    private final Auth auth;
    private final Intake intake;
    private final Batches batches;
    private final Calls calls;
    private final Agents agents;
    private final Lines lines;

    public BatchCallingRoutes(Auth auth, Intake intake, Batches batches, Calls calls, Agents agents, Lines lines) {
        this.auth = auth;
        this.intake = intake;
        this.batches = batches;
        this.calls = calls;
        this.agents = agents;
        this.lines = lines;
    }

    public void register(RoutesConfig routes) {
        routes.exception(VendorError.class, (e, ctx) -> json(ctx, e.status, Map.of("detail", e.detail)));
        for (String p : PREFIXES) {
            routes.before(p + "/*", this::authenticate);
            routes.before(p, this::authenticate);
            routes.post(p + "/submit", this::submit);
            routes.get(p + "/workspace", this::list);
            routes.get(p + "/{id}", this::get);
            routes.post(p + "/{id}/cancel", this::cancel);
            routes.post(p + "/{id}/retry", this::retry);
        }
    }

    private void authenticate(Context ctx) {
        if (!auth.authenticate(ctx)) {
            throw new VendorError(401, Map.of("status", "invalid_api_key",
                    "message", "Send a valid API key in the 'xi-api-key' or 'x-api-key' header"));
        }
    }

    private void submit(Context ctx) {
        String org = Auth.org(ctx);
        JsonNode body = VendorError.parse(ctx);
        SubmitRequest req = SubmitRequest.read(body);
        String lineId = req.phoneNumberId() != null ? req.phoneNumberId() : onlyLine(org);
        BatchRequest native_ = req.toNative(lineId, ctx.header("Idempotency-Key"));
        Intake.Result result;
        try {
            result = intake.submit(org, native_);
        } catch (InvalidInputException e) {
            throw VendorError.invalid(e.errors());
        }
        json(ctx, 200, view(org, result.batch(), new HashMap<>()));
    }

    /** With no caller number named, a workspace with exactly one number uses it. */
    private String onlyLine(String org) {
        Page<Line> page = lines.list(org, null, 2);
        if (page.data().size() == 1) return page.data().get(0).id();
        throw VendorError.invalidField(List.of("body", "agent_phone_number_id"),
                "required: this workspace has " + (page.hasMore() ? "several" : page.data().size()) + " phone numbers");
    }

    private void get(Context ctx) {
        String org = Auth.org(ctx);
        Batch b = find(org, ctx.pathParam("id"));
        Map<String, Object> out = view(org, b, new HashMap<>());
        List<Map<String, Object>> recipients = new ArrayList<>();
        String cursor = null;
        do {
            Page<Call> page = calls.listByBatch(org, b.id(), null, null, cursor, MAX_LIMIT);
            for (Call c : page.data()) recipients.add(BatchCallingViews.recipient(c));
            cursor = page.nextCursor();
        } while (cursor != null);
        out.put("recipients", recipients);
        json(ctx, 200, out);
    }

    private void list(Context ctx) {
        String org = Auth.org(ctx);
        int limit = DEFAULT_LIMIT;
        String l = ctx.queryParam("limit");
        if (l != null) {
            try {
                limit = Integer.parseInt(l);
            } catch (NumberFormatException e) {
                limit = -1;
            }
            if (limit < 1 || limit > MAX_LIMIT) {
                throw VendorError.invalidField(List.of("query", "limit"), "must be an integer from 1 to " + MAX_LIMIT);
            }
        }
        String lastDoc = ctx.queryParam("last_doc");
        if (lastDoc != null && !Ids.looksLike("bat", lastDoc)) {
            throw VendorError.invalidField(List.of("query", "last_doc"), "not a batch id this API returned");
        }
        Page<Batch> page;
        try {
            page = batches.list(org, lastDoc, limit, null);
        } catch (InvalidInputException e) {
            throw VendorError.invalidField(List.of("query", "last_doc"), "not a batch id this API returned");
        }
        Map<String, AgentLine> names = new HashMap<>();
        List<Map<String, Object>> jobs = new ArrayList<>();
        for (Batch b : page.data()) jobs.add(view(org, b, names));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("batch_calls", jobs);
        out.put("next_doc", page.nextCursor());
        out.put("has_more", page.hasMore());
        json(ctx, 200, out);
    }

    private void cancel(Context ctx) {
        String org = Auth.org(ctx);
        String id = find(org, ctx.pathParam("id")).id();
        try {
            json(ctx, 200, view(org, batches.cancel(org, id), new HashMap<>()));
        } catch (ConflictException e) {
            throw VendorError.state(e.getMessage());
        }
    }

    private void retry(Context ctx) {
        String org = Auth.org(ctx);
        String id = find(org, ctx.pathParam("id")).id();
        try {
            batches.retry(org, id, RETRIED_OUTCOMES, true);
        } catch (ConflictException e) {
            throw VendorError.state(e.getMessage());
        }
        json(ctx, 200, view(org, batches.get(org, id), new HashMap<>()));
    }

    private static void json(Context ctx, int status, Object body) {
        ctx.status(status).contentType("application/json").result(Json.writeBytesKeepingNulls(body));
    }

    private Batch find(String org, String id) {
        try {
            return batches.get(org, id);
        } catch (NotFoundException e) {
            throw new VendorError(404, Map.of("status", "batch_call_not_found", "message", "No batch call job " + id));
        }
    }

    /** An agent's name and a line's provider, looked up once per request. */
    private record AgentLine(String agentName, String provider) {
    }

    private Map<String, Object> view(String org, Batch b, Map<String, AgentLine> seen) {
        AgentLine al = seen.computeIfAbsent(b.agentId() + "/" + b.lineId(), k -> new AgentLine(
                agents.find(org, b.agentId()).map(Agent::name).orElse(""),
                lines.find(org, b.lineId()).map(Line::provider).orElse("")));
        return BatchCallingViews.batch(b, al.agentName(), al.provider());
    }
}
