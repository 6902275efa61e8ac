package dev.outdial.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** What wakes the claim loop: new work always, a freed place only when asked to. */
class WorkSignalTest {
    private static final long LONG = Duration.ofSeconds(30).toNanos();

    @Test
    void new_work_wakes_the_loop_even_when_freed_places_do_not() throws Exception {
        WorkSignal s = new WorkSignal();
        s.freed();
        s.run();
        assertThat(s.await(LONG, false)).isEqualTo(WorkSignal.Wake.NEW_WORK);
    }

    @Test
    void a_freed_place_wakes_the_loop_only_while_a_line_is_full() throws Exception {
        WorkSignal s = new WorkSignal();
        s.freed();
        assertThat(s.await(LONG, true)).isEqualTo(WorkSignal.Wake.FREED);
        s.freed();
        assertThat(s.await(Duration.ofMillis(20).toNanos(), false)).isEqualTo(WorkSignal.Wake.TIMEOUT);
        assertThat(s.await(0, true)).as("the signal was consumed by the wait").isEqualTo(WorkSignal.Wake.TIMEOUT);
    }
}
