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
