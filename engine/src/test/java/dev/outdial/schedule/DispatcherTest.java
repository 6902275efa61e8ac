package dev.outdial.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outdial.Fixture;
import dev.outdial.Outdial;
import dev.outdial.TestApi;
import dev.outdial.TestClock;
import dev.outdial.config.OutdialConfig.DispatchSettings;
import dev.outdial.config.OutdialConfig.SimulatedSettings;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The claim, the pacing and the leases, stepped by hand on a controlled clock. */
class DispatcherTest {
    private static final DispatchSettings MANUAL = DispatchSettings.defaults().withEnabled(false);
    private static final SimulatedSettings LONG_CALLS = new SimulatedSettings(Duration.ZERO, Duration.ofHours(1));

    private final TestClock clock = TestClock.at("2026-03-02T15:00:00Z");
    private Fixture f;

    @AfterEach
    void tearDown() {
        if (f != null) f.close();
    }

    private String submit(TestApi api, String agentId, String lineId, List<Map<String, Object>> recipients) {
        Map<String, Object> b = new HashMap<>();
        b.put("name", "B");
        b.put("agent_id", agentId);
        b.put("line_id", lineId);
        b.put("recipients", recipients);
        TestApi.Answer a = api.post("/v1/batches", b);
        assertThat(a.status()).as(a.text()).isEqualTo(201);
        return a.json().get("id").asText();
    }

    private List<Instant> slots() {
        return f.db.read(c -> {
            List<Instant> out = new ArrayList<>();
            try (ResultSet rs = c.createStatement().executeQuery("select dial_at from call_attempt order by dial_at")) {
                while (rs.next()) out.add(rs.getTimestamp(1).toInstant());
            }
            return out;
        });
    }

    private String one(String sql) {
        return f.db.read(c -> {
            try (ResultSet rs = c.createStatement().executeQuery(sql)) {
                return rs.next() ? rs.getString(1) : null;
            }
        });
    }

    @Test
    void claim_takes_no_more_than_max_concurrent_and_spaces_slots_by_cps() {
        f = Fixture.manual(clock);
        String line = f.line(3, 2.0);
        submit(f.api(), f.agent(), line, Fixture.recipients(10, 0));
        Outdial node = f.node();

        assertThat(node.dispatcher().claimDue()).isEqualTo(3);
        assertThat(node.dispatcher().claimDue()).as("line is at max concurrency").isZero();
        Instant t0 = clock.instant();
        assertThat(slots()).containsExactly(t0, t0.plusMillis(500), t0.plusMillis(1000));
        assertThat(one("select status from batch")).isEqualTo("in_progress");
        assertThat(one("select count(*) from outbox where type = 'call.dialing'")).isEqualTo("3");

        assertThat(node.dispatcher().startDue()).as("only the first slot has come").isEqualTo(1);
        clock.advance(Duration.ofMillis(499));
        assertThat(node.dispatcher().startDue()).as("never before its slot").isZero();
        clock.advance(Duration.ofMillis(1));
        assertThat(node.dispatcher().startDue()).isEqualTo(1);
    }

    @Test
    void one_round_claims_on_every_line_at_once_each_within_its_own_limits() {
        f = Fixture.manual(clock);
        List<String> lines = List.of(f.line(2, 100), f.line(3, 100), f.line(1, 100));
        for (int i = 0; i < lines.size(); i++) submit(f.api(), f.agent(), lines.get(i), Fixture.recipients(5, i));
        Outdial node = f.node();

        assertThat(node.dispatcher().claimDue()).as("2 + 3 + 1, the lines claimed side by side").isEqualTo(6);
        for (int i = 0; i < lines.size(); i++) {
            assertThat(one("select count(*) from call where state = 'dialing' and line_id = '" + lines.get(i) + "'"))
                    .isEqualTo(String.valueOf(List.of(2, 3, 1).get(i)));
        }
        assertThat(one("select count(*) from call_attempt")).isEqualTo("6");
        assertThat(node.dispatcher().claimDue()).as("every line at its limit").isZero();
        clock.advance(Duration.ofSeconds(1));
        assertThat(node.dispatcher().startDue()).isEqualTo(6);
        assertTalliesMatchLiveCalls();
    }

