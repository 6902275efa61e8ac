package dev.outdial.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outdial.TestClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The pacer's arming, on a controlled clock: a call is taken for dialing (the database round trip) up
 * to the arm lead before its slot and dialed when the clock reaches the slot, never before. The starter
 * here only records what it is asked; the database side of taking is StartFenceTest's and DispatcherTest's.
 */
class PacerTest {
    private static final Duration LEAD = Duration.ofMillis(400);

    private final TestClock clock = TestClock.at("2026-03-02T15:00:00Z");
    private final Instant t0 = clock.instant();
    private final Recording starter = new Recording();
    private final Pacer pacer = new Pacer(clock, LEAD, starter);

    /** What the pacer asked of its starter, with the clock's time. */
    private class Recording implements Pacer.Starter {
        final List<List<String>> groups = new CopyOnWriteArrayList<>();
        final List<Instant> takenAt = new CopyOnWriteArrayList<>();
        final List<String> dialed = new CopyOnWriteArrayList<>();
        final List<Instant> dialedAt = new CopyOnWriteArrayList<>();
        final List<Instant> slots = new CopyOnWriteArrayList<>();

        @Override
        public List<ClaimedCall> take(List<ClaimedCall> due) {
            groups.add(due.stream().map(ClaimedCall::callId).toList());
            takenAt.add(clock.instant());
            return due.stream().filter(c -> !c.callId().startsWith("lost")).toList();
        }

        @Override
        public void dial(ClaimedCall call) {
            dialedAt.add(clock.instant());
            slots.add(call.dialAt());
            dialed.add(call.callId());
        }
    }

    @AfterEach
    void tearDown() {
        pacer.abandon();
    }

    private static ClaimedCall call(String id, Instant slot) {
        return call(id, slot, Duration.ofNanos(10)); // the bench's 100,000 calls a second
    }

    private static ClaimedCall call(String id, Instant slot, Duration spacing) {
        return new ClaimedCall(id, "org_1", "bat_1", "lin_1", "simulated", "+14155550000", "+14155550101", 1, slot, slot, spacing,
                Duration.ofMinutes(1), null, null, false, false, null);
    }

    @Test
    void a_call_is_taken_half_a_lead_before_its_slot_and_dialed_at_the_slot_not_before() throws Exception {
        pacer.start();
        pacer.add(List.of(call("a", t0.plusSeconds(1))));
        clock.advance(Duration.ofMillis(700)); // 300 ms to the slot: more than half the lead
        Thread.sleep(50);
        assertThat(starter.groups).as("not taken more than half a lead ahead").isEmpty();

        clock.advance(Duration.ofMillis(150)); // 150 ms to the slot
        await(() -> starter.groups.size() == 1);
        Thread.sleep(50);
        assertThat(starter.dialed).as("taken, but its slot has not come").isEmpty();
        assertThat(pacer.queued()).isZero();

        clock.advance(Duration.ofMillis(149));
        Thread.sleep(50);
        assertThat(starter.dialed).as("1 ms before the slot").isEmpty();
        clock.advance(Duration.ofMillis(1));
        await(() -> starter.dialed.size() == 1);
        assertThat(starter.dialedAt.get(0)).isEqualTo(t0.plusSeconds(1));
    }

    /** Dials wait on a 1 ms grid: slots within one millisecond go out together at its end, none before its slot. */
    @Test
    void slots_between_two_milliseconds_are_dialed_together_on_the_next_one_never_before_their_slots() throws Exception {
        pacer.start();
        Instant first = t0.plusMillis(100).plusNanos(200_000);
        Instant second = t0.plusMillis(100).plusNanos(700_000);
        pacer.add(List.of(call("a", first), call("b", second)));
        clock.advance(Duration.ofMillis(60)); // 40 ms to the slots: taken
        await(() -> starter.groups.size() == 1);

        clock.set(second); // both slots have come, but not the next whole millisecond
        Thread.sleep(50);
        assertThat(starter.dialed).as("waiting for the grid").isEmpty();
        clock.set(t0.plusMillis(101));
        await(() -> starter.dialed.size() == 2);
        assertThat(starter.dialed).containsExactly("a", "b");
        assertThat(starter.dialedAt).containsExactly(t0.plusMillis(101), t0.plusMillis(101));
        assertThat(Pacer.onGrid(first)).isEqualTo(t0.plusMillis(101));
        assertThat(Pacer.onGrid(t0.plusMillis(101))).as("a whole millisecond is its own grid point").isEqualTo(t0.plusMillis(101));
    }

    @Test
    void the_slots_within_a_lead_are_taken_in_one_round_trip_and_each_dialed_in_slot_order_at_its_slot() throws Exception {
        List<ClaimedCall> calls = new ArrayList<>();
        for (int i = 9; i >= 0; i--) calls.add(call("c" + i, t0.plusMillis(300 + 10L * i))); // 300..390 ms, added out of order
        calls.add(call("late", t0.plusMillis(900))); // beyond the lead when the others are taken
        calls.add(call("lost2", t0.plusMillis(350))); // not taken: cancelled meanwhile, say
        pacer.add(calls);
        pacer.start();
        clock.advance(Duration.ofMillis(100)); // the first slot is 200 ms away: half the lead
        await(() -> starter.groups.size() == 1);
        assertThat(starter.groups.get(0)).hasSize(11).doesNotContain("late");
        assertThat(pacer.queued()).isEqualTo(1);

        for (int step = 0; step < 40; step++) {
            clock.advance(Duration.ofMillis(10));
            Thread.sleep(5);
        }
        await(() -> starter.dialed.size() == 10);
        assertThat(starter.dialed).containsExactly("c0", "c1", "c2", "c3", "c4", "c5", "c6", "c7", "c8", "c9");
        for (int i = 0; i < starter.dialed.size(); i++) {
            assertThat(starter.dialedAt.get(i)).as(starter.dialed.get(i)).isAfterOrEqualTo(starter.slots.get(i));
        }
        assertThat(starter.groups).as("the late one waits for its own group").hasSize(1);
    }

