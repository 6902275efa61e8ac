package dev.outdial.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.time.zone.ZoneOffsetTransition;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Due times over random windows, zones and instants, weighted towards DST transitions in zones with
 * half-hour and 45-minute offsets: a due time is always allowed in every zone, and nothing earlier is.
 */
class CallingWindowProperties {
    /** Zones with DST, odd offsets, a 30-minute DST shift (Lord Howe) and a 45-minute offset (Chatham, Kathmandu). */
    static final List<String> ZONES = List.of("America/New_York", "America/Chicago", "America/Los_Angeles", "America/St_Johns",
            "Europe/London", "Europe/Berlin", "Australia/Adelaide", "Australia/Lord_Howe", "Pacific/Chatham", "Asia/Kolkata",
            "Asia/Kathmandu", "Asia/Tehran", "America/Sao_Paulo", "Pacific/Apia", "UTC");
    private static final Instant EPOCH_2025 = Instant.parse("2025-01-01T00:00:00Z");

    @Property(tries = 400)
    void the_due_time_is_allowed_everywhere_and_nothing_earlier_is(@ForAll("windows") CallingWindow window,
                                                                  @ForAll("zoneSets") List<ZoneId> zones,
                                                                  @ForAll("instants") Instant from) {
        Optional<Instant> due = window.nextOpenInAll(from, zones, null);
        Instant searchEnd = due.orElse(from.plus(Duration.ofDays(9)));
        if (due.isPresent()) {
            assertThat(due.get()).isAfterOrEqualTo(from);
            assertThat(window.allowsAll(due.get(), zones)).as("due %s allowed in all of %s", due.get(), zones).isTrue();
        }
        // Window edges are whole minutes in these zones, so checking every minute is exhaustive.
        assertThat(due.isPresent() && due.get().equals(from) || !window.allowsAll(from, zones)).isTrue();
        for (Instant t = from.truncatedTo(ChronoUnit.MINUTES).plus(Duration.ofMinutes(1)); t.isBefore(searchEnd);
             t = t.plus(Duration.ofMinutes(1))) {
            if (window.allowsAll(t, zones)) {
                throw new AssertionError("allowed at " + t + " before the computed due time " + due + " for " + zones + " " + window);
            }
        }
    }

    @Property(tries = 200)
    void a_deadline_is_never_passed(@ForAll("windows") CallingWindow window, @ForAll("zoneSets") List<ZoneId> zones,
                                    @ForAll("instants") Instant from) {
        Instant deadline = from.plus(Duration.ofHours(6));
        window.nextOpenInAll(from, zones, deadline).ifPresent(d -> assertThat(d).isBefore(deadline));
    }

    @Provide
    Arbitrary<List<ZoneId>> zoneSets() {
        return Arbitraries.of(ZONES).map(ZoneId::of).list().ofMinSize(1).ofMaxSize(3).uniqueElements();
    }

    /** Instants anywhere in 2025–2027, or within a few hours of a DST transition of one of the zones. */
    @Provide
    Arbitrary<Instant> instants() {
        Arbitrary<Instant> anywhere = Arbitraries.longs().between(0, Duration.ofDays(3 * 365).toSeconds())
                .map(EPOCH_2025::plusSeconds);
        List<Instant> transitions = new ArrayList<>();
        for (String z : ZONES) {
            Instant t = EPOCH_2025;
            for (int i = 0; i < 6; i++) {
                ZoneOffsetTransition tr = ZoneId.of(z).getRules().nextTransition(t);
                if (tr == null) break;
                transitions.add(tr.getInstant());
                t = tr.getInstant();
            }
        }
        Arbitrary<Instant> nearTransition = Combinators.combine(Arbitraries.of(transitions),
                Arbitraries.longs().between(-36 * 3600, 36 * 3600)).as(Instant::plusSeconds);
        Arbitrary<Instant> atTransition = Combinators.combine(Arbitraries.of(transitions),
                Arbitraries.longs().between(-2 * 3600, 2 * 3600)).as(Instant::plusSeconds);
        return Arbitraries.oneOf(anywhere, nearTransition, atTransition, atTransition);
    }

    /** Windows of 0–3 ranges a day on minute or quarter-hour edges, sometimes with excluded dates, sometimes with the quiet-hours guard. */
    @Provide
    Arbitrary<CallingWindow> windows() {
        Arbitrary<int[]> range = Arbitraries.oneOf(
                Combinators.combine(Arbitraries.integers().between(0, 95), Arbitraries.integers().between(1, 40))
                        .as((q, len) -> new int[] {q * 15, Math.min(CallingWindow.DAY, q * 15 + len * 15)}),
                Combinators.combine(Arbitraries.integers().between(0, 1439), Arbitraries.integers().between(1, 600))
                        .as((m, len) -> new int[] {m, Math.min(CallingWindow.DAY, m + len)}),
                // Short ranges in the small hours, where offsets change.
                Combinators.combine(Arbitraries.integers().between(0, 239), Arbitraries.integers().between(1, 120))
                        .as((m, len) -> new int[] {m, m + len}));
        Arbitrary<List<int[]>> day = range.list().ofMinSize(0).ofMaxSize(3);
        Arbitrary<Map<DayOfWeek, List<int[]>>> week = day.list().ofSize(7).map(days -> {
            Map<DayOfWeek, List<int[]>> m = new EnumMap<>(DayOfWeek.class);
            for (int i = 0; i < 7; i++) m.put(DayOfWeek.of(i + 1), days.get(i));
            return m;
        });
        Arbitrary<Set<LocalDate>> excluded = Arbitraries.integers().between(0, 3 * 365).map(d -> LocalDate.of(2025, 1, 1).plusDays(d))
                .set().ofMaxSize(20);
        return Combinators.combine(week, excluded, Arbitraries.of(true, false)).as((w, ex, guard) -> {
            CallingWindow cw = CallingWindow.of(w, new HashSet<>(ex));
            return guard ? cw.intersect(CallingWindow.QUIET_HOURS_GUARD) : cw;
        });
    }
}
