package dev.outdial.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** A claim round runs the lines' claims at once, returns their results in line order, and never cuts one off. */
class ClaimRoundTest {
    private static LineClaimer.Result result(int calls) {
        return new LineClaimer.Result(java.util.Collections.nCopies(calls, null), false, false);
    }

    @Test
    void the_claims_run_at_once_and_their_results_come_back_in_line_order() {
        CountDownLatch bothRunning = new CountDownLatch(2);
        List<LineClaimer.Result> results = ClaimRound.run(List.of("a", "bb"), line -> {
            bothRunning.countDown();
            try {
                // One after the other, the first claim would wait here in vain.
                assertThat(bothRunning.await(10, TimeUnit.SECONDS)).as("both claims running at once").isTrue();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            return result(line.length());
        });
        assertThat(results).extracting(r -> r.calls().size()).containsExactly(1, 2);
    }

    @Test
    void an_interrupt_waits_for_the_claims_and_is_kept_for_the_caller() throws Exception {
        CountDownLatch claiming = new CountDownLatch(2);
        CountDownLatch release = new CountDownLatch(1);
        AtomicReference<List<LineClaimer.Result>> results = new AtomicReference<>();
        AtomicReference<Boolean> interruptedAfter = new AtomicReference<>();
        Thread loop = Thread.ofPlatform().start(() -> {
            results.set(ClaimRound.run(List.of("a", "b"), line -> {
                claiming.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    throw new IllegalStateException("a claim was interrupted", e);
                }
                return result(1);
            }));
            interruptedAfter.set(Thread.currentThread().isInterrupted());
        });
        assertThat(claiming.await(10, TimeUnit.SECONDS)).isTrue();
        loop.interrupt(); // a stopping node
        release.countDown();
        loop.join(10_000);
        assertThat(results.get()).as("both claims ended normally").hasSize(2);
        assertThat(interruptedAfter.get()).isTrue();
    }

    @Test
    void a_failed_claim_is_rethrown_after_the_others_have_ended() {
        CountDownLatch other = new CountDownLatch(1);
        assertThatThrownBy(() -> ClaimRound.run(List.of("bad", "good"), line -> {
            if (line.equals("bad")) throw new IllegalStateException("line bad: connection lost");
            other.countDown();
            return result(1);
        })).hasMessageContaining("line bad");
        assertThat(other.getCount()).as("the other claim ran to its end").isZero();
    }
}
