package dev.outdial.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outdial.Fixture;
import dev.outdial.Outdial;
import dev.outdial.TestApi;
import dev.outdial.TestClock;
import dev.outdial.config.OutdialConfig.DispatchSettings;
import dev.outdial.config.OutdialConfig.SimulatedSettings;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The start of an attempt and a taker (cancel, release) racing for the same claimed call: whichever
 * reaches the attempt row second sees the first one's write, so a call is either dialed or taken
 * back, never both (invariant 2). Each test holds one side's transaction open on a connection of its
 * own and lets the other side run into its row lock.
 */
class StartFenceTest {
    private static final DispatchSettings MANUAL = DispatchSettings.defaults().withEnabled(false);
    private static final SimulatedSettings LONG_CALLS = new SimulatedSettings(Duration.ZERO, Duration.ofHours(1));
    private static final String WAITING_FOR_A_ROW_LOCK =
            "select count(*) from pg_stat_activity where wait_event_type = 'Lock' and datname = current_database()";

    private final TestClock clock = TestClock.at("2026-03-02T15:00:00Z");
    private Fixture f;

    @AfterEach
    void tearDown() {
        if (f != null) f.close();
    }

    private String claimOne(Outdial node) {
        String batch = f.api().post("/v1/batches", Map.of("name", "B", "agent_id", f.agent(), "line_id", f.line(5, 5),
                "recipients", Fixture.recipients(1, 0))).json().get("id").asText();
        assertThat(node.dispatcher().claimDue()).isEqualTo(1);
        return batch;
    }

    @Test
    void a_start_that_waits_behind_a_release_does_not_dial_the_released_call() throws Exception {
        f = Fixture.manual(clock);
        Outdial node = f.startNode("node-a", MANUAL, LONG_CALLS);
        claimOne(node);
        try (Connection taker = f.db.dataSource().getConnection(); Statement st = taker.createStatement()) {
            taker.setAutoCommit(false);
            st.execute("select 1 from call_attempt for update"); // the taker got to the attempt row first
            CompletableFuture<Integer> start = CompletableFuture.supplyAsync(() -> node.dispatcher().startDue());
            f.awaitSql(WAITING_FOR_A_ROW_LOCK, "1");
            // What a release does (ReleaseSql): end the unstarted attempt, put the call back in the queue.
            st.executeUpdate("update call_attempt set ended_at = now(), outcome = 'released' where started_at is null and ended_at is null");
            st.executeUpdate("update call set state = 'scheduled', lease_owner = null, lease_expires_at = null, dials = dials - 1");
            taker.commit();
            assertThat(start.get(20, TimeUnit.SECONDS)).as("taken off the pacer's queue").isEqualTo(1);
        }
        assertThat(node.dispatcher().startedCalls()).as("not dialed").isZero();
        assertThat(f.sql("select started_at is null and outcome = 'released' from call_attempt")).isEqualTo("t");
        assertThat(f.sql("select state || ' ' || dials from call")).isEqualTo("scheduled 0");
    }

    @Test
    void a_cancel_that_waits_behind_a_start_leaves_the_dialed_call_alone() throws Exception {
        f = Fixture.manual(clock);
        Outdial node = f.startNode("node-a", MANUAL, LONG_CALLS);
        String batch = claimOne(node);
        try (Connection starter = f.db.dataSource().getConnection(); Statement st = starter.createStatement()) {
            starter.setAutoCommit(false);
            // What the start does (CallTransitions.markStarted), held open as if the carrier were being called.
            assertThat(st.executeUpdate("update call_attempt set started_at = now() where started_at is null and ended_at is null"))
                    .isEqualTo(1);
            CompletableFuture<TestApi.Answer> cancel =
                    CompletableFuture.supplyAsync(() -> f.api().post("/v1/batches/" + batch + "/cancel", Map.of()));
            f.awaitSql(WAITING_FOR_A_ROW_LOCK, "1");
            starter.commit();
            TestApi.Answer a = cancel.get(20, TimeUnit.SECONDS);
            assertThat(a.status()).as(a.text()).isEqualTo(200);
            assertThat(a.json().get("status").asText()).isEqualTo("cancelled");
            assertThat(a.json().at("/counts/by_outcome/canceled").asInt()).as("the dialed call is the carrier's").isZero();
        }
        assertThat(f.sql("select state || ' ' || dials || ' ' || coalesce(outcome, '-') from call")).isEqualTo("dialing 1 -");
        assertThat(f.sql("select ended_at is null from call_attempt")).isEqualTo("t");
        assertThat(f.sql("select count(*) from outbox where type = 'call.finished'")).isEqualTo("0");
    }

    /** The start reads back its own stamp to tell the attempts it started: a second start at the same instant must not match it. */
    @Test
    void an_attempt_started_once_is_not_started_again_even_within_the_same_instant() {
        f = Fixture.manual(clock);
        Outdial node = f.startNode("node-a", MANUAL, LONG_CALLS);
        claimOne(node);
        ClaimedCall call = new ClaimedCall(f.sql("select id from call"), f.orgId, f.sql("select batch_id from call"),
                f.sql("select line_id from call"), "simulated", "+14155550000", f.sql("select destination from call"), 1,
                clock.instant(), clock.instant(), Duration.ofMillis(1), Duration.ofMinutes(1), null, null, false, false, null);
        CallTransitions starts = new CallTransitions(f.db, clock, "node-a"); // the clock stands still between the two
        assertThat(starts.markStarted(java.util.List.of(call))).hasSize(1);
        assertThat(starts.markStarted(java.util.List.of(call))).as("already started: not ours to dial again").isEmpty();
    }

    @Test
    void a_cancel_that_comes_first_takes_the_claimed_call_back_and_its_dial_off_the_count() {
        f = Fixture.manual(clock);
        Outdial node = f.startNode("node-a", MANUAL, LONG_CALLS);
        String batch = claimOne(node);
        assertThat(f.sql("select dials from call")).as("a claim counts as a dial until it is taken back").isEqualTo("1");
        assertThat(f.api().post("/v1/batches/" + batch + "/cancel", Map.of()).status()).isEqualTo(200);
        assertThat(node.dispatcher().startDue()).isEqualTo(1);
        assertThat(node.dispatcher().startedCalls()).isZero();
        assertThat(f.sql("select state || ' ' || dials || ' ' || outcome from call")).isEqualTo("finished 0 canceled");
        assertThat(f.sql("select started_at is null and outcome = 'canceled' from call_attempt")).isEqualTo("t");
    }
}