    @Test
    void a_claim_of_a_few_calls_and_one_of_many_record_their_attempts_alike() {
        // Below Outbox.COPY_FROM rows the claim inserts its attempt rows, from it on it copies them: same values,
        // rounded alike (a clock 400 ns before a second rounds up to it).
        TestClock late = TestClock.at("2026-03-02T14:59:59.999999600Z");
        f = Fixture.manual(late);
        int few = dev.outdial.store.Outbox.COPY_FROM - 1;
        int many = dev.outdial.store.Outbox.COPY_FROM + 2;
        String fewLine = f.line(few, 1000);
        String manyLine = f.line(many, 1000);
        submit(f.api(), f.agent(), fewLine, Fixture.recipients(few, 0));
        submit(f.api(), f.agent(), manyLine, Fixture.recipients(many, 1));
        Outdial node = f.node();

        assertThat(node.dispatcher().claimDue()).isEqualTo(few + many);
        for (String line : List.of(fewLine, manyLine)) {
            int n = line.equals(fewLine) ? few : many;
            assertThat(one("""
                    select count(*) || ' ' || bool_and(a.claimed_at = '2026-03-02T15:00:00Z') || ' ' || bool_and(a.org_id = c.org_id)
                           || ' ' || bool_and(a.attempt = c.attempt) || ' ' || count(distinct a.node_id)
                           || ' ' || bool_and(a.started_at is null and a.ended_at is null)
                           || ' ' || (array_agg(a.dial_at - '2026-03-02T15:00:00Z' order by a.dial_at))[%d]
                    from call_attempt a join call c on c.id = a.call_id where a.line_id = '%s'""".formatted(n, line)))
                    .as("line with %d calls", n)
                    .isEqualTo(n + " true true true 1 true 00:00:00.00%d", n - 1);
        }
        assertThat(one("select count(distinct node_id) from call_attempt")).isEqualTo("1");
    }

    @Test
    void calls_falling_due_within_the_horizon_are_claimed_ahead_and_slotted_at_their_due_time_or_later() {
        f = Fixture.manual(clock);
        String line = f.line(10, 5.0); // slots at least 200 ms apart
        Instant t0 = clock.instant();
        List<Map<String, Object>> rs = new ArrayList<>();
        String[] at = {"0.2", "0.2", "0.9", "1.5"};
        for (int i = 0; i < at.length; i++) {
            long ms = (long) (Double.parseDouble(at[i]) * 1000);
            rs.add(Map.of("phone_number", "+1415555" + (2670 + i), "variables", Map.of("name", "p" + i),
                    "scheduled_at", t0.plusMillis(ms).toString()));
        }
        submit(f.api(), f.agent(), line, rs);
        Outdial node = f.node();

        assertThat(node.dispatcher().claimDue()).as("the call due at 1.5 s is beyond the 1 s horizon").isEqualTo(3);
        assertThat(slots()).containsExactly(t0.plusMillis(200), t0.plusMillis(400), t0.plusMillis(900));
        assertThat(node.dispatcher().startDue()).as("nothing is dialed before its due time").isZero();
        clock.set(t0.plusMillis(400));
        assertThat(node.dispatcher().startDue()).isEqualTo(2);
        clock.set(t0.plusMillis(600));
        assertThat(node.dispatcher().claimDue()).isEqualTo(1);
        assertThat(slots()).last().isEqualTo(t0.plusMillis(1500));
    }

    @Test
    void higher_priority_is_claimed_first_then_earlier_due() {
        f = Fixture.manual(clock);
        String line = f.line(1, 10);
        String agent = f.agent();
        List<Map<String, Object>> rs = new ArrayList<>();
        rs.add(Map.of("phone_number", "+14155550100".replace("0100", "2670"), "variables", Map.of("name", "low")));
        rs.add(Map.of("phone_number", "+14155552671", "variables", Map.of("name", "high"), "priority", 5));
        submit(f.api(), agent, line, rs);
        assertThat(f.node().dispatcher().claimDue()).isEqualTo(1);
        assertThat(one("select variables->>'name' from call where state = 'dialing'")).isEqualTo("high");
    }

