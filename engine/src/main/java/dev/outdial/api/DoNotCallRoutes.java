package dev.outdial.api;

import dev.outdial.campaign.DoNotCall;
import dev.outdial.campaign.FieldError;
import dev.outdial.campaign.NotFoundException;
import dev.outdial.campaign.PhoneNumbers;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code /v1/dnc}: the organization's do-not-call list. Add one, add many (all or nothing: one
 * invalid number rejects the request), remove, check one, list. Numbers are stored in E.164.
 */
final class DoNotCallRoutes {
    /** Most numbers one bulk request may carry. */
    static final int MAX_BULK = 100_000;

    private final DoNotCall dnc;
    private final Idempotency idempotency;

    DoNotCallRoutes(DoNotCall dnc, Idempotency idempotency) {
        this.dnc = dnc;
        this.idempotency = idempotency;
    }

    void register(RoutesConfig r) {
        r.post("/v1/dnc", idempotency.wrap(this::addOne));
        r.post("/v1/dnc/bulk", idempotency.wrap(this::addMany));
        r.get("/v1/dnc", ctx -> Http.json(ctx, 200, Http.page(dnc.list(Auth.org(ctx), ctx.queryParam("cursor"), Http.limit(ctx)))));
        r.get("/v1/dnc/{phone_number}", ctx -> {
            String number = number(ctx);
            var entry = dnc.find(Auth.org(ctx), number);
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("phone_number", number);
            out.put("listed", entry.isPresent());
            entry.ifPresent(e -> {
                out.put("reason", e.reason());
                out.put("created_at", e.createdAt());
            });
            Http.json(ctx, 200, out);
        });
        r.delete("/v1/dnc/{phone_number}", ctx -> {
            dnc.remove(Auth.org(ctx), number(ctx));
            ctx.status(204);
        });
    }

    private void addOne(Context ctx) {
        List<FieldError> errors = new ArrayList<>();
        Body b = Body.of(ctx, errors);
        b.rejectUnknown(Set.of("phone_number", "reason", "default_country"));
        String raw = b.requiredText("phone_number");
        String reason = b.text("reason");
        String country = b.text("default_country");
        PhoneNumbers.Parsed p = raw == null ? null : PhoneNumbers.parse(raw, country, true);
        if (p != null && !p.ok()) b.error("phone_number", p.error());
        if (!errors.isEmpty()) throw ApiException.invalid(errors);
        int added = dnc.add(Auth.org(ctx), List.of(p.value()), reason);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("phone_number", p.value());
        out.put("listed", true);
        out.put("added", added == 1);
        Http.json(ctx, added == 1 ? 201 : 200, out);
    }

    private void addMany(Context ctx) {
        List<FieldError> errors = new ArrayList<>();
        Body b = Body.of(ctx, errors);
        b.rejectUnknown(Set.of("phone_numbers", "reason", "default_country"));
        String reason = b.text("reason");
        String country = b.text("default_country");
        var node = b.node().get("phone_numbers");
        if (node == null || !node.isArray() || node.isEmpty() || node.size() > MAX_BULK) {
            b.error("phone_numbers", "must be a list of 1 to " + MAX_BULK + " phone numbers");
            throw ApiException.invalid(errors);
        }
        Set<String> numbers = new LinkedHashSet<>();
        for (int i = 0; i < node.size(); i++) {
            var item = node.get(i);
            PhoneNumbers.Parsed p = item.isTextual() ? PhoneNumbers.parse(item.asText(), country, true)
                    : new PhoneNumbers.Parsed(null, "must be a string");
            if (p.ok()) numbers.add(p.value());
            else errors.add(new FieldError("/phone_numbers/" + i, p.error(), i));
        }
        if (!errors.isEmpty()) throw ApiException.invalid(errors);
        int added = dnc.add(Auth.org(ctx), numbers, reason);
        Http.json(ctx, 200, Map.of("received", node.size(), "added", added, "already_listed", numbers.size() - added));
    }

    /** The path's number, normalized; a path that is no number is simply not on the list. */
    private static String number(Context ctx) {
        String raw = ctx.pathParam("phone_number");
        PhoneNumbers.Parsed p = PhoneNumbers.parse(raw, null, true);
        if (!p.ok()) throw new NotFoundException("do-not-call entry", raw);
        return p.value();
    }
}
