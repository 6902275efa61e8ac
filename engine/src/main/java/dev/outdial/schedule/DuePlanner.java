package dev.outdial.schedule;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Turns "as soon as possible after t" into a lawful due time: the later of t and the next instant
 * the effective window opens in every candidate zone, before the deadline (DESIGN §7). The
 * effective window is the batch's or agent's window, narrowed by the quiet-hours guard unless
 * the organization turned it off.
 */
public final class DuePlanner {
    private static final DateTimeFormatter LOCAL = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm");
    /** Parsed windows by their stored JSON: agents and batches are few, calls many. */
    private static final Map<String, CallingWindow> PARSED = new ConcurrentHashMap<>();

    private DuePlanner() {
    }

    /**
     * A due time, or why there is none.
     *
     * @param dueAt      when the call may start; null when no window opens before the deadline
     * @param waitReason why dueAt is later than asked, or why there is no due time; null if not delayed
     */
    public record Plan(Instant dueAt, String waitReason) {
    }

    private record Key(String windowJson, boolean guard, String rulesJson, String region) {
    }

    private static final Map<Key, CallingWindow> EFFECTIVE = new ConcurrentHashMap<>();

    /**
     * The window that governs one call: its batch's or agent's window, the quiet-hours guard, and
     * the organization's regional rules that cover the call's region. Cached: the combinations are few.
     */
    public static CallingWindow effective(String windowJson, boolean quietHoursGuard, String rulesJson, String region) {
        if (EFFECTIVE.size() > 10_000) EFFECTIVE.clear(); // bounded: agents, batches and regions change slowly
        return EFFECTIVE.computeIfAbsent(new Key(windowJson, quietHoursGuard, rulesJson, region),
                k -> RegionalRules.narrow(effective(k.windowJson(), k.guard()), k.rulesJson(), k.region()));
    }

    /** The window that governs a call. {@code windowJson} may be null (no window of its own). */
    public static CallingWindow effective(String windowJson, boolean quietHoursGuard) {
        CallingWindow own = windowJson == null ? CallingWindow.ALWAYS
                : PARSED.computeIfAbsent(windowJson, j -> WindowJson.parse(dev.outdial.store.Json.map(j)));
        return quietHoursGuard ? own.intersect(CallingWindow.QUIET_HOURS_GUARD) : own;
    }

    public static Plan plan(CallingWindow window, List<ZoneId> zones, Instant earliest, Instant deadline) {
        Optional<Instant> open = window.nextOpenInAll(earliest, zones, deadline);
        if (open.isEmpty()) {
            return new Plan(null, deadline == null
                    ? "the calling window never opens in all of " + names(zones)
                    : "the calling window does not open in all of " + names(zones) + " before the deadline " + deadline);
        }
        if (open.get().equals(earliest)) return new Plan(earliest, null);
        return new Plan(open.get(), waitReason(window, zones, earliest, open.get()));
    }

    /** "outside the calling window in America/Chicago until 2026-03-03 08:00 local" */
    static String waitReason(CallingWindow window, List<ZoneId> zones, Instant at, Instant due) {
        for (ZoneId z : zones) {
            if (!window.allows(at, z)) {
                return "outside the calling window in " + z.getId() + " until " + LocalDateTime.ofInstant(due, z).format(LOCAL) + " local";
            }
        }
        return "waiting for the calling window to open in all of " + names(zones);
    }

    private static String names(List<ZoneId> zones) {
        return zones.stream().map(ZoneId::getId).toList().toString();
    }
}
