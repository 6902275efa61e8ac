package dev.outdial.schedule;

import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads and writes calling windows as JSON. Three input forms are accepted, all stored in the first:
 *
 * <pre>
 *   {"mon": [{"start": "09:00", "end": "17:00"}], "tue": [...], ..., "exclude_dates": ["2026-12-25"]}
 *   {"work_start": "09:00", "work_end": "17:00", "days": ["mon", "tue", ...]}        (days default: all)
 *   {"detailed_work_hours": {"monday": {"start": "09:00", "end": "17:00"}, ...}}     (HappyRobot use cases)
 * </pre>
 *
 * A weekday left out has no calling time. Errors are IllegalArgumentException whose message starts
 * with the offending field's path (e.g. {@code mon/0/end: ...}).
 */
public final class WindowJson {
    static final Map<DayOfWeek, String> DAY_KEYS = new EnumMap<>(Map.of(
            DayOfWeek.MONDAY, "mon", DayOfWeek.TUESDAY, "tue", DayOfWeek.WEDNESDAY, "wed", DayOfWeek.THURSDAY, "thu",
            DayOfWeek.FRIDAY, "fri", DayOfWeek.SATURDAY, "sat", DayOfWeek.SUNDAY, "sun"));
    private static final Pattern HHMM = Pattern.compile("([01]\\d|2[0-4]):([0-5]\\d)");

    private WindowJson() {
    }

    public static CallingWindow parse(Map<String, Object> json) {
        if (json.containsKey("work_start") || json.containsKey("work_end")) return parseSimple(json);
        if (json.containsKey("detailed_work_hours")) return parseDetailed(json);
        Map<DayOfWeek, List<int[]>> perDay = new EnumMap<>(DayOfWeek.class);
        for (String key : json.keySet()) {
            if (!key.equals("exclude_dates") && day(key) == null) {
                throw new IllegalArgumentException(key + ": unknown field; use mon..sun, exclude_dates, work_start/work_end or detailed_work_hours");
            }
        }
        for (var e : DAY_KEYS.entrySet()) {
            Object v = json.get(e.getValue());
            if (v == null) continue;
            perDay.put(e.getKey(), ranges(e.getValue(), v));
        }
        return build(perDay, excluded(json.get("exclude_dates")));
    }

    private static CallingWindow parseSimple(Map<String, Object> json) {
        for (String key : json.keySet()) {
            if (!Set.of("work_start", "work_end", "days", "exclude_dates", "timezone").contains(key)) {
                throw new IllegalArgumentException(key + ": unknown field next to work_start/work_end");
            }
        }
        int start = minute("work_start", json.get("work_start"));
        int end = minute("work_end", json.get("work_end"));
        if (start >= end) throw new IllegalArgumentException("work_end: must be after work_start");
        List<DayOfWeek> days = new ArrayList<>(List.of(DayOfWeek.values()));
        Object d = json.get("days");
        if (d != null) {
            if (!(d instanceof List<?> list)) throw new IllegalArgumentException("days: must be a list such as [\"mon\", \"tue\"]");
            days.clear();
            for (int i = 0; i < list.size(); i++) {
                DayOfWeek day = day(String.valueOf(list.get(i)));
                if (day == null) throw new IllegalArgumentException("days/" + i + ": not a weekday: " + list.get(i));
                days.add(day);
            }
        }
        Map<DayOfWeek, List<int[]>> perDay = new EnumMap<>(DayOfWeek.class);
        for (DayOfWeek day : days) perDay.put(day, List.of(new int[] {start, end}));
        return build(perDay, excluded(json.get("exclude_dates")));
    }

