package dev.outdial.schedule;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.PriorityBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts each claimed call at its dial slot, never before. One thread for all lines: it sleeps
 * until the earliest slot, then hands every call whose slot has come to the starter in one go,
 * so a burst of slots costs one database round trip rather than one per call.
 */
final class Pacer {
    private static final Logger log = LoggerFactory.getLogger(Pacer.class);
    /** Most calls started in one database round trip; a larger backlog is started in several. */
    static final int MAX_START = 2_000;
    /** Longest sleep, so a newly added earlier slot is never missed by more than this. */
    private static final long MAX_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

    private final Clock clock;
    private final Consumer<List<ClaimedCall>> starter;
    private final PriorityBlockingQueue<ClaimedCall> queue =
            new PriorityBlockingQueue<>(1024, Comparator.comparing(ClaimedCall::dialAt));
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
            LockSupport.unpark(t);
            try {
                t.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        List<ClaimedCall> left = new ArrayList<>();
        queue.drainTo(left);
        return left;
    }

    /** Starts every queued call whose slot has come; tests call this directly on a controlled clock. */
    int startDue() {
        int total = 0;
        int n;
        do {
            n = startSome();
            total += n;
        } while (n == MAX_START);
        return total;
    }

    /** Starts up to {@link #MAX_START} queued calls whose slot has come. */
    private int startSome() {
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
        if (!due.isEmpty()) starter.accept(due);
        return due.size();
    }

    private void loop() {
        while (running) {
            try {
                startDue();
                ClaimedCall head = queue.peek();
                long park = MAX_PARK_NANOS;
                if (head != null) {
                    long until = Duration.between(clock.instant(), head.dialAt()).toNanos();
                    park = Math.max(0, Math.min(until, MAX_PARK_NANOS));
                } else {
                    park = TimeUnit.MILLISECONDS.toNanos(100);
                }
                if (park > 0) LockSupport.parkNanos(park);
            } catch (Throwable t) { // a pacing loop must never die
                log.error("pacer: unexpected error; continuing", t);
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
            }
        }
    }
}
