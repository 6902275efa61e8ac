package dev.outdial.api;

import dev.outdial.campaign.FieldError;
import dev.outdial.campaign.Organizations;
import io.javalin.config.RoutesConfig;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import dev.outdial.schedule.RegionalRules;
import dev.outdial.store.Json;

/** {@code /v1/organization}: the caller's own organization's settings (time zone, quiet-hours guard). */
final class OrganizationRoutes {
    private static final Set<String> FIELDS = Set.of("name", "timezone", "quiet_hours_guard", "dedup_across_batches",
            "regional_rules");

    private final Organizations organizations;

    OrganizationRoutes(Organizations organizations) {
        this.organizations = organizations;
    }

    void register(RoutesConfig r) {
        r.get("/v1/organization", ctx -> Http.json(ctx, 200, organizations.settings(Auth.org(ctx))));
        r.patch("/v1/organization", ctx -> {
            String org = Auth.org(ctx);
            Organizations.Settings current = organizations.settings(org);
            List<FieldError> errors = new ArrayList<>();
            Body b = Body.of(ctx, errors);
            b.rejectUnknown(FIELDS);
            String name = b.has("name") ? b.requiredText("name") : current.name();
            String zone = b.has("timezone") ? b.text("timezone") : current.timezone();
            if (zone != null) {
                try {
                    zone = ZoneId.of(zone).getId();
                } catch (DateTimeException e) {
                    b.error("timezone", "not an IANA time zone: " + zone);
                }
            }
            Boolean guard = b.has("quiet_hours_guard") ? b.bool("quiet_hours_guard") : Boolean.valueOf(current.quietHoursGuard());
            if (guard == null) guard = current.quietHoursGuard(); // null only when invalid, and then b.bool reported it
            Boolean dedup = b.has("dedup_across_batches") ? b.bool("dedup_across_batches") : Boolean.valueOf(current.dedupAcrossBatches());
            if (dedup == null) dedup = current.dedupAcrossBatches();
            String rules = current.regionalRules();
            var rulesNode = b.node().get("regional_rules");
            if (rulesNode != null && !rulesNode.isNull()) {
                if (!rulesNode.isArray()) {
                    b.error("regional_rules", "must be a list of rules");
                } else {
                    try {
                        var parsed = RegionalRules.parse(Json.MAPPER.convertValue(rulesNode, List.class));
                        rules = Json.write(RegionalRules.toJson(parsed));
                    } catch (IllegalArgumentException e) {
                        String msg = e.getMessage();
                        int colon = msg.indexOf(": ");
                        errors.add(FieldError.of("/regional_rules/" + msg.substring(0, Math.max(0, colon)), msg.substring(colon + 2)));
                    }
                }
            }
            if (!errors.isEmpty()) throw ApiException.invalid(errors);
            Http.json(ctx, 200, organizations.update(current.with(name, zone, guard, dedup, rules)));
        });
    }
}
