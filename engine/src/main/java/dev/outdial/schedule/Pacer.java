package dev.outdial.schedule;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.PriorityBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts each claimed call at its dial slot, never before. One thread for all lines: it sleeps
 * until the earliest slot, then hands every call whose slot has come to the starter in one go,
 * so a burst of slots costs one database round trip rather than one per call.
 *
 * <p>The starter's round trip (marking the calls started, then dialing) runs on its own virtual
 * thread, up to {@link #MAX_IN_FLIGHT} at once, so the pacer is back at its clock while earlier
 * starts commit: a slot is late by one round trip at most, not by the queue of them. When all are
 * busy the pacer waits for one, which is the back-pressure: slots then pass late but none is lost.
 */
final class Pacer {
    private static final Logger log = LoggerFactory.getLogger(Pacer.class);
    /** Most calls started in one database round trip; a larger backlog is started in several. */
    static final int MAX_START = 2_000;
    /** Start round trips in flight at once; a few keep commits overlapping without crowding the pool. */
    static final int MAX_IN_FLIGHT = 4;
    /** Longest sleep, so a newly added earlier slot is never missed by more than this. */
    private static final long MAX_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

    private final Clock clock;
    private final Consumer<List<ClaimedCall>> starter;
    private final PriorityBlockingQueue<ClaimedCall> queue =
            new PriorityBlockingQueue<>(1024, Comparator.comparing(ClaimedCall::dialAt));
    private final Semaphore inFlight = new Semaphore(MAX_IN_FLIGHT);
    private volatile Thread thread;
    private volatile boolean running;

    Pacer(Clock clock, Consumer<List<ClaimedCall>> starter) {
        this.clock = clock;
        this.starter = starter;
    }

    void add(List<ClaimedCall> calls) {
        queue.addAll(calls);
        Thread t = thread;
        if (t != null) LockSupport.unpark(t);
    }

    int queued() {
        return queue.size();
    }

    void start() {
        running = true;
        thread = Thread.ofPlatform().daemon().name("pacer").start(this::loop);
    }

    /** Stops pacing and returns the calls that were waiting for their slot, for release. */
    List<ClaimedCall> stop() {
        running = false;
        Thread t = thread;
        if (t != null) {
            t.interrupt(); // out of a wait for a free start slot
            LockSupport.unpark(t);
            try {
                t.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        awaitInFlight();
        List<ClaimedCall> left = new ArrayList<>();
        queue.drainTo(left);
        return left;
    }

    /** Starts every queued call whose slot has come, before returning; tests call this directly on a controlled clock. */
    int startDue() {
        int total = 0;
        List<ClaimedCall> due;
        while (!(due = takeDue()).isEmpty()) {
            starter.accept(due);
            total += due.size();
        }
        return total;
    }

    /** The pacer's own round: hands each group of due calls to a virtual thread, at most MAX_IN_FLIGHT at once. */
    private void startDueAsync() throws InterruptedException {
        List<ClaimedCall> due;
        while (!(due = takeDue()).isEmpty()) {
            try {
                inFlight.acquire();
            } catch (InterruptedException e) {
                queue.addAll(due); // stopping: back to the queue, which stop() hands over for release
                throw e;
            }
            if (!running) {
                inFlight.release();
                queue.addAll(due);
                return;
            }
            List<ClaimedCall> group = due;
            Thread.ofVirtual().name("pacer-start").start(() -> {
                try {
                    starter.accept(group);
                } catch (Throwable t) { // the starter handles its own failures; this is a last resort
                    log.error("pacer: starting {} calls failed", group.size(), t);
                } finally {
                    inFlight.release();
                }
            });
        }
    }

    /** Waits (up to 30 s) for the start round trips in flight, so stop() returns with no dial pending. */
    private void awaitInFlight() {
        try {
            if (inFlight.tryAcquire(MAX_IN_FLIGHT, 30, TimeUnit.SECONDS)) inFlight.release(MAX_IN_FLIGHT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Takes up to {@link #MAX_START} queued calls whose slot has come. */
    private List<ClaimedCall> takeDue() {
        Instant now = clock.instant();
        List<ClaimedCall> due = new ArrayList<>();
        ClaimedCall head;
        while (due.size() < MAX_START && (head = queue.peek()) != null && !head.dialAt().isAfter(now)) {
            ClaimedCall polled = queue.poll();
            if (polled == null) break;
            if (polled.dialAt().isAfter(now)) { // a concurrent add reordered the head; put it back
                queue.add(polled);
                break;
            }
            due.add(polled);
        }
        return due;
    }

    private void loop() {
        while (running) {
            try {
                startDueAsync();
                ClaimedCall head = queue.peek();
                long park = MAX_PARK_NANOS;
                if (head != null) {
                    long until = Duration.between(clock.instant(), head.dialAt()).toNanos();
                    park = Math.max(0, Math.min(until, MAX_PARK_NANOS));
                } else {
                    park = TimeUnit.MILLISECONDS.toNanos(100);
                }
                if (park > 0) LockSupport.parkNanos(park);
            } catch (InterruptedException e) {
                if (!running) return;
            } catch (Throwable t) { // a pacing loop must never die
                log.error("pacer: unexpected error; continuing", t);
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
            }
        }
    }
}
