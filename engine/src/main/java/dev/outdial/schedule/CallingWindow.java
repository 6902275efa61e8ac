package dev.outdial.schedule;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * When calls may start, in the recipient's local time: for each weekday a list of [start, end)
 * ranges (minutes of the day, end up to 24:00), and dates on which no call may start at all.
 * A window is applied in each of a call's candidate zones; a call may start only where every
 * zone allows it (invariant 3).
 *
 * <p>DST: local times that do not exist (spring forward) are skipped, and the earliest instant
 * whose local time falls in a range is the transition itself; local times that occur twice (fall
 * back) are allowed both times. All arithmetic is java.time's.
 */
public final class CallingWindow {
    /** Minutes in a day: a range may end at 24:00. */
    static final int DAY = 24 * 60;
    /** How far ahead to look for an opening before giving up (a window that never opens). */
    static final int LOOKAHEAD_DAYS = 400;

    /** Every day, all day. */
    public static final CallingWindow ALWAYS = everyDay(0, DAY);

    /** The default quiet-hours guard: 08:00–21:00 local, every day. */
    public static final CallingWindow QUIET_HOURS_GUARD = everyDay(8 * 60, 21 * 60);

    private final EnumMap<DayOfWeek, int[][]> ranges; // per day: sorted, disjoint [start, end) minute pairs
    private final Set<LocalDate> excluded;

    private CallingWindow(EnumMap<DayOfWeek, int[][]> ranges, Set<LocalDate> excluded) {
        this.ranges = ranges;
        this.excluded = Set.copyOf(excluded);
    }

    /** A window from per-day ranges; ranges are normalized (sorted, overlaps merged). */
    public static CallingWindow of(Map<DayOfWeek, List<int[]>> perDay, Set<LocalDate> excluded) {
        EnumMap<DayOfWeek, int[][]> m = new EnumMap<>(DayOfWeek.class);
        for (DayOfWeek d : DayOfWeek.values()) {
            List<int[]> list = new ArrayList<>(perDay.getOrDefault(d, List.of()));
            for (int[] r : list) {
                if (r[0] < 0 || r[1] > DAY || r[0] >= r[1]) {
                    throw new IllegalArgumentException(d + ": range must be start < end within 00:00–24:00");
                }
            }
            list.sort((a, b) -> Integer.compare(a[0], b[0]));
            List<int[]> merged = new ArrayList<>();
            for (int[] r : list) {
                if (!merged.isEmpty() && r[0] <= merged.get(merged.size() - 1)[1]) {
                    int[] last = merged.get(merged.size() - 1);
                    last[1] = Math.max(last[1], r[1]);
                } else {
                    merged.add(new int[] {r[0], r[1]});
                }
            }
            m.put(d, merged.toArray(new int[0][]));
        }
        return new CallingWindow(m, excluded);
    }

    static CallingWindow everyDay(int startMinute, int endMinute) {
        Map<DayOfWeek, List<int[]>> m = new EnumMap<>(DayOfWeek.class);
        for (DayOfWeek d : DayOfWeek.values()) m.put(d, List.of(new int[] {startMinute, endMinute}));
        return of(m, Set.of());
    }

    /** The instants allowed by both windows: per day the intersection of ranges, and both sets of excluded dates. */
    public CallingWindow intersect(CallingWindow other) {
        Map<DayOfWeek, List<int[]>> m = new EnumMap<>(DayOfWeek.class);
        for (DayOfWeek d : DayOfWeek.values()) {
            List<int[]> out = new ArrayList<>();
            for (int[] a : ranges.get(d)) {
                for (int[] b : other.ranges.get(d)) {
                    int s = Math.max(a[0], b[0]);
                    int e = Math.min(a[1], b[1]);
                    if (s < e) out.add(new int[] {s, e});
                }
            }
            m.put(d, out);
        }
        Set<LocalDate> ex = new TreeSet<>(excluded);
        ex.addAll(other.excluded);
        return of(m, ex);
    }

    /** True if a call may start at {@code t} in {@code zone}. */
    public boolean allows(Instant t, ZoneId zone) {
        LocalDateTime local = LocalDateTime.ofInstant(t, zone);
        if (excluded.contains(local.toLocalDate())) return false;
        int minute = local.getHour() * 60 + local.getMinute();
        for (int[] r : ranges.get(local.getDayOfWeek())) {
            if (minute >= r[0] && minute < r[1]) return true;
        }
        return false;
    }

    /** True if a call may start at {@code t} in every one of {@code zones}. */
    public boolean allowsAll(Instant t, List<ZoneId> zones) {
        for (ZoneId z : zones) {
            if (!allows(t, z)) return false;
        }
        return true;
    }