    @Test
    void a_line_is_found_by_a_due_call_of_any_priority_behind_later_ones_of_higher_priority() {
        f = Fixture.manual(clock);
        String agent = f.agent();
        String mixed = f.line(10, 10);
        String later = f.line(10, 10);
        f.line(10, 10); // no calls at all
        String inAnHour = clock.instant().plusSeconds(3600).toString();
        List<Map<String, Object>> rs = new ArrayList<>();
        rs.add(Map.of("phone_number", "+14155552670", "variables", Map.of("name", "p5 later"), "priority", 5, "scheduled_at", inAnHour));
        rs.add(Map.of("phone_number", "+14155552671", "variables", Map.of("name", "p2 later"), "priority", 2, "scheduled_at", inAnHour));
        rs.add(Map.of("phone_number", "+14155552672", "variables", Map.of("name", "p-1 due"), "priority", -1));
        rs.add(Map.of("phone_number", "+14155552673", "variables", Map.of("name", "p-3 later"), "priority", -3, "scheduled_at", inAnHour));
        submit(f.api(), agent, mixed, rs);
        submit(f.api(), agent, later, List.of(
                Map.of("phone_number", "+14155552674", "variables", Map.of("name", "q1"), "priority", 1, "scheduled_at", inAnHour),
                Map.of("phone_number", "+14155552675", "variables", Map.of("name", "q0"), "scheduled_at", inAnHour)));
        Outdial node = f.node();
        assertThat(node.dispatcher().claimDue()).as("only the due call, found under two priorities of later calls").isEqualTo(1);
        assertThat(one("select variables->>'name' from call where state = 'dialing'")).isEqualTo("p-1 due");
    }

    @Test
    void two_dispatchers_claiming_at_once_never_share_a_call_and_hold_the_line_limits() throws Exception {
        f = Fixture.manual(clock);
        String line = f.line(40, 100);
        submit(f.api(), f.agent(), line, Fixture.recipients(2000, 0));
        Outdial a = f.node();
        Outdial b = f.startNode("node-b", MANUAL, LONG_CALLS);

        // Both claim as fast as they can, in parallel: real contention on the line row lock.
        List<Thread> threads = new ArrayList<>();
        for (Outdial node : List.of(a, b)) {
            threads.add(Thread.ofPlatform().start(() -> {
                for (int i = 0; i < 30; i++) node.dispatcher().claimDue();
            }));
        }
        for (Thread t : threads) t.join();

        assertThat(one("select count(*) from call where state <> 'scheduled'")).isEqualTo("40");
        assertThat(one("select count(*) from call_attempt")).isEqualTo("40");
        assertThat(one("select count(distinct call_id) from call_attempt")).isEqualTo("40");
        assertThat(one("select count(distinct lease_owner) from call where state = 'dialing'")).isIn("1", "2");
        // Slots across both nodes are one sequence 10 ms apart: never closer.
        List<Instant> s = slots();
        for (int i = 1; i < s.size(); i++) {
            assertThat(Duration.between(s.get(i - 1), s.get(i))).isGreaterThanOrEqualTo(Duration.ofMillis(10));
        }
        assertTalliesMatchLiveCalls();
    }

    @Test
    void an_expired_lease_is_interrupted_and_retried_later_never_at_once() throws Exception {
        f = Fixture.manual(clock);
        String line = f.line(5, 5);
        String batch = submit(f.api(), f.agent(), line, Fixture.recipients(1, 0));
        Outdial a = f.startNode("node-crashing", MANUAL, LONG_CALLS);
        assertThat(a.dispatcher().claimDue()).isEqualTo(1);
        assertThat(a.dispatcher().startDue()).isEqualTo(1);
        awaitSql("select count(*) from call where state = 'in_progress'", "1");
        a.crash();

        Outdial b = f.node();
        clock.advance(Duration.ofSeconds(29));
        b.dispatcher().housekeep();
        assertThat(one("select state from call")).as("lease still valid").isEqualTo("in_progress");

        clock.advance(Duration.ofSeconds(2));
        b.dispatcher().housekeep();
        assertThat(one("select state from call")).isEqualTo("scheduled");
        assertThat(one("select outcome from call_attempt where attempt = 1")).isEqualTo("interrupted");
        Instant due = Timestamp.valueOf(one("select due_at at time zone 'UTC' from call").replace('T', ' ')).toLocalDateTime()
                .toInstant(java.time.ZoneOffset.UTC);
        assertThat(due).isEqualTo(clock.instant().plus(Duration.ofMinutes(5)));
        assertThat(one("select count(*) from outbox where type = 'call.retry_scheduled'")).isEqualTo("1");

        assertThat(b.dispatcher().claimDue()).as("no immediate re-dial").isZero();
        clock.advance(Duration.ofMinutes(5));
        assertThat(b.dispatcher().claimDue()).isEqualTo(1);
        assertThat(b.dispatcher().startDue()).isEqualTo(1);
        assertThat(one("select dials from call")).isEqualTo("2");
        assertThat(one("select attempt from call")).isEqualTo("2");
        assertThat(f.api().get("/v1/calls/" + one("select id from call")).json().get("history")).hasSize(2);
        assertThat(batch).isNotNull();
        assertTalliesMatchLiveCalls();
    }

