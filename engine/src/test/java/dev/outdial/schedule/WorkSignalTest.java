package dev.outdial.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** What woke the claim loop: new work (which sends it looking for lines) wins over a freed place. */
class WorkSignalTest {
    private static final long LONG = Duration.ofSeconds(30).toNanos();

    @Test
    void new_work_wins_over_a_freed_place() throws Exception {
        WorkSignal s = new WorkSignal();
        s.freed();
        s.run();
        assertThat(s.await(LONG)).isEqualTo(WorkSignal.Wake.NEW_WORK);
        assertThat(s.await(0)).as("both consumed").isEqualTo(WorkSignal.Wake.TIMEOUT);
    }

    @Test
    void a_freed_place_wakes_the_loop_and_is_consumed() throws Exception {
        WorkSignal s = new WorkSignal();
        s.freed();
        assertThat(s.await(LONG)).isEqualTo(WorkSignal.Wake.FREED);
        assertThat(s.await(Duration.ofMillis(20).toNanos())).isEqualTo(WorkSignal.Wake.TIMEOUT);
    }
}
