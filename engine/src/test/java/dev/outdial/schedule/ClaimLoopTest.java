package dev.outdial.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outdial.Fixture;
import dev.outdial.TestApi;
import dev.outdial.config.OutdialConfig.DispatchSettings;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The running claim loop's wake-ups: what makes it claim again before its idle wait is over. */
class ClaimLoopTest {

    @Test
    void a_full_line_is_refilled_when_a_call_ends_not_at_the_next_idle_round() throws Exception {
        try (Fixture f = Fixture.manual(Clock.systemUTC())) {
            // An idle wait of 20 s (the poll interval; half the 60 s horizon is longer): only a call's end can
            // make the loop claim again sooner. One place on the line, so each call waits for the one before it.
            DispatchSettings slowPolling = new DispatchSettings(true, Duration.ofSeconds(20), Duration.ofSeconds(60), 2_000,
                    Duration.ofSeconds(30), Duration.ofSeconds(10), DispatchSettings.DEFAULT_ARM_LEAD);
            f.startNode("node-b", slowPolling, Fixture.instantCalls());
            String agent = f.agent(Map.of("name", "One at a time", "prompt", "Hi {{name}}",
                    "variables", List.of(Map.of("name", "name", "type", "string")), "retry_policy", Map.of("max_attempts", 1)));
            String line = f.line(1, 100);
            TestApi api = f.api();
            TestApi.Answer created = api.post("/v1/batches", Map.of("name", "queue", "agent_id", agent, "line_id", line,
                    "recipients", Fixture.recipients(5, 0)));
            assertThat(created.status()).as(created.text()).isEqualTo(201);
            String id = created.json().get("id").asText();

            // Five calls one after the other: a second or so when each end refills the line, 80 s when only the idle
            // rounds do (the intake's signal covers the first claim only).
            long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
            String status;
            while (!(status = api.get("/v1/batches/" + id).json().get("status").asText()).equals("completed")
                    && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(status).as("batch status 15 s after intake").isEqualTo("completed");
            assertThat(f.sql("select count(*) from call where outcome = 'completed'")).isEqualTo("5");
            assertThat(f.sql("select max(dials) from call")).isEqualTo("1");
        }
    }
}
