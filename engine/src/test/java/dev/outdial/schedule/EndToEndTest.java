package dev.outdial.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.outdial.CountingTelephony;
import dev.outdial.Fixture;
import dev.outdial.TestApi;
import dev.outdial.config.OutdialConfig.DispatchSettings;
import dev.outdial.config.OutdialConfig.SimulatedSettings;
import dev.outdial.telephony.simulated.SimulatedTelephony;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A thousand calls through two running nodes on the simulated carrier, from intake to completed batch. */
class EndToEndTest {

    @Test
    void a_batch_of_1000_calls_finishes_with_counters_that_add_up_and_line_limits_held_across_two_nodes() throws Exception {
        try (Fixture f = Fixture.manual(Clock.systemUTC())) {
            // Calls last 30 ms, so the concurrency limit really binds.
            CountingTelephony carrier = new CountingTelephony(new SimulatedTelephony(
                    new SimulatedSettings(Duration.ZERO, Duration.ofMillis(30))));
            // A short poll interval so both nodes keep competing for the line (a node hears of ended calls
            // on other nodes only by polling), which is what this test is about.
            DispatchSettings running = DispatchSettings.defaults().withPollInterval(Duration.ofMillis(10));
            f.startNode("node-b", running, Fixture.instantCalls(), Map.of("simulated", carrier));
            f.startNode("node-c", running, Fixture.instantCalls(), Map.of("simulated", carrier));
            TestApi api = f.api();
            String agent = f.agent(Map.of("name", "E2E", "prompt", "Hi {{name}}",
                    "variables", List.of(Map.of("name", "name", "type", "string")),
                    "retry_policy", Map.of("max_attempts", 2, "delay_seconds",
                            Map.of("busy", 1, "no_answer", 1, "voicemail", 1))));
            int maxConcurrent = 10;
            double cps = 200;
            String line = f.line(maxConcurrent, cps);
            TestApi.Answer created = api.post("/v1/batches", Map.of("name", "thousand", "agent_id", agent, "line_id", line,
                    "recipients", Fixture.recipients(1000, -1)));
            assertThat(created.status()).as(created.text()).isEqualTo(201);
            String id = created.json().get("id").asText();

            JsonNode batch = awaitStatus(api, id, "completed", Duration.ofSeconds(120));

            JsonNode counts = batch.get("counts");
            assertThat(counts.get("total").asInt()).isEqualTo(1000);
            assertThat(counts.get("finished").asInt()).isEqualTo(1000);
            assertThat(counts.get("dispatched").asInt()).isEqualTo(1000);
            assertThat(counts.get("scheduled").asInt() + counts.get("dialing").asInt() + counts.get("ringing").asInt()
                    + counts.get("in_progress").asInt()).isZero();
            JsonNode by = counts.get("by_outcome");
            assertThat(by.get("completed").asInt()).isEqualTo(600);
            assertThat(by.get("busy").asInt()).isEqualTo(100);
            assertThat(by.get("no_answer").asInt()).isEqualTo(100);
            assertThat(by.get("voicemail").asInt()).isEqualTo(100);
            assertThat(by.get("failed").asInt()).isEqualTo(100);
            int outcomeSum = 0;
            for (JsonNode n : by) outcomeSum += n.asInt();
            assertThat(outcomeSum).isEqualTo(1000);

            // Busy, no answer and voicemail were retried once: 600 + 3 × 200 + 100 dials.
            assertThat(sql(f, "select sum(dials) from call")).isEqualTo("1300");
            assertThat(carrier.originated.get()).isEqualTo(1300);
            assertThat(carrier.dialsPerAttempt.values()).allSatisfy(n -> assertThat(n.get()).isEqualTo(1));
            assertThat(carrier.maxLive()).as("concurrent legs on the line, across both nodes").isLessThanOrEqualTo(maxConcurrent);
            // Taken for dialing up to the arm lead ahead (started_at), but handed to the carrier at the slot or after.
            Map<String, Instant> slotOf = new java.util.HashMap<>();
            f.db.read(c -> {
                try (ResultSet rs = c.createStatement().executeQuery("select call_id || '#' || attempt, dial_at from call_attempt")) {
                    while (rs.next()) slotOf.put(rs.getString(1), rs.getTimestamp(2).toInstant());
                }
                return null;
            });
            assertThat(carrier.originatedAt).hasSize(1300);
            assertThat(sql(f, "select count(*) from call_attempt where started_at < dial_at - interval '"
                    + DispatchSettings.DEFAULT_ARM_LEAD.toMillis() + " milliseconds'")).as("taken at most the arm lead before its slot").isEqualTo("0");
            // (The stored slot is rounded to the microsecond.)
            carrier.originatedAt.forEach((attempt, at) -> assertThat(at.plusNanos(1_000)).as("no dial before its slot: " + attempt)
                    .isAfterOrEqualTo(slotOf.get(attempt)));
            assertThat(sql(f, "select count(distinct node_id) from call_attempt")).isEqualTo("2");

            List<Instant> slots = new ArrayList<>();
            f.db.read(c -> {
                try (ResultSet rs = c.createStatement().executeQuery("select dial_at from call_attempt order by dial_at")) {
                    while (rs.next()) slots.add(rs.getTimestamp(1).toInstant());
                }
                return null;
            });
            long spacingMicros = (long) (1_000_000 / cps);
            for (int i = 1; i < slots.size(); i++) {
                assertThat(Duration.between(slots.get(i - 1), slots.get(i)).toNanos() / 1000)
                        .as("slot %d follows slot %d by at least 1/cps", i, i - 1).isGreaterThanOrEqualTo(spacingMicros - 1);
            }
            assertThat(sql(f, "select count(*) from outbox where type = 'batch.completed' and subject_id = '" + id + "'")).isEqualTo("1");
            assertThat(sql(f, "select count(*) from outbox where type = 'call.finished'")).isEqualTo("1000");
            assertThat(sql(f, "select count(*) from outbox where type = 'call.retry_scheduled'")).isEqualTo("300");
        }
    }

    private static JsonNode awaitStatus(TestApi api, String id, String status, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        JsonNode b;
        while (!(b = api.get("/v1/batches/" + id).json()).get("status").asText().equals(status)) {
            if (System.nanoTime() > deadline) throw new AssertionError("batch never became " + status + ": " + b);
            Thread.sleep(100);
        }
        return b;
    }

    private static String sql(Fixture f, String q) {
        return f.db.read(c -> {
            try (ResultSet rs = c.createStatement().executeQuery(q)) {
                return rs.next() ? rs.getString(1) : null;
            }
        });
    }
}
