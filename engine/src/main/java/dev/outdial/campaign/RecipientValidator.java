package dev.outdial.campaign;

import com.google.i18n.phonenumbers.NumberParseException;
import com.google.i18n.phonenumbers.PhoneNumberUtil;
import com.google.i18n.phonenumbers.Phonenumber.PhoneNumber;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import dev.outdial.schedule.CallingWindow;
import dev.outdial.schedule.DuePlanner;
import dev.outdial.schedule.RegionalRules;
import dev.outdial.schedule.RetryPolicy;
import dev.outdial.schedule.TimezoneResolver;
import dev.outdial.store.Json;

/** Checks one recipient against its agent and batch, and computes what will be stored for it. */
final class RecipientValidator {
    private static final int MAX_VARIABLES_BYTES = 16 * 1024;

    private final Agent agent;
    private final BatchRequest batch;
    private final Instant now;
    private final Map<String, Object> baseVariables;
    private final String orgZone;
    private final String windowJson;
    private final boolean quietHoursGuard;
    private final String rulesJson;
    /** Rows of one batch share a few windows, zone sets and times: each distinct plan is computed once. */
    private final Map<PlanKey, DuePlanner.Plan> plans = new ConcurrentHashMap<>();

    /** The window by identity: DuePlanner.effective hands out one instance per combination, and its hashCode is costly. */
    private record PlanKey(int windowIdentity, CallingWindow window, List<ZoneId> zones, Instant earliest, Instant deadline) {
        PlanKey(CallingWindow window, List<ZoneId> zones, Instant earliest, Instant deadline) {
            this(System.identityHashCode(window), window, zones, earliest, deadline);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof PlanKey k && k.window == window && k.zones.equals(zones) && k.earliest.equals(earliest)
                    && java.util.Objects.equals(k.deadline, deadline);
        }

        @Override
        public int hashCode() {
            return java.util.Objects.hash(windowIdentity, zones, earliest, deadline);
        }
    }

    /** {@code windowJson}: the batch's or agent's window (null: none); the guard and rules are the organization's. */
    RecipientValidator(Agent agent, BatchRequest batch, Instant now, String orgZone, String windowJson, boolean quietHoursGuard,
                       String rulesJson) {
        this.agent = agent;
        this.batch = batch;
        this.now = now;
        this.orgZone = orgZone;
        this.windowJson = windowJson;
        this.quietHoursGuard = quietHoursGuard;
        this.rulesJson = rulesJson;
        this.baseVariables = new HashMap<>(agent.defaultVariables());
        if (batch.variables() != null) baseVariables.putAll(batch.variables());
    }

    /**
     * A recipient that passed every check, with the values intake stores.
     *
     * @param dueAt      the lawful due time; null when no window opens before the deadline (stored as expired)
     * @param waitReason why dueAt is later than asked, or why there is none
     * @param variablesJson the recipient's own variables as JSON, written once here and stored as is
     */
    record Valid(int index, String destination, String variablesJson, String metadataJson, String overridesJson,
                 String externalId, String timezone, int priority, Instant scheduledAt, Instant deadline, Instant dueAt,
                 List<String> zones, String zoneReason, String waitReason, String region, RetryPolicy retryPolicy) {
        /** The same row at another position (a merged duplicate keeps the first one's place). */
        Valid withIndex(int i) {
            return new Valid(i, destination, variablesJson, metadataJson, overridesJson, externalId, timezone, priority, scheduledAt, deadline, dueAt,
                    zones, zoneReason, waitReason, region, retryPolicy);
        }
    }

