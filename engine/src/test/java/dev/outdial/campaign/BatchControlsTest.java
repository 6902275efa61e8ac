package dev.outdial.campaign;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outdial.Fixture;
import dev.outdial.TestApi;
import dev.outdial.TestClock;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Pause, resume and retry as a user drives them through the API, on a controlled clock. */
class BatchControlsTest {
    private final TestClock clock = TestClock.at("2026-03-03T18:00:00Z");
    private Fixture f;

    @AfterEach
    void tearDown() {
        if (f != null) f.close();
    }

    private String sql(String q) {
        return f.db.read(c -> {
            try (ResultSet rs = c.createStatement().executeQuery(q)) {
                return rs.next() ? rs.getString(1) : null;
            }
        });
    }

    private void awaitSql(String q, String expected) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!expected.equals(sql(q))) {
            if (System.nanoTime() > deadline) throw new AssertionError(q + " never became " + expected + "; is " + sql(q));
            Thread.sleep(20);
        }
    }

    @Test
    void pause_stops_new_dials_and_resume_lets_them_go() {
        f = Fixture.manual(clock);
        TestApi api = f.api();
        String batch = api.post("/v1/batches", Map.of("name", "b", "agent_id", f.agent(), "line_id", f.line(1, 1),
                "recipients", Fixture.recipients(3, 0))).json().get("id").asText();
        assertThat(f.node().dispatcher().claimDue()).isEqualTo(1);
        TestApi.Answer paused = api.post("/v1/batches/" + batch + "/pause", Map.of());
        assertThat(paused.json().get("status").asText()).isEqualTo("paused");
        assertThat(api.post("/v1/batches/" + batch + "/pause", Map.of()).status()).as("twice is harmless").isEqualTo(200);
        clock.advance(Duration.ofMinutes(1));
        sqlUpdate("update call set state = 'finished', outcome = 'completed' where state = 'dialing'"); // the live call ends
        assertThat(f.node().dispatcher().claimDue()).as("paused: nothing new").isZero();
        TestApi.Answer resumed = api.post("/v1/batches/" + batch + "/resume", Map.of());
        assertThat(resumed.json().get("status").asText()).as("one call was claimed for dialing").isEqualTo("in_progress");
        assertThat(f.node().dispatcher().claimDue()).isEqualTo(1);
        assertThat(api.post("/v1/batches/" + batch + "/resume", Map.of()).status()).as("resuming a running batch is harmless").isEqualTo(200);
        String untouched = api.post("/v1/batches", Map.of("name", "c", "agent_id", f.agent(), "line_id", f.line(1, 1),
                "recipients", Fixture.recipients(1, 0))).json().get("id").asText();
        api.post("/v1/batches/" + untouched + "/pause", Map.of());
        assertThat(api.post("/v1/batches/" + untouched + "/resume", Map.of()).json().get("status").asText())
                .as("nothing claimed yet").isEqualTo("pending");
        api.post("/v1/batches/" + batch + "/cancel", Map.of());
        assertThat(api.post("/v1/batches/" + batch + "/resume", Map.of()).status()).as("a cancelled batch cannot resume").isEqualTo(409);
    }

    @Test
    void retry_requeues_unanswered_calls_of_a_finished_batch_within_their_budget() throws Exception {
        f = Fixture.manual(clock);
        TestApi api = f.api();
        String agent = f.agent(Map.of("name", "Twice", "retry_policy", Map.of("max_attempts", 2, "delay_seconds", Map.of())));
        String batch = api.post("/v1/batches", Map.of("name", "b", "agent_id", agent, "line_id", f.line(10, 10),
                "recipients", List.of(
                        Map.of("phone_number", "+14155552670", "variables", Map.of("name", "answers")),
                        Map.of("phone_number", "+14155552677", "variables", Map.of("name", "no answer"))))).json().get("id").asText();
        assertThat(api.post("/v1/batches/" + batch + "/retry", Map.of()).status()).as("not finished yet").isEqualTo(409);
        f.node().dispatcher().claimDue();
        clock.advance(Duration.ofSeconds(1));
        f.node().dispatcher().startDue();
        awaitSql("select count(*) from call where state = 'finished'", "2");
        f.node().dispatcher().housekeep();
        assertThat(api.get("/v1/batches/" + batch).json().get("status").asText()).isEqualTo("completed");

        TestApi.Answer r = api.post("/v1/batches/" + batch + "/retry", Map.of());
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        assertThat(r.json().get("calls_requeued").asInt()).isEqualTo(1);
        assertThat(r.json().get("status").asText()).isEqualTo("in_progress");
        clock.advance(Duration.ofSeconds(2));
        assertThat(f.node().dispatcher().claimDue()).isEqualTo(1);
        clock.advance(Duration.ofSeconds(1));
        f.node().dispatcher().startDue();
        awaitSql("select count(*) from call where state = 'finished'", "2");
        f.node().dispatcher().housekeep();
        assertThat(sql("select dials from call where destination = '+14155552677'")).isEqualTo("2");

        // The budget (2) is spent: a plain retry re-queues nothing; extend_budget gives one more.
        assertThat(api.post("/v1/batches/" + batch + "/retry", Map.of()).json().get("calls_requeued").asInt()).isZero();
        TestApi.Answer extended = api.post("/v1/batches/" + batch + "/retry", Map.of("extend_budget", true));
        assertThat(extended.json().get("calls_requeued").asInt()).isEqualTo(1);
        assertThat(sql("select max_attempts from call where destination = '+14155552677'")).isEqualTo("3");
        // A call that never used its budget keeps it: extending never lowers max_attempts.
        sqlUpdate("update call set state = 'finished', outcome = 'no_answer', dials = 0, max_attempts = 5 where destination = '+14155552670'");
        sqlUpdate("update call set state = 'finished', outcome = 'no_answer' where destination = '+14155552677'");
        sqlUpdate("update batch set status = 'completed'");
        api.post("/v1/batches/" + batch + "/retry", Map.of("extend_budget", true));
        assertThat(sql("select max_attempts from call where destination = '+14155552670'")).isEqualTo("5");
    }

    private void sqlUpdate(String q) {
        f.db.tx(c -> c.createStatement().executeUpdate(q));
    }
}