    @Test
    void a_claim_never_dialed_before_a_crash_is_released_without_spending_an_attempt() {
        f = Fixture.manual(clock);
        String line = f.line(5, 1);
        submit(f.api(), f.agent(), line, Fixture.recipients(3, 0));
        Outdial a = f.startNode("node-crashing", MANUAL, LONG_CALLS);
        assertThat(a.dispatcher().claimDue()).isEqualTo(2); // cps 1, horizon 1 s: slots now and now+1 s
        a.crash();

        clock.advance(Duration.ofSeconds(31));
        f.node().dispatcher().housekeep();
        assertThat(one("select count(*) from call where state = 'scheduled' and dials = 0")).isEqualTo("3");
        assertThat(one("select count(*) from call_attempt where outcome = 'released'")).isEqualTo("2");
        assertThat(f.node().dispatcher().claimDue()).as("released calls are due at once").isEqualTo(2);
        assertTalliesMatchLiveCalls();
    }

    @Test
    void a_cancelled_batch_is_not_dialed_even_if_already_claimed() {
        f = Fixture.manual(clock);
        String line = f.line(5, 1);
        String batch = submit(f.api(), f.agent(), line, Fixture.recipients(4, 0));
        assertThat(f.node().dispatcher().claimDue()).isEqualTo(2);
        TestApi.Answer a = f.api().post("/v1/batches/" + batch + "/cancel", Map.of());
        assertThat(a.status()).isEqualTo(200);
        assertThat(a.json().get("status").asText()).isEqualTo("cancelled");
        assertThat(a.json().at("/counts/by_outcome/canceled").asInt()).isEqualTo(4);
        assertThat(one("select count(*) from outbox where type = 'call.finished' and payload->>'outcome' = 'canceled'")).isEqualTo("4");
        assertThat(one("select count(*) from call_attempt where outcome = 'canceled' and ended_at is not null")).isEqualTo("2");
        assertThat(f.api().post("/v1/batches/" + batch + "/cancel", Map.of()).status()).as("twice is harmless").isEqualTo(200);
        clock.advance(Duration.ofSeconds(5));
        assertThat(f.node().dispatcher().startDue()).isEqualTo(2); // taken off the queue...
        assertThat(f.node().dispatcher().startedCalls()).as("...but none dialed").isZero();
        assertTalliesMatchLiveCalls();
    }

    /** A retry written while its batch was being cancelled (the cancel cannot see it: it was live then) is never dialed. */
    @Test
    void a_call_left_scheduled_in_a_cancelled_batch_is_not_claimed() {
        f = Fixture.manual(clock);
        String line = f.line(5, 5);
        String batch = submit(f.api(), f.agent(), line, Fixture.recipients(2, 0));
        assertThat(f.api().post("/v1/batches/" + batch + "/cancel", Map.of()).status()).isEqualTo(200);
        f.db.tx(c -> c.createStatement().executeUpdate(
                "update call set state = 'scheduled', outcome = null, finished_at = null where batch_id = '" + batch + "'"));
        clock.advance(Duration.ofSeconds(5));
        assertThat(f.node().dispatcher().claimDue()).isZero();
        assertThat(one("select count(*) from call_attempt")).isEqualTo("0");
    }