    /**
     * The earliest instant at or after {@code from} that this window allows in {@code zone}, if any
     * within the look-ahead. The allowed set can only begin where local time reaches a range's start
     * (in an overlap, either occurrence) or jumps into a range at an offset transition, so those
     * instants are the only candidates to check.
     */
    public Optional<Instant> nextOpen(Instant from, ZoneId zone) {
        if (allows(from, zone)) return Optional.of(from);
        ZoneRules rules = zone.getRules();
        // Start a day early: a transition at midnight can bring back the previous local date.
        LocalDate day = LocalDate.ofInstant(from, zone).minusDays(1);
        for (int i = 0; i <= LOOKAHEAD_DAYS + 1; i++, day = day.plusDays(1)) {
            Instant best = null;
            if (!excluded.contains(day)) {
                for (int[] r : ranges.get(day.getDayOfWeek())) {
                    for (Instant c : startInstants(day, r[0], zone)) best = earlier(best, c, from, zone);
                }
            }
            Instant dayStart = day.atStartOfDay(zone).toInstant();
            Instant dayEnd = day.plusDays(1).atStartOfDay(zone).toInstant();
            for (ZoneOffsetTransition tr = rules.nextTransition(dayStart.minusSeconds(1));
                 tr != null && tr.getInstant().isBefore(dayEnd); tr = rules.nextTransition(tr.getInstant())) {
                best = earlier(best, tr.getInstant(), from, zone);
            }
            if (best != null) return Optional.of(best);
        }
        return Optional.empty();
    }

    private Instant earlier(Instant best, Instant candidate, Instant from, ZoneId zone) {
        if (candidate.isBefore(from) || !allows(candidate, zone)) return best;
        return best == null || candidate.isBefore(best) ? candidate : best;
    }

    /** The instants at which local time on {@code day} reaches {@code minute}: one, or two in an overlap, or the gap's end. */
    private static List<Instant> startInstants(LocalDate day, int minute, ZoneId zone) {
        LocalDateTime local = day.atTime(LocalTime.of(minute / 60, minute % 60));
        ZoneOffsetTransition tr = zone.getRules().getTransition(local);
        if (tr == null) return List.of(local.atZone(zone).toInstant());
        if (tr.isGap()) return List.of(tr.getInstant()); // the local time does not exist: local time passes it at the transition
        return List.of(local.atOffset(tr.getOffsetBefore()).toInstant(), local.atOffset(tr.getOffsetAfter()).toInstant());
    }

    /**
     * The earliest instant at or after {@code from}, and before {@code limit} (null: no limit), that
     * is allowed in every zone; empty if there is none.
     */
    public Optional<Instant> nextOpenInAll(Instant from, List<ZoneId> zones, Instant limit) {
        Instant t = from;
        // Each pass moves t to the next opening of a zone that disallowed it; a pass in which every zone allows t ends it.
        for (int guard = 0; guard < 10_000; guard++) {
            if (limit != null && !t.isBefore(limit)) return Optional.empty();
            boolean all = true;
            for (ZoneId z : zones) {
                Optional<Instant> open = nextOpen(t, z);
                if (open.isEmpty()) return Optional.empty();
                if (open.get().isAfter(t)) {
                    t = open.get();
                    all = false;
                    break;
                }
            }
            if (all) return limit != null && !t.isBefore(limit) ? Optional.empty() : Optional.of(t);
        }
        return Optional.empty();
    }

    /** Per-day ranges as "HH:MM" pairs, for the API. */
    public Map<String, List<Map<String, String>>> describe() {
        Map<String, List<Map<String, String>>> out = new java.util.LinkedHashMap<>();
        for (DayOfWeek d : DayOfWeek.values()) {
            List<Map<String, String>> list = new ArrayList<>();
            for (int[] r : ranges.get(d)) list.add(Map.of("start", hhmm(r[0]), "end", hhmm(r[1])));
            out.put(WindowJson.DAY_KEYS.get(d), list);
        }
        return out;
    }

    Map<DayOfWeek, int[][]> ranges() {
        return ranges;
    }

    Set<LocalDate> excluded() {
        return excluded;
    }

    static String hhmm(int minute) {
        return String.format("%02d:%02d", minute / 60, minute % 60);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof CallingWindow w)) return false;
        if (!excluded.equals(w.excluded)) return false;
        for (DayOfWeek d : DayOfWeek.values()) {
            if (!java.util.Arrays.deepEquals(ranges.get(d), w.ranges.get(d))) return false;
        }
        return true;
    }

    @Override
    public int hashCode() {
        return describe().hashCode() * 31 + excluded.hashCode();
    }

    @Override
    public String toString() {
        return "CallingWindow" + describe() + (excluded.isEmpty() ? "" : " except " + excluded);
    }
}
