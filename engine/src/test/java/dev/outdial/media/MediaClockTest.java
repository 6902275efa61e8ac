package dev.outdial.media;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The clock's bookkeeping (not its timing): each session once per frame, send before receive, frames in order. */
class MediaClockTest {

    /** Records the frames it was called for. */
    static final class Probe implements MediaClock.Ticking {
        final List<String> calls = new ArrayList<>();
        final CountDownLatch enough = new CountDownLatch(20);

        @Override
        public synchronized void send(long frame) {
            calls.add("send " + frame);
        }

        @Override
        public synchronized void receive(long frame) {
            calls.add("receive " + frame);
            enough.countDown();
        }

        synchronized List<String> snapshot() {
            return List.copyOf(calls);
        }
    }

    @Test
    void everySessionIsServedOncePerFrameInOrderSendingBeforeReading() throws Exception {
        try (MediaClock clock = new MediaClock(2)) {
            List<Probe> probes = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                Probe p = new Probe();
                probes.add(p);
                clock.add(p);
            }
            assertThat(clock.sessions()).isEqualTo(10);
            for (Probe p : probes) assertThat(p.enough.await(5, TimeUnit.SECONDS)).isTrue();
            clock.remove(probes.get(0));
            assertThat(clock.sessions()).isEqualTo(9);
            for (Probe p : probes) {
                List<String> calls = p.snapshot();
                long skipped = clock.skippedTicks();
                long previous = -1;
                for (int i = 0; i + 1 < calls.size(); i += 2) {
                    long frame = Long.parseLong(calls.get(i).substring(5));
                    assertThat(calls.get(i)).isEqualTo("send " + frame);
                    assertThat(calls.get(i + 1)).isEqualTo("receive " + frame);
                    if (previous >= 0 && skipped == 0) assertThat(frame).as("the next frame, none twice, none missed").isEqualTo(previous + 1);
                    assertThat(frame).isGreaterThan(previous);
                    previous = frame;
                }
            }
        }
    }

    @Test
    void sessionsAreSpreadOverLanesAndPhases() {
        try (MediaClock clock = new MediaClock(2)) {
            // Eight places (2 lanes × 4 phases): sixteen sessions fill each twice, so the busiest place holds two.
            List<Probe> probes = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                Probe p = new Probe();
                probes.add(p);
                clock.add(p);
            }
            assertThat(clock.placesInUse()).containsOnly(2);
        }
    }
}