    /** The valid row, or null after adding every problem of row {@code i} to {@code errors}. */
    Valid check(int i, Recipient r, List<FieldError> errors) {
        String p = "/recipients/" + i;
        int before = errors.size();
        for (FieldError e : r.parseErrors()) {
            errors.add(new FieldError(e.pointer(), e.reason(), i));
            if (e.pointer().equals(p)) return null; // the row is not an object: nothing more to say about it
        }
        PhoneNumbers.Parsed parsed = PhoneNumbers.parse(r.phoneNumber(), batch.defaultCountry(), true);
        if (!parsed.ok()) errors.add(new FieldError(p + "/phone_number", parsed.error(), i));
        String destination = parsed.value();

        // The recipient's own value wins over the batch's and the agent's default (looked up, not merged: no map per row).
        Map<String, Object> own = r.variables() == null ? Map.of() : r.variables();
        for (VariableSpec spec : agent.variables()) {
            Object v = own.containsKey(spec.name()) ? own.get(spec.name()) : baseVariables.get(spec.name());
            if (v == null) {
                if (spec.required()) {
                    errors.add(new FieldError(p + "/variables/" + spec.name(),
                            "required by agent " + agent.id() + " and not given by the recipient, the batch or the agent's defaults", i));
                }
            } else {
                String why = spec.check(v);
                if (why != null) errors.add(new FieldError(p + "/variables/" + spec.name(), why, i));
            }
        }
        String variablesJson = r.variables() == null ? "{}" : Json.write(r.variables());
        if (variablesJson.length() > MAX_VARIABLES_BYTES) {
            errors.add(new FieldError(p + "/variables", "must be at most " + MAX_VARIABLES_BYTES + " bytes of JSON", i));
        }
        if (r.overrides() != null) {
            for (Map.Entry<String, Object> o : r.overrides().entrySet()) {
                if (!Recipient.OVERRIDE_KEYS.contains(o.getKey())) {
                    errors.add(new FieldError(p + "/overrides/" + o.getKey(), "unknown override; known: " + Recipient.OVERRIDE_KEYS, i));
                } else if (o.getKey().equals("max_duration_s")) {
                    if (!(o.getValue() instanceof Integer s) || s < 1 || s > Recipient.MAX_DURATION_S) {
                        errors.add(new FieldError(p + "/overrides/max_duration_s", "must be whole seconds from 1 to "
                                + Recipient.MAX_DURATION_S, i));
                    }
                } else if (o.getValue() != null && !(o.getValue() instanceof String)) {
                    errors.add(new FieldError(p + "/overrides/" + o.getKey(), "must be a string", i));
                }
            }
        }
        String zone = r.timezone();
        boolean zoneOk = true;
        if (zone != null) {
            try {
                zone = ZoneId.of(zone).getId();
            } catch (DateTimeException e) {
                errors.add(new FieldError(p + "/timezone", "not an IANA time zone: " + zone, i));
                zoneOk = false;
            }
        }
        TimezoneResolver.Zones zones = null;
        if (zoneOk && destination != null) {
            zones = TimezoneResolver.resolve(zone, parsed.number(), parsed.type(), agent.timezone(), orgZone).orElse(null);
            if (zones == null) {
                errors.add(new FieldError(p + "/timezone", "no time zone is known for " + destination
                        + ": give one, or set the agent's or the organization's timezone", i));
            }
        }
        Instant scheduledAt = r.scheduledAt() != null ? r.scheduledAt() : batch.scheduledAt();
        Instant deadline = r.deadline() != null ? r.deadline() : batch.deadline();
        List<FieldError> timeErrors = new java.util.ArrayList<>();
        TimeChecks.schedule(p, scheduledAt, deadline, now, timeErrors);
        TimeChecks.priority(p + "/priority", r.priority(), timeErrors);
        for (FieldError e : timeErrors) errors.add(new FieldError(e.pointer(), e.reason(), i));
        if (r.externalId() != null && r.externalId().length() > 200) {
            errors.add(new FieldError(p + "/external_id", "must be at most 200 characters", i));
        }
        if (errors.size() > before) {
            return null;
        }
        int priority = r.priority() != null ? r.priority() : batch.priority() != null ? batch.priority() : 0;
        Instant earliest = scheduledAt == null || scheduledAt.isBefore(now) ? now : scheduledAt;
        String region = parsed.number() == null ? null : RegionalRules.regionOf(parsed.number(), parsed.region());
        CallingWindow window = DuePlanner.effective(windowJson, quietHoursGuard, rulesJson, region);
        List<ZoneId> candidates = zones.zones();
        DuePlanner.Plan plan = plans.computeIfAbsent(new PlanKey(window, candidates, earliest, deadline),
                k -> DuePlanner.plan(window, candidates, earliest, deadline));
        String metadataJson = r.metadata() == null ? "{}" : Json.write(r.metadata());
        String overridesJson = r.overrides() == null || r.overrides().isEmpty() ? null : Json.write(r.overrides());
        return new Valid(i, destination, variablesJson, metadataJson, overridesJson, r.externalId(), zone, priority, scheduledAt, deadline,
                plan.dueAt(), zones.names(), zones.reason(), plan.waitReason(), region, r.retryPolicy());
    }
}