    @Test
    void a_call_its_node_lost_track_of_is_settled_by_that_node() {
        f = Fixture.manual(clock);
        String line = f.line(5, 5);
        submit(f.api(), f.agent(), line, Fixture.recipients(2, 0));
        Outdial a = f.startNode("node-a2", MANUAL, LONG_CALLS);
        assertThat(a.dispatcher().claimDue()).isEqualTo(2);
        // Node a loses track of one call, as when writing its end failed: the row says a holds it, a does not.
        String lost = one("select id from call order by id limit 1");
        a.dispatcher().forget(lost);
        clock.advance(Duration.ofSeconds(20));
        a.dispatcher().housekeep(); // too recent to tell from a claim in flight: left alone
        clock.advance(Duration.ofSeconds(15));
        a.dispatcher().housekeep(); // untracked for a lease period: released, as it was never dialed
        assertThat(one("select state from call where id = '" + lost + "'")).isEqualTo("scheduled");
        assertThat(one("select state from call where id <> '" + lost + "'")).isEqualTo("dialing");
        assertTalliesMatchLiveCalls();
    }

    /** Regression: at 1,000,000 calls a busy node let its own live calls' leases lapse and they were dialed again. */
    @Test
    void a_live_node_keeps_its_calls_however_long_they_last() throws Exception {
        f = Fixture.manual(clock);
        String line = f.line(5, 5);
        submit(f.api(), f.agent(), line, Fixture.recipients(1, 0));
        Outdial a = f.startNode("node-alive", MANUAL, LONG_CALLS);
        Outdial b = f.node();
        assertThat(a.dispatcher().claimDue()).isEqualTo(1);
        assertThat(a.dispatcher().startDue()).isEqualTo(1);
        awaitSql("select count(*) from call where state = 'in_progress'", "1");
        for (int minute = 0; minute < 10; minute++) {
            clock.advance(Duration.ofSeconds(20));
            a.dispatcher().housekeep(); // its heartbeat
            b.dispatcher().housekeep(); // another node looking for lapsed claims
        }
        assertThat(one("select state from call")).isEqualTo("in_progress");
        assertThat(one("select count(*) from call_attempt")).isEqualTo("1");
    }

    @Test
    void a_stopping_node_gives_back_the_calls_it_has_not_dialed() {
        f = Fixture.manual(clock);
        String line = f.line(5, 1);
        submit(f.api(), f.agent(), line, Fixture.recipients(3, 0));
        Outdial a = f.startNode("node-stopping", MANUAL, LONG_CALLS);
        assertThat(a.dispatcher().claimDue()).isEqualTo(2);
        a.stop(Duration.ofMillis(100));
        assertThat(one("select count(*) from call where state = 'scheduled' and lease_owner is null")).isEqualTo("3");
        assertThat(one("select count(*) from call_attempt where outcome = 'released'")).isEqualTo("2");
        assertThat(one("select count(*) from outbox where type = 'call.released'")).isEqualTo("2");
        a.stop(Duration.ofMillis(100)); // twice is harmless
        // The slots handed out stay spent (another node may have used its own), so wait for the next free one.
        clock.advance(Duration.ofSeconds(2));
        assertThat(f.node().dispatcher().claimDue()).as("due again, on another node").isEqualTo(2);
        assertTalliesMatchLiveCalls();
    }

    @Test
    void a_call_not_connected_by_its_deadline_expires() {
        f = Fixture.manual(clock);
        String line = f.line(1, 1);
        Map<String, Object> b = new HashMap<>();
        b.put("name", "B");
        b.put("agent_id", f.agent());
        b.put("line_id", line);
        b.put("deadline", clock.instant().plus(Duration.ofMinutes(10)).toString());
        b.put("recipients", Fixture.recipients(2, 0));
        String batch = f.api().post("/v1/batches", b).json().get("id").asText();
        assertThat(f.node().dispatcher().claimDue()).isEqualTo(1); // max_concurrent 1: the other one waits
        clock.advance(Duration.ofMinutes(10));
        f.node().dispatcher().housekeep();
        assertThat(one("select count(*) from call where outcome = 'expired'")).isEqualTo("1");
        assertThat(f.node().dispatcher().claimDue()).isZero();
        assertThat(f.api().get("/v1/batches/" + batch).json().at("/counts/by_outcome/expired").asInt()).isEqualTo(1);
        assertTalliesMatchLiveCalls();
    }

