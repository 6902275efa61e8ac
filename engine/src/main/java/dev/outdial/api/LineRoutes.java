package dev.outdial.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.outdial.campaign.FieldError;
import dev.outdial.campaign.Line;
import dev.outdial.campaign.Lines;
import dev.outdial.campaign.PhoneNumbers;
import dev.outdial.store.Json;
import dev.outdial.telephony.Trunk;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** {@code /v1/lines}: create, list, get, update (PATCH), delete. */
final class LineRoutes {
    private static final Set<String> FIELDS = Set.of("name", "phone_number", "provider", "max_concurrent", "max_cps", "sip");
    private static final Set<String> SIP_FIELDS = Set.of("host", "port", "transport", "username", "password", "from_user",
            "display_name", "outbound_proxy", "ring_timeout_s", "codecs");
    static final int MAX_RING_TIMEOUT_S = 600;
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
        Trunk sip = trunk(b, provider);
        if (!errors.isEmpty()) throw ApiException.invalid(errors);
        return new Line.Spec(name == null ? "" : name, e164, provider,
                maxConcurrent == null ? 10 : maxConcurrent, cps == null ? 1.0 : cps, sip);
    }

    /** The {@code sip} object: required (with a host) on the sip provider, refused on the others. */
    private static Trunk trunk(Body b, String provider) {
        boolean sipProvider = "sip".equals(provider);
        if (!b.has("sip") || b.node().get("sip").isNull()) {
            if (sipProvider) b.error("sip", "is required for provider sip: at least {\"host\": \"sip.carrier.example\"}");
            return null;
        }
        if (!sipProvider) {
            b.error("sip", "is only for provider sip; got provider " + provider);
            return null;
        }
        Body t = b.nested("sip");
        if (t == null) return null;
        t.rejectUnknown(SIP_FIELDS);
        String host = t.requiredText("host");
        if (host != null && !host.matches("[A-Za-z0-9.\\-\\[\\]:]+")) t.error("host", "must be a host name or an IP address, got " + host);
        Integer port = t.integer("port");
        if (port != null && (port < 1 || port > 65535)) t.error("port", "must be between 1 and 65535");
        String transport = t.text("transport");
        if (transport != null) {
            transport = transport.toLowerCase(java.util.Locale.ROOT);
            if (!Trunk.TRANSPORTS.contains(transport)) t.error("transport", "must be one of " + Trunk.TRANSPORTS + "; got " + transport);
        }
        Integer ring = t.integer("ring_timeout_s");
        if (ring != null && (ring < 1 || ring > MAX_RING_TIMEOUT_S)) t.error("ring_timeout_s", "must be between 1 and " + MAX_RING_TIMEOUT_S);
        List<String> codecs = null;
        JsonNode c = t.node().get("codecs");
        if (c != null && !c.isNull()) {
            codecs = new ArrayList<>();
            if (!c.isArray() || c.isEmpty()) t.error("codecs", "must be a non-empty array of " + Trunk.CODECS);
            else for (JsonNode v : c) {
                String codec = v.asText().toUpperCase(java.util.Locale.ROOT);
                if (!Trunk.CODECS.contains(codec)) t.error("codecs", "must hold only " + Trunk.CODECS + "; got " + v.asText());
                else if (!codecs.contains(codec)) codecs.add(codec);
            }
        }
        String proxy = t.text("outbound_proxy");
        if (proxy != null && !proxy.matches("[A-Za-z0-9.\\-]+(:\\d{1,5})?")) t.error("outbound_proxy", "must be host or host:port, got " + proxy);
        return new Trunk(host, port, transport, t.text("username"), t.text("password"), t.text("from_user"), t.text("display_name"),
                proxy, ring, codecs);
    }
}