    private static CallingWindow parseDetailed(Map<String, Object> json) {
        if (!(json.get("detailed_work_hours") instanceof Map<?, ?> detailed)) {
            throw new IllegalArgumentException("detailed_work_hours: must be an object of weekday → {start, end}");
        }
        Map<DayOfWeek, List<int[]>> perDay = new EnumMap<>(DayOfWeek.class);
        for (var e : detailed.entrySet()) {
            String key = String.valueOf(e.getKey());
            DayOfWeek day = day(key);
            if (day == null) throw new IllegalArgumentException("detailed_work_hours/" + key + ": not a weekday");
            if (e.getValue() == null || Boolean.FALSE.equals(e.getValue())) continue;
            perDay.put(day, ranges("detailed_work_hours/" + key, e.getValue() instanceof Map<?, ?> ? List.of(e.getValue()) : e.getValue()));
        }
        return build(perDay, excluded(json.get("exclude_dates")));
    }

    private static CallingWindow build(Map<DayOfWeek, List<int[]>> perDay, Set<LocalDate> excluded) {
        if (perDay.values().stream().allMatch(List::isEmpty)) {
            throw new IllegalArgumentException("has no calling time on any day; give at least one range (mon..sun, or work_start/work_end)");
        }
        try {
            return CallingWindow.of(perDay, excluded);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(DAY_KEYS.getOrDefault(dayIn(e.getMessage()), "") + ": " + e.getMessage());
        }
    }

    private static DayOfWeek dayIn(String message) {
        for (DayOfWeek d : DayOfWeek.values()) if (message.startsWith(d.name())) return d;
        return null;
    }

    private static List<int[]> ranges(String path, Object v) {
        if (!(v instanceof List<?> list)) throw new IllegalArgumentException(path + ": must be a list of {start, end}");
        List<int[]> out = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            if (!(list.get(i) instanceof Map<?, ?> r)) throw new IllegalArgumentException(path + "/" + i + ": must be {start, end}");
            int s = minute(path + "/" + i + "/start", r.get("start"));
            int e = minute(path + "/" + i + "/end", r.get("end"));
            if (s >= e) throw new IllegalArgumentException(path + "/" + i + "/end: must be after start (ranges cannot cross midnight; split them)");
            out.add(new int[] {s, e});
        }
        return out;
    }

    private static int minute(String path, Object v) {
        Matcher m = v instanceof String s ? HHMM.matcher(s) : null;
        if (m == null || !m.matches()) throw new IllegalArgumentException(path + ": must be a local time HH:MM (00:00–24:00)");
        int minute = Integer.parseInt(m.group(1)) * 60 + Integer.parseInt(m.group(2));
        if (minute > CallingWindow.DAY) throw new IllegalArgumentException(path + ": must not be after 24:00");
        return minute;
    }

    private static Set<LocalDate> excluded(Object v) {
        Set<LocalDate> out = new TreeSet<>();
        if (v == null) return out;
        if (!(v instanceof List<?> list)) throw new IllegalArgumentException("exclude_dates: must be a list of dates YYYY-MM-DD");
        for (int i = 0; i < list.size(); i++) {
            try {
                out.add(LocalDate.parse(String.valueOf(list.get(i))));
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("exclude_dates/" + i + ": not a date YYYY-MM-DD: " + list.get(i));
            }
        }
        return out;
    }

    private static DayOfWeek day(String key) {
        String k = key.toLowerCase(java.util.Locale.ROOT);
        for (DayOfWeek d : DayOfWeek.values()) {
            if (k.equals(DAY_KEYS.get(d)) || k.equals(d.name().toLowerCase(java.util.Locale.ROOT))) return d;
        }
        return null;
    }

    /** The canonical form. */
    public static Map<String, Object> toJson(CallingWindow w) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (DayOfWeek d : DayOfWeek.values()) {
            int[][] rs = w.ranges().get(d);
            if (rs.length == 0) continue;
            List<Map<String, String>> list = new ArrayList<>();
            for (int[] r : rs) list.add(Map.of("start", CallingWindow.hhmm(r[0]), "end", CallingWindow.hhmm(r[1])));
            out.put(DAY_KEYS.get(d), list);
        }
        if (!w.excluded().isEmpty()) out.put("exclude_dates", w.excluded().stream().sorted().map(LocalDate::toString).toList());
        return out;
    }
}