    @Test
    void the_concurrency_limit_frees_a_place_for_every_way_a_live_call_ends() throws Exception {
        f = Fixture.manual(clock);
        String line = f.line(2, 100);
        String first = submit(f.api(), f.agent(), line, Fixture.recipients(3, 0));
        Outdial a = f.startNode("node-crashing", MANUAL, LONG_CALLS);
        assertThat(a.dispatcher().claimDue()).isEqualTo(2);
        assertThat(a.dispatcher().claimDue()).as("line full").isZero();
        assertTalliesMatchLiveCalls();

        a.crash(); // claimed, never dialed: released when the lease lapses
        clock.advance(Duration.ofSeconds(31));
        Outdial b = f.node();
        b.dispatcher().housekeep();
        assertThat(one("select count(*) from call where phase = 1")).isEqualTo("0");
        assertTalliesMatchLiveCalls();
        assertThat(b.dispatcher().claimDue()).as("both places free again").isEqualTo(2);
        assertThat(b.dispatcher().claimDue()).isZero();

        // Cancelling the batch ends its two live calls: a second batch gets their places.
        assertThat(f.api().post("/v1/batches/" + first + "/cancel", Map.of()).status()).isEqualTo(200);
        assertTalliesMatchLiveCalls();
        submit(f.api(), f.agent(), line, Fixture.recipients(3, 1)); // other numbers, all answered
        Outdial quick = f.startNode("node-quick", MANUAL, Fixture.instantCalls());
        assertThat(quick.dispatcher().claimDue()).isEqualTo(2);
        assertThat(quick.dispatcher().claimDue()).as("line full").isZero();
        assertTalliesMatchLiveCalls();

        // Dialed, and ended by the carrier at once: a place for the third call.
        clock.advance(Duration.ofSeconds(1));
        assertThat(quick.dispatcher().startDue()).isEqualTo(2);
        awaitSql("select count(*) from call where phase = 1", "0");
        assertTalliesMatchLiveCalls();
        assertThat(quick.dispatcher().claimDue()).isEqualTo(1);
        assertTalliesMatchLiveCalls();
    }

    @Test
    void the_housekeeper_folds_the_live_call_deltas_of_a_line_no_claim_folds() {
        f = Fixture.manual(clock);
        String line = f.line(5, 5);
        submit(f.api(), f.agent(), line, Fixture.recipients(2, 0));
        String call = one("select min(id) from call");
        // Any statement that moves a call in or out of the live phase leaves a delta, whoever runs it.
        for (int i = 0; i < Housekeeper.TALLY_FOLD_THRESHOLD / 2; i++) {
            f.db.tx(c -> c.createStatement().executeUpdate("update call set state = 'dialing' where id = '" + call + "'"));
            if (i < Housekeeper.TALLY_FOLD_THRESHOLD / 2 - 1) {
                f.db.tx(c -> c.createStatement().executeUpdate("update call set state = 'scheduled' where id = '" + call + "'"));
            }
        }
        assertThat(one("select count(*) from line_live_delta")).isEqualTo(String.valueOf(Housekeeper.TALLY_FOLD_THRESHOLD - 1));
        assertTalliesMatchLiveCalls();
        f.node().dispatcher().housekeep();
        assertThat(one("select count(*) from line_live_delta")).as("below the threshold: left for a claim").isNotEqualTo("0");

        f.db.tx(c -> c.createStatement().executeUpdate("update call set state = 'ringing' where id = '" + call + "'")); // no delta
        f.db.tx(c -> c.createStatement().executeUpdate("update call set state = 'scheduled' where id = '" + call + "'"));
        f.db.tx(c -> c.createStatement().executeUpdate("update call set state = 'dialing' where id = '" + call + "'"));
        f.node().dispatcher().housekeep();
        assertThat(one("select count(*) from line_live_delta")).isEqualTo("0");
        assertThat(one("select live_calls from line where id = '" + line + "'")).isEqualTo("1");
        assertTalliesMatchLiveCalls();
    }

