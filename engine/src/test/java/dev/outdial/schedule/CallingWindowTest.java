package dev.outdial.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Worked examples of the window rules, the JSON forms, and the DST corner cases by name. */
class CallingWindowTest {
    private static final ZoneId NEW_YORK = ZoneId.of("America/New_York");
    private static final ZoneId LOS_ANGELES = ZoneId.of("America/Los_Angeles");

    @Test
    void a_call_at_22_local_waits_until_08_the_next_morning() {
        Instant tenPm = Instant.parse("2026-03-02T03:00:00Z"); // 22:00 in New York (EST, UTC-5)
        assertThat(CallingWindow.QUIET_HOURS_GUARD.nextOpenInAll(tenPm, List.of(NEW_YORK), null))
                .contains(Instant.parse("2026-03-02T13:00:00Z")); // 08:00 EST
    }

    @Test
    void several_zones_wait_for_the_last_one_to_open() {
        Instant sevenAmNewYork = Instant.parse("2026-03-02T12:00:00Z"); // 07:00 NY, 04:00 LA
        assertThat(CallingWindow.QUIET_HOURS_GUARD.nextOpenInAll(sevenAmNewYork, List.of(NEW_YORK, LOS_ANGELES), null))
                .contains(Instant.parse("2026-03-02T16:00:00Z")); // 08:00 LA
    }

    @Test
    void spring_forward_opens_at_the_transition_when_the_start_does_not_exist() {
        CallingWindow w = WindowJson.parse(Map.of("work_start", "02:30", "work_end", "05:00"));
        // 2026-03-08: New York skips 02:00–03:00. The first instant at or after 02:30 local is 03:00 EDT = 07:00Z.
        assertThat(w.nextOpen(Instant.parse("2026-03-08T06:00:00Z"), NEW_YORK)).contains(Instant.parse("2026-03-08T07:00:00Z"));
    }

    @Test
    void fall_back_allows_the_repeated_hour_both_times() {
        CallingWindow w = WindowJson.parse(Map.of("work_start", "01:00", "work_end", "01:30"));
        // 2026-11-01: 01:00–02:00 happens twice in New York (EDT then EST).
        Instant firstPass = Instant.parse("2026-11-01T05:00:00Z"); // 01:00 EDT
        Instant afterFirst = Instant.parse("2026-11-01T05:45:00Z"); // 01:45 EDT
        assertThat(w.nextOpen(firstPass, NEW_YORK)).contains(firstPass);
        assertThat(w.nextOpen(afterFirst, NEW_YORK)).contains(Instant.parse("2026-11-01T06:00:00Z")); // 01:00 EST
    }

    @Test
    void excluded_dates_and_closed_days_are_skipped() {
        CallingWindow w = WindowJson.parse(Map.of("mon", List.of(Map.of("start", "09:00", "end", "17:00")),
                "exclude_dates", List.of("2026-03-09")));
        // Sunday 2026-03-08 noon UTC → Monday 9th is excluded → Monday 16th 09:00 EDT.
        assertThat(w.nextOpen(Instant.parse("2026-03-08T12:00:00Z"), NEW_YORK)).contains(Instant.parse("2026-03-16T13:00:00Z"));
        assertThat(CallingWindow.of(Map.of(), java.util.Set.of()).nextOpen(Instant.parse("2026-03-08T12:00:00Z"), NEW_YORK))
                .as("never open").isEmpty();
        assertThatThrownBy(() -> WindowJson.parse(Map.of())).as("a window that never opens is a mistake").hasMessageContaining("no calling time");
    }

    @Test
    void the_three_json_forms_mean_the_same_window() {
        CallingWindow canonical = WindowJson.parse(Map.of("mon", List.of(Map.of("start", "09:00", "end", "17:00")),
                "tue", List.of(Map.of("start", "09:00", "end", "17:00"))));
        CallingWindow simple = WindowJson.parse(Map.of("work_start", "09:00", "work_end", "17:00", "days", List.of("mon", "tue")));
        CallingWindow detailed = WindowJson.parse(Map.of("detailed_work_hours", Map.of(
                "monday", Map.of("start", "09:00", "end", "17:00"), "tuesday", Map.of("start", "09:00", "end", "17:00"))));
        assertThat(simple).isEqualTo(canonical);
        assertThat(detailed).isEqualTo(canonical);
        assertThat(WindowJson.parse(WindowJson.toJson(canonical))).isEqualTo(canonical);
    }

    @Test
    void bad_windows_name_the_field() {
        assertThatThrownBy(() -> WindowJson.parse(Map.of("mon", List.of(Map.of("start", "9am", "end", "17:00")))))
                .hasMessageStartingWith("mon/0/start");
        assertThatThrownBy(() -> WindowJson.parse(Map.of("mon", List.of(Map.of("start", "18:00", "end", "17:00")))))
                .hasMessageStartingWith("mon/0/end");
        assertThatThrownBy(() -> WindowJson.parse(Map.of("funday", List.of()))).hasMessageStartingWith("funday");
        assertThatThrownBy(() -> WindowJson.parse(Map.of("work_start", "10:00", "work_end", "09:00"))).hasMessageStartingWith("work_end");
        assertThatThrownBy(() -> WindowJson.parse(Map.of("exclude_dates", List.of("25/12/2026")))).hasMessageStartingWith("exclude_dates/0");
    }
}