    @Test
    void calls_taken_after_their_slots_passed_go_out_a_spacing_apart_not_in_a_burst() throws Exception {
        java.util.concurrent.CountDownLatch slowDatabase = new java.util.concurrent.CountDownLatch(1);
        Recording slow = new Recording() {
            @Override
            public List<ClaimedCall> take(List<ClaimedCall> due) {
                try {
                    slowDatabase.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return super.take(due);
            }
        };
        Pacer late = new Pacer(clock, LEAD, slow);
        try {
            List<ClaimedCall> calls = new ArrayList<>();
            for (int i = 0; i < 5; i++) calls.add(call("c" + i, t0.plusMillis(100L * i), Duration.ofMillis(100))); // 10 calls/s
            late.add(calls);
            late.start();
            clock.advance(Duration.ofMillis(700)); // every slot passes while the take waits for the database
            slowDatabase.countDown();
            await(() -> slow.dialed.size() == 1);
            for (int step = 0; step < 60; step++) {
                Thread.sleep(5);
                clock.advance(Duration.ofMillis(10));
            }
            await(() -> slow.dialed.size() == 5);
            for (int i = 1; i < 5; i++) {
                assertThat(Duration.between(slow.dialedAt.get(i - 1), slow.dialedAt.get(i))).as("c%d after c%d", i, i - 1)
                        .isGreaterThanOrEqualTo(Duration.ofMillis(100));
            }
            assertThat(slow.dialedAt.get(0)).as("the first at once").isEqualTo(t0.plusMillis(700));
        } finally {
            late.abandon();
        }
    }

    @Test
    void a_stopping_pacer_dials_the_calls_it_has_taken_at_their_slots_and_hands_back_the_rest() throws Exception {
        pacer.add(List.of(call("taken", t0.plusMillis(100)), call("waiting", t0.plusSeconds(5))));
        pacer.start();
        await(() -> starter.groups.size() == 1);
        CompletableFuture<List<ClaimedCall>> stopped = CompletableFuture.supplyAsync(pacer::stop);
        Thread.sleep(100);
        assertThat(stopped).as("stop waits for the taken call's slot").isNotDone();
        assertThat(starter.dialed).isEmpty();

        clock.advance(Duration.ofMillis(100));
        List<ClaimedCall> left = stopped.get(10, TimeUnit.SECONDS);
        assertThat(starter.dialed).containsExactly("taken");
        assertThat(left).extracting(ClaimedCall::callId).containsExactly("waiting");
    }

    @Test
    void a_stop_that_outwaits_a_slot_the_clock_never_reaches_dials_nothing_after_it_returns() throws Exception {
        Pacer stopping = new Pacer(clock, LEAD, starter, Duration.ofMillis(200));
        stopping.add(List.of(call("stuck", t0.plusMillis(100))));
        stopping.start();
        await(() -> starter.groups.size() == 1);
        List<ClaimedCall> left = CompletableFuture.supplyAsync(stopping::stop).get(10, TimeUnit.SECONDS); // the clock stands still
        assertThat(left).isEmpty();
        clock.advance(Duration.ofSeconds(1));
        Thread.sleep(100);
        assertThat(starter.dialed).as("no leg nobody tracks").isEmpty();
    }

    @Test
    void an_abandoned_pacer_never_dials_the_calls_it_has_taken() throws Exception {
        pacer.add(List.of(call("taken", t0.plusMillis(100))));
        pacer.start();
        await(() -> starter.groups.size() == 1);
        CompletableFuture<Void> abandoned = CompletableFuture.runAsync(pacer::abandon);
        abandoned.get(10, TimeUnit.SECONDS); // at once: it does not wait for the slot
        clock.advance(Duration.ofSeconds(1));
        Thread.sleep(50);
        assertThat(starter.dialed).isEmpty();
    }

    @Test
    void with_no_lead_a_call_is_taken_only_when_its_slot_has_come() throws Exception {
        Pacer atSlot = new Pacer(clock, Duration.ZERO, starter);
        try {
            atSlot.add(List.of(call("a", t0.plusMillis(100))));
            atSlot.start();
            clock.advance(Duration.ofMillis(99));
            Thread.sleep(50);
            assertThat(starter.groups).isEmpty();
            clock.advance(Duration.ofMillis(1));
            await(() -> starter.dialed.size() == 1);
            assertThat(starter.takenAt.get(0)).isEqualTo(t0.plusMillis(100));
        } finally {
            atSlot.abandon();
        }
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > until) throw new AssertionError("condition not met within 10 s");
            Thread.sleep(5);
        }
    }
}
