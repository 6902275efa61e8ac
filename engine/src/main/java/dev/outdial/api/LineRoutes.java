package dev.outdial.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.outdial.campaign.FieldError;
import dev.outdial.campaign.Line;
import dev.outdial.campaign.Lines;
import dev.outdial.campaign.PhoneNumbers;
import dev.outdial.store.Json;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** {@code /v1/lines}: create, list, get, update (PATCH), delete. */
final class LineRoutes {
    private static final Set<String> FIELDS = Set.of("name", "phone_number", "provider", "max_concurrent", "max_cps");
    static final int MAX_CONCURRENT_LIMIT = 100_000;
    static final double MAX_CPS_LIMIT = 100_000;

    private final Lines lines;
    private final Idempotency idempotency;
    private final Set<String> providers;

    LineRoutes(Lines lines, Idempotency idempotency, Set<String> providers) {
        this.lines = lines;
        this.idempotency = idempotency;
        this.providers = Set.copyOf(providers);
    }

    void register(RoutesConfig r) {
        r.post("/v1/lines", idempotency.wrap(ctx -> {
            List<FieldError> errors = new ArrayList<>();
            Http.json(ctx, 201, lines.create(Auth.org(ctx), spec(Body.of(ctx, errors), errors)));
        }));
        r.get("/v1/lines", ctx -> Http.json(ctx, 200, Http.page(lines.list(Auth.org(ctx), ctx.queryParam("cursor"), Http.limit(ctx)))));
        r.get("/v1/lines/{id}", ctx -> Http.json(ctx, 200, lines.get(Auth.org(ctx), ctx.pathParam("id"))));
        r.patch("/v1/lines/{id}", this::update);
        r.delete("/v1/lines/{id}", ctx -> {
            lines.delete(Auth.org(ctx), ctx.pathParam("id"));
            ctx.status(204);
        });
    }

    private void update(Context ctx) {
        String org = Auth.org(ctx);
        Line current = lines.get(org, ctx.pathParam("id"));
        List<FieldError> errors = new ArrayList<>();
        Body patch = Body.of(ctx, errors);
        ObjectNode base = Json.MAPPER.valueToTree(current);
        base.remove(List.of("id", "created_at", "updated_at"));
        Http.json(ctx, 200, lines.update(org, current.id(), spec(new Body(Body.merge(base, patch.node()), "", errors, null), errors)));
    }

    private Line.Spec spec(Body b, List<FieldError> errors) {
        b.rejectUnknown(FIELDS);
        String name = b.text("name");
        String phone = b.requiredText("phone_number");
        String provider = b.text("provider");
        if (provider == null) provider = "simulated";
        if (!providers.contains(provider)) b.error("provider", "must be one of " + providers + "; got " + provider);
        Integer maxConcurrent = b.integer("max_concurrent");
        if (maxConcurrent != null && (maxConcurrent < 1 || maxConcurrent > MAX_CONCURRENT_LIMIT)) {
            b.error("max_concurrent", "must be between 1 and " + MAX_CONCURRENT_LIMIT);
        }
        Double cps = b.number("max_cps");
        if (cps != null && (!(cps > 0) || cps > MAX_CPS_LIMIT)) {
            b.error("max_cps", "must be greater than 0 and at most " + (long) MAX_CPS_LIMIT);
        }
        String e164 = phone;
        if (phone != null && !phone.isBlank()) {
            PhoneNumbers.Parsed parsed = PhoneNumbers.parse(phone, null, false);
            if (parsed.ok()) e164 = parsed.value();
            else b.error("phone_number", parsed.error());
        }
        if (!errors.isEmpty()) throw ApiException.invalid(errors);
        return new Line.Spec(name == null ? "" : name, e164, provider,
                maxConcurrent == null ? 10 : maxConcurrent, cps == null ? 1.0 : cps);
    }
}
