package dev.outdial.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outdial.Fixture;
import dev.outdial.TestApi;
import dev.outdial.TestClock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** How the writer of call events records a call's ringing, answer and end, alone or folded in one batch. */
class CallEventWriterTest {
    private static final String NODE = "node-writer";
    private final TestClock clock = TestClock.at("2026-03-02T15:00:00Z");
    private Fixture f;

    @AfterEach
    void tearDown() {
        if (f != null) f.close();
    }

    @Test
    void events_of_one_attempt_in_one_batch_are_folded_yet_each_is_announced_and_stamped_in_order() throws Exception {
        f = Fixture.manual(clock);
        String line = f.line(10, 100);
        TestApi.Answer a = f.api().post("/v1/batches", Map.of("name", "B", "agent_id", f.agent(), "line_id", line,
                "recipients", Fixture.recipients(3, 1)));
        assertThat(a.status()).as(a.text()).isEqualTo(201);
        CallTransitions transitions = new CallTransitions(f.db, clock, NODE);
        List<ClaimedCall> calls = new LineClaimer(f.db, clock, NODE, Duration.ofSeconds(1), Duration.ofSeconds(30), 100)
                .claim(line).calls().stream().sorted(Comparator.comparing(ClaimedCall::callId)).toList();
        assertThat(calls).hasSize(3);
        assertThat(transitions.markStarted(calls)).hasSize(3);
        ClaimedCall ends = calls.get(0);
        ClaimedCall talks = calls.get(1);
        ClaimedCall rings = calls.get(2);

        Instant rang = clock.instant().plusMillis(100);
        Instant answered = rang.plusMillis(200);
        Instant hungUp = answered.plusMillis(300);
        List<CallEventWriter.Event> batch = List.of(
                new CallEventWriter.Ringing(ends, rang), new CallEventWriter.Ringing(talks, rang), new CallEventWriter.Ringing(rings, rang),
                new CallEventWriter.Answered(ends, false, answered), new CallEventWriter.Answered(talks, true, answered),
                new CallEventWriter.Ended(ends, "completed", null, null, null, null, hungUp, null));
        try (CallEventWriter writer = new CallEventWriter(f.db, clock, NODE, transitions)) {
            f.db.txByKeys(c -> {
                writer.write(c, batch);
                return null;
            });
        }

        assertThat(row("select state || ' ' || coalesce(outcome, '-') from call where id = ?", ends)).isEqualTo("finished completed");
        assertThat(row("select state from call where id = ?", talks)).isEqualTo("in_progress");
        assertThat(row("select state from call where id = ?", rings)).isEqualTo("ringing");
        String stamps = "select concat_ws(' ', (extract(epoch from ringing_at - started_at) * 1000)::int, (extract(epoch from answered_at - started_at) * 1000)::int,"
                + " (extract(epoch from ended_at - started_at) * 1000)::int, outcome) from call_attempt where call_id = ?";
        assertThat(row(stamps, ends)).isEqualTo("100 300 600 completed");
        assertThat(row(stamps, talks)).isEqualTo("100 300");
        assertThat(row(stamps, rings)).isEqualTo("100");
        String types = "select string_agg(type, ' ' order by seq) from outbox where subject_id = ?";
        assertThat(row(types, ends)).isEqualTo("call.dialing call.ringing call.answered call.finished");
        assertThat(row(types, talks)).isEqualTo("call.dialing call.ringing call.answered_by_machine");
        assertThat(row(types, rings)).isEqualTo("call.dialing call.ringing");
    }

    /**
     * The end decides from what the claim read and writes without reading the call again: its update is the
     * fence. A retry the policy wants is scheduled; in a batch cancelled since the claim it finishes instead
     * (calls already dialed finish normally but are not retried); an attempt no longer this node's is left alone.
     */
    @Test
    void an_end_is_retried_finished_if_its_batch_was_cancelled_meanwhile_and_ignored_if_no_longer_ours() throws Exception {
        f = Fixture.manual(clock);
        String line = f.line(10, 100);
        String agent = f.agent();
        String kept = f.api().post("/v1/batches", Map.of("name", "kept", "agent_id", agent, "line_id", line,
                "recipients", Fixture.recipients(1, 7))).json().get("id").asText();
        String cancelled = f.api().post("/v1/batches", Map.of("name", "cancelled", "agent_id", agent, "line_id", line,
                "recipients", Fixture.recipients(2, 7))).json().get("id").asText();
        CallTransitions transitions = new CallTransitions(f.db, clock, NODE);
        List<ClaimedCall> calls = new LineClaimer(f.db, clock, NODE, Duration.ofSeconds(1), Duration.ofSeconds(30), 100)
                .claim(line).calls().stream().sorted(Comparator.comparing(ClaimedCall::callId)).toList();
        assertThat(calls).hasSize(3);
        assertThat(transitions.markStarted(calls)).hasSize(3);
        ClaimedCall retried = calls.stream().filter(c -> c.batchId().equals(kept)).findFirst().orElseThrow();
        List<ClaimedCall> ofCancelled = calls.stream().filter(c -> c.batchId().equals(cancelled)).toList();
        ClaimedCall finished = ofCancelled.get(0);
        ClaimedCall lost = ofCancelled.get(1);
        assertThat(f.api().post("/v1/batches/" + cancelled + "/cancel", Map.of()).status()).isEqualTo(200);
        f.db.tx(c -> c.createStatement().executeUpdate("update call set lease_owner = 'node-other' where id = '" + lost.callId() + "'"));

        Instant at = clock.instant().plusSeconds(20);
        List<CallEventWriter.Event> batch = List.of(
                new CallEventWriter.Ended(retried, "no_answer", 480, null, null, null, at, null),
                new CallEventWriter.Ended(finished, "no_answer", 480, null, null, null, at, null),
                new CallEventWriter.Ended(lost, "no_answer", 480, null, null, null, at, null));
        try (CallEventWriter writer = new CallEventWriter(f.db, clock, NODE, transitions)) {
            f.db.txByKeys(c -> {
                writer.write(c, batch);
                return null;
            });
        }

        assertThat(row("select concat_ws(' ', state, lease_owner, due_at > '2026-03-02T15:00:20Z') from call where id = ?", retried))
                .isEqualTo("scheduled t");
        assertThat(row("select concat_ws(' ', state, outcome, lease_owner) from call where id = ?", finished)).isEqualTo("finished no_answer");
        assertThat(row("select concat_ws(' ', state, lease_owner) from call where id = ?", lost)).isEqualTo("dialing node-other");
        String attempt = "select coalesce(outcome, 'open') from call_attempt where call_id = ?";
        assertThat(row(attempt, retried)).isEqualTo("no_answer");
        assertThat(row(attempt, finished)).isEqualTo("no_answer");
        assertThat(row(attempt, lost)).as("another node's attempt: not ours to end").isEqualTo("open");
        String last = "select type || ' ' || (payload->>'state') from outbox where subject_id = ? order by seq desc limit 1";
        assertThat(row(last, retried)).isEqualTo("call.retry_scheduled scheduled");
        assertThat(row(last, finished)).isEqualTo("call.finished finished");
        assertThat(row(last, lost)).isEqualTo("call.dialing dialing");
    }

    private String row(String sql, ClaimedCall call) {
        return f.db.read(c -> {
            try (var ps = c.prepareStatement(sql)) {
                ps.setString(1, call.callId());
                try (var rs = ps.executeQuery()) {
                    return rs.next() ? rs.getString(1) : null;
                }
            }
        });
    }
}
