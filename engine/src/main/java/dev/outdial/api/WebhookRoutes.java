package dev.outdial.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.outdial.campaign.FieldError;
import dev.outdial.webhook.WebhookDeliveries;
import dev.outdial.webhook.WebhookEndpoints;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@code /v1/webhook-endpoints} and their deliveries: register, list, update, delete, rotate the secret, resend, replay. */
final class WebhookRoutes {
    private static final Set<String> FIELDS = Set.of("url", "description", "event_types", "enabled");
    private static final Set<String> STATUSES = Set.of("pending", "delivering", "succeeded", "failed", "aborted");

    private final WebhookEndpoints endpoints;
    private final WebhookDeliveries deliveries;
    private final Idempotency idempotency;

    WebhookRoutes(WebhookEndpoints endpoints, WebhookDeliveries deliveries, Idempotency idempotency) {
        this.endpoints = endpoints;
        this.deliveries = deliveries;
        this.idempotency = idempotency;
    }

    void register(RoutesConfig r) {
        r.post("/v1/webhook-endpoints", idempotency.wrap(ctx -> {
            List<FieldError> errors = new ArrayList<>();
            Http.json(ctx, 201, endpoints.create(Auth.org(ctx), spec(Body.of(ctx, errors), errors)));
        }));
        r.get("/v1/webhook-endpoints", ctx -> Http.json(ctx, 200,
                Http.page(endpoints.list(Auth.org(ctx), ctx.queryParam("cursor"), Http.limit(ctx)))));
        r.get("/v1/webhook-endpoints/{id}", ctx -> Http.json(ctx, 200, endpoints.get(Auth.org(ctx), ctx.pathParam("id"))));
        r.patch("/v1/webhook-endpoints/{id}", ctx -> {
            List<FieldError> errors = new ArrayList<>();
            Http.json(ctx, 200, endpoints.update(Auth.org(ctx), ctx.pathParam("id"), spec(Body.of(ctx, errors), errors)));
        });
        r.delete("/v1/webhook-endpoints/{id}", ctx -> {
            endpoints.delete(Auth.org(ctx), ctx.pathParam("id"));
            ctx.status(204);
        });
        r.post("/v1/webhook-endpoints/{id}/rotate-secret", idempotency.wrap(ctx -> {
            List<FieldError> errors = new ArrayList<>();
            Body b = ctx.body().isBlank() ? null : Body.of(ctx, errors);
            Integer grace = b == null ? null : b.integer("grace_seconds");
            if (!errors.isEmpty()) throw ApiException.invalid(errors);
            Duration d = grace == null ? WebhookEndpoints.DEFAULT_GRACE : Duration.ofSeconds(grace);
            Http.json(ctx, 200, endpoints.rotateSecret(Auth.org(ctx), ctx.pathParam("id"), d));
        }));
        r.get("/v1/webhook-endpoints/{id}/deliveries", ctx -> {
            String status = ctx.queryParam("status");
            if (status != null && !STATUSES.contains(status)) {
                throw ApiException.invalid(List.of(FieldError.of("/status", "must be one of " + STATUSES)));
            }
            Http.json(ctx, 200, Http.page(deliveries.list(Auth.org(ctx), ctx.pathParam("id"), status,
                    ctx.queryParam("cursor"), Http.limit(ctx))));
        });
        r.post("/v1/webhook-endpoints/{id}/replay", idempotency.wrap(ctx -> {
            List<FieldError> errors = new ArrayList<>();
            Body b = Body.of(ctx, errors);
            Instant since = b.instant("since");
            if (since == null && errors.isEmpty()) errors.add(FieldError.of("/since", "is required: replay failed deliveries created since this time"));
            if (!errors.isEmpty()) throw ApiException.invalid(errors);
            Http.json(ctx, 200, Map.of("requeued", deliveries.replay(Auth.org(ctx), ctx.pathParam("id"), since)));
        }));
        r.post("/v1/webhook-deliveries/{id}/resend", idempotency.wrap(ctx -> {
            deliveries.resend(Auth.org(ctx), ctx.pathParam("id"));
            Http.json(ctx, 202, Map.of("id", ctx.pathParam("id"), "status", "pending"));
        }));
    }

    private static WebhookEndpoints.Spec spec(Body b, List<FieldError> errors) {
        b.rejectUnknown(FIELDS);
        String url = b.text("url");
        String description = b.text("description");
        Boolean enabled = b.bool("enabled");
        List<String> types = null;
        JsonNode t = b.node().get("event_types");
        if (t != null && !t.isNull()) {
            if (!t.isArray()) {
                b.error("event_types", "must be an array of event types, such as [\"call.finished\"]; empty means every type");
            } else {
                types = new ArrayList<>();
                for (JsonNode n : t) types.add(n.isTextual() ? n.asText() : null);
            }
        }
        if (!errors.isEmpty()) throw ApiException.invalid(errors);
        return new WebhookEndpoints.Spec(url, description, types, enabled);
    }
}
