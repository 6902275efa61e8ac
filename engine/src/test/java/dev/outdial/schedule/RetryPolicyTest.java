package dev.outdial.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {
    private static final Instant NOW = Instant.parse("2026-03-02T15:00:00Z");

    @Test
    void one_budget_of_dials_whatever_the_outcomes() {
        RetryPolicy p = new RetryPolicy(3, Map.of("busy", Duration.ofMinutes(5), "no_answer", Duration.ofMinutes(30)));
        assertThat(p.nextDue("busy", 1, NOW, null)).contains(NOW.plus(Duration.ofMinutes(5)));
        assertThat(p.nextDue("no_answer", 2, NOW, null)).contains(NOW.plus(Duration.ofMinutes(30)));
        assertThat(p.nextDue("busy", 3, NOW, null)).as("budget spent").isEmpty();
    }

    @Test
    void final_outcomes_and_deadlines_end_the_call() {
        RetryPolicy p = RetryPolicy.defaults();
        assertThat(p.nextDue("completed", 1, NOW, null)).isEmpty();
        assertThat(p.nextDue("failed", 1, NOW, null)).isEmpty();
        assertThat(p.nextDue("busy", 1, NOW, NOW.plus(Duration.ofMinutes(5)))).as("retry would land on the deadline").isEmpty();
        assertThat(p.nextDue("busy", 1, NOW, NOW.plus(Duration.ofMinutes(6)))).isPresent();
    }

    @Test
    void an_interrupted_attempt_always_waits() {
        RetryPolicy p = new RetryPolicy(2, Map.of("interrupted", Duration.ZERO));
        assertThat(p.nextDue("interrupted", 1, NOW, null)).contains(NOW.plus(RetryPolicy.MIN_INTERRUPTED_DELAY));
        assertThat(new RetryPolicy(2, Map.of()).nextDue("interrupted", 1, NOW, null)).contains(NOW.plus(Duration.ofMinutes(5)));
    }

    @Test
    void backoff_grows_each_retry_and_the_boost_is_kept() {
        RetryPolicy p = RetryPolicy.fromJson(Map.of("max_attempts", 5, "delay_seconds", Map.of("no_answer", 600),
                "backoff_factor", 2, "priority_boost", 3));
        assertThat(p.nextDue("no_answer", 1, NOW, null)).contains(NOW.plus(Duration.ofMinutes(10)));
        assertThat(p.nextDue("no_answer", 2, NOW, null)).contains(NOW.plus(Duration.ofMinutes(20)));
        assertThat(p.nextDue("no_answer", 3, NOW, null)).contains(NOW.plus(Duration.ofMinutes(40)));
        assertThat(p.priorityBoost()).isEqualTo(3);
        assertThatThrownBy(() -> RetryPolicy.fromJson(Map.of("backoff_factor", 0.5))).hasMessageStartingWith("backoff_factor");
    }

    @Test
    void json_round_trip_and_errors_name_the_field() {
        RetryPolicy p = RetryPolicy.defaults();
        assertThat(RetryPolicy.fromJson(dev.outdial.store.Json.map(dev.outdial.store.Json.write(p)))).isEqualTo(p);
        assertThatThrownBy(() -> RetryPolicy.fromJson(Map.of("max_attempts", 0))).hasMessageStartingWith("max_attempts");
        assertThatThrownBy(() -> RetryPolicy.fromJson(Map.of("delay_seconds", Map.of("completed", 5))))
                .hasMessageStartingWith("delay_seconds.completed");
        assertThatThrownBy(() -> RetryPolicy.fromJson(Map.of("delay_seconds", Map.of("busy", -1))))
                .hasMessageStartingWith("delay_seconds.busy");
        assertThatThrownBy(() -> RetryPolicy.fromJson(Map.of("extra", 1))).hasMessageStartingWith("extra");
    }
}