    /** A claim that fills its line must say so: only then does a call's end wake the claim loop at once. */
    @Test
    void a_claim_that_fills_its_line_reports_the_line_full() {
        f = Fixture.manual(clock);
        String line = f.line(2, 100);
        submit(f.api(), f.agent(), line, Fixture.recipients(3, 0));
        LineClaimer claimer = new LineClaimer(f.db, clock, "node-x", Duration.ofSeconds(1), Duration.ofSeconds(30), 100);
        LineClaimer.Result filled = claimer.claim(line);
        assertThat(filled.calls()).hasSize(2);
        assertThat(filled.full()).isTrue();
        assertThat(filled.busy()).isTrue();
        LineClaimer.Result again = claimer.claim(line);
        assertThat(again.calls()).isEmpty();
        assertThat(again.full()).isTrue();
    }

    @Test
    void a_line_whose_calls_are_all_live_cannot_be_deleted() {
        f = Fixture.manual(clock);
        String line = f.line(5, 100);
        submit(f.api(), f.agent(), line, Fixture.recipients(2, 0));
        assertThat(f.node().dispatcher().claimDue()).isEqualTo(2);
        assertThat(one("select count(*) from call where phase = 0")).isEqualTo("0");
        TestApi.Answer a = f.api().delete("/v1/lines/" + line);
        assertThat(a.status()).as(a.text()).isEqualTo(409);
        assertThat(a.text()).contains("2 unfinished calls");
    }

    /** Every line's tally of live calls (V18) equals its live calls counted row by row. */
    @Test
    void a_call_taken_ahead_of_its_slot_waits_for_it_and_one_taken_before_a_crash_is_never_dialed_again_at_once() throws Exception {
        f = Fixture.manual(clock);
        String line = f.line(5, 1); // one call a second: slots now and now + 1 s
        submit(f.api(), f.agent(), line, Fixture.recipients(2, 0));
        Outdial a = f.startNode("node-arming", DispatchSettings.defaults().withArmLead(Duration.ofMillis(400)), LONG_CALLS);
        awaitSql("select count(*) from call_attempt", "2");
        awaitSql("select count(*) from call where state = 'in_progress'", "1"); // the first, at its slot
        String second = one("select call_id from call_attempt order by dial_at desc limit 1");
        String startedSecond = "select count(*) from call_attempt where started_at is not null and call_id = '" + second + "'";
        Thread.sleep(100);
        assertThat(one(startedSecond)).as("a second from its slot: not taken yet").isEqualTo("0");

        clock.advance(Duration.ofMillis(850)); // 150 ms to the slot, within half the lead: taken for dialing
        awaitSql(startedSecond, "1");
        Thread.sleep(100);
        assertThat(a.dispatcher().liveCalls()).as("taken, not dialed before its slot").isEqualTo(1);
        assertThat(one("select state from call where id = '" + second + "'")).isEqualTo("dialing");

        a.crash();
        clock.advance(Duration.ofMillis(200)); // its slot passes: a crashed node dials nothing
        Thread.sleep(100);
        assertThat(a.dispatcher().liveCalls()).isEqualTo(1);
        assertThat(one("select ringing_at is null from call_attempt where call_id = '" + second + "'")).isEqualTo("t");

        clock.advance(Duration.ofSeconds(31));
        Outdial b = f.node();
        b.dispatcher().housekeep();
        // Taken counts as handed to the carrier (the node may have dialed it): interrupted, and retried later, never at once.
        assertThat(one("select outcome from call_attempt where call_id = '" + second + "'")).isEqualTo("interrupted");
        assertThat(one("select state from call where id = '" + second + "'")).isEqualTo("scheduled");
        assertThat(b.dispatcher().claimDue()).as("no immediate re-dial").isZero();
        assertTalliesMatchLiveCalls();
    }

    private void assertTalliesMatchLiveCalls() {
        assertThat(one("""
                select count(*) from line_live v
                where v.live_calls <> (select count(*) from call c where c.line_id = v.line_id and c.phase = 1)"""))
                .as("lines whose live-call tally is off").isEqualTo("0");
    }

    private void awaitSql(String sql, String expected) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!expected.equals(one(sql))) {
            if (System.nanoTime() > deadline) throw new AssertionError(sql + " never became " + expected + "; is " + one(sql));
            Thread.sleep(20);
        }
    }
}
