package dev.outdial.schedule;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.PriorityBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Dials each claimed call at its dial slot, never before. One thread for all lines: it sleeps until
 * the earliest slot comes within the arm lead, then hands every call whose slot is that near to the
 * starter in one go, so a burst of slots costs one database round trip rather than one per call.
 *
 * <p>Each group runs on its own virtual thread, in two steps: {@link Starter#take} passes the calls
 * through the start fence (the database round trip; up to {@link #MAX_IN_FLIGHT} at once, so the
 * pacer is back at its clock while earlier groups commit), then the thread waits for each call's slot
 * and {@link Starter#dial}s it. Taking calls an arm lead ahead is what puts the dial on the slot
 * instead of one round trip after it: on a loaded database the round trips queue (at 7,000 calls/s on
 * two cores, due→dialed p99 665 ms taking each call at its slot, 116 ms with a 100 ms lead). A call taken is dialed, even when the node stops
 * meanwhile (within the lead); only a crash leaves it undialed, as it would any started call.
 *
 * <p>When all round trips are busy the pacer waits for one, which is the back-pressure: slots then
 * pass late but none is lost, and the late calls of a line go out a spacing apart ({@link #dialMoment}).
 * {@link #startDue()}, the tests' synchronous path, dials at once and skips both the lead and the spacing. Grouping half a lead of slots at a time also makes the groups larger
 * and their transactions fewer.
 */
final class Pacer {
    private static final Logger log = LoggerFactory.getLogger(Pacer.class);
    /** Most calls started in one database round trip; a larger backlog is started in several. */
    static final int MAX_START = 2_000;
    /** Start round trips in flight at once; a few keep commits overlapping without crowding the pool. */
    static final int MAX_IN_FLIGHT = 4;
    /** Longest sleep, so a newly added earlier slot is never missed by more than this. */
    private static final long MAX_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(5);
    /**
     * A dial this close to its spaced moment goes at once: parking for microseconds costs a loaded node
     * milliseconds (the bench's lines, 10 µs apart: due→dialed p99 after warm-up 3.6 → 105 ms). The moments
     * stay reserved a spacing apart, so no one-second window holds more than max_cps + 1 dials of a line (the 1 ms
     * grid of {@link #awaitSlot} keeps that: rounding up keeps the order, so one second's dials have slots within one second).
     */
    private static final Duration SPACING_SLACK = Duration.ofMillis(1);
    /** How long stopping waits for the round trips in flight, and then for the calls taken to be dialed. */
    private static final Duration STOP_WAIT = Duration.ofSeconds(30);

    /** The two steps of starting calls. */
    interface Starter {
        /** Takes the calls for dialing, in one database round trip; returns those taken (the others are not to be dialed). */
        List<ClaimedCall> take(List<ClaimedCall> due);

        /** Dials one call that was taken, at its slot. */
        void dial(ClaimedCall call);
    }

    private final Clock clock;
    private final Duration armLead;
    private final Starter starter;
    private final Duration stopWait;
    private final PriorityBlockingQueue<ClaimedCall> queue =
            new PriorityBlockingQueue<>(1024, Comparator.comparing(ClaimedCall::dialAt));
    private final Semaphore inFlight = new Semaphore(MAX_IN_FLIGHT);
    /** Per line, the earliest moment its next call may be dialed on this node (see {@link #dialMoment}). */
    private final Map<String, Instant> lineNextDial = new ConcurrentHashMap<>();
    /** Threads of groups taken and not yet all dialed. */
    private final Set<Thread> dialers = ConcurrentHashMap.newKeySet();
    private volatile Thread thread;
    private volatile boolean running;
    /** Set by {@link #abandon()}: calls taken and waiting for their slot are left undialed. */
    private volatile boolean abandoned;

    /** @param armLead how long before its slot a call is taken (zero: at its slot) */
    Pacer(Clock clock, Duration armLead, Starter starter) {
        this(clock, armLead, starter, STOP_WAIT);
    }

    /** As above, with how long stopping waits (tests shorten it). */
    Pacer(Clock clock, Duration armLead, Starter starter, Duration stopWait) {
        this.clock = clock;
        this.armLead = armLead;
        this.starter = starter;
        this.stopWait = stopWait;
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

    /**
     * Stops pacing, dials the calls already taken at their slots (within the arm lead), and returns the
     * calls that were waiting to be taken, for release.
     */
    List<ClaimedCall> stop() {
        return halt();
    }

    /**
     * Stops as a crash would: calls taken and waiting for their slot are not dialed (their attempts stay
     * started, to be settled as interrupted when the lease expires), and the calls still queued are
     * dropped without being given back (their leases expire and they are released).
     */
    void abandon() {
        abandoned = true;
        halt();
    }

    private List<ClaimedCall> halt() {
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
        awaitDialers();
        List<ClaimedCall> left = new ArrayList<>();
        queue.drainTo(left);
        return left;
    }

    /** Starts every queued call whose slot has come, before returning; tests call this directly on a controlled clock. */
    int startDue() {
        int total = 0;
        List<ClaimedCall> due;
        while (!(due = takeDue(clock.instant())).isEmpty()) {
            for (ClaimedCall call : starter.take(due)) starter.dial(call);
            total += due.size();
        }
        return total;
    }

    /** The pacer's own round: hands each group of calls near their slots to a virtual thread, at most MAX_IN_FLIGHT taking at once. */
    private void startDueAsync() throws InterruptedException {
        // Nothing until the earliest slot is half a lead away; then every slot within a lead: about half a lead of slots a group.
        ClaimedCall head = queue.peek();
        if (head == null || head.dialAt().isAfter(clock.instant().plus(armLead.dividedBy(2)))) return;
        List<ClaimedCall> due;
        while (!(due = takeDue(clock.instant().plus(armLead))).isEmpty()) {
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
            Thread dialer = Thread.ofVirtual().name("pacer-start").unstarted(() -> {
                try {
                    takeAndDial(group);
                } finally {
                    dialers.remove(Thread.currentThread());
                }
            });
            dialers.add(dialer);
            dialer.start();
        }
    }

    /** One group: through the start fence (holding a round-trip permit), then each call dialed at its slot. */
    private void takeAndDial(List<ClaimedCall> group) {
        List<ClaimedCall> taken;
        try {
            taken = new ArrayList<>(starter.take(group));
        } catch (Throwable t) { // the starter handles its own failures; this is a last resort
            log.error("pacer: taking {} calls for dialing failed", group.size(), t);
            return;
        } finally {
            inFlight.release();
        }
        taken.sort(Comparator.comparing(ClaimedCall::dialAt));
        for (ClaimedCall call : taken) {
            if (!awaitSlot(call.dialAt())) return;
            Instant at = dialMoment(call);
            if (at.isAfter(clock.instant().plus(SPACING_SLACK)) && !awaitSlot(at)) return;
            try {
                starter.dial(call);
            } catch (Throwable t) { // as above: the starter ends a call it could not dial
                log.error("pacer: dialing call {} failed", call.callId(), t);
            }
        }
    }

    /**
     * When {@code call}, whose slot has come, may be dialed: now, or, if this node has dialed (or is about to
     * dial) another call of the line less than the line's spacing ago, that call's moment plus the spacing.
     * Slots are spaced already; this keeps calls taken late (their slots passed while the database was slow)
     * from going out in a burst the carrier would count against the line's calls per second (invariant 4).
     * Only calls whose slots have come reserve a moment, so a group armed ahead never pushes back the calls
     * of an earlier group still waiting for theirs.
     */
    private Instant dialMoment(ClaimedCall call) {
        Instant now = clock.instant();
        Instant[] at = new Instant[1];
        lineNextDial.compute(call.lineId(), (line, next) -> {
            at[0] = next == null || now.isAfter(next) ? now : next;
            return at[0].plus(call.spacing());
        });
        return at[0];
    }

    /**
     * Waits until the clock reaches {@code slot}, rounded up to the next whole millisecond; false if abandoned
     * meanwhile. The rounding puts every waiting group on one grid: groups of several lines wake together, and
     * the calls of a line whose slots fall within the same millisecond go out on one wake-up, at most 1 ms late
     * and never early. Waking for each slot exactly cost a sleep and a wake-up of a carrier thread per dial
     * (at 10,000 dials a second about a tenth of the node's CPU, in futex calls and context switches).
     */
    private boolean awaitSlot(Instant slot) {
        Instant until = onGrid(slot);
        long remaining;
        while (!abandoned && (remaining = Duration.between(clock.instant(), until).toNanos()) > 0) {
            LockSupport.parkNanos(Math.min(remaining, MAX_PARK_NANOS));
        }
        return !abandoned;
    }

    /** {@code t} rounded up to a whole millisecond. */
    static Instant onGrid(Instant t) {
        Instant floor = t.truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        return floor.equals(t) ? t : floor.plusMillis(1);
    }

    /** Waits (up to the stop wait, 30 s) for the round trips in flight, so stop() returns with no start pending. */
    private void awaitInFlight() {
        try {
            if (inFlight.tryAcquire(MAX_IN_FLIGHT, stopWait.toNanos(), TimeUnit.NANOSECONDS)) inFlight.release(MAX_IN_FLIGHT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Waits (up to the stop wait, 30 s) for the calls taken to be dialed (or, when abandoned, let go of). Those whose slots
     * do not come by then (a clock that stands still or steps back), or all of them if the wait is
     * interrupted, are abandoned: nothing is dialed once stop() has returned, since nobody would track it.
     */
    private void awaitDialers() {
        long until = System.nanoTime() + stopWait.toNanos();
        boolean interrupted = false;
        for (Thread d : List.copyOf(dialers)) {
            LockSupport.unpark(d);
            try {
                long left = until - System.nanoTime();
                if (left > 0) d.join(Duration.ofNanos(left));
            } catch (InterruptedException e) {
                interrupted = true;
                break;
            }
        }
        if (!dialers.isEmpty()) {
            if (!abandoned) {
                log.warn("pacer: {} groups of calls taken for dialing did not reach their slots before the node stopped; they are not"
                        + " dialed, and are settled as interrupted once their leases expire", dialers.size());
            }
            abandoned = true;
            for (Thread d : List.copyOf(dialers)) {
                LockSupport.unpark(d);
                try {
                    d.join(1_000); // one in the middle of a dial finishes it
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
    }

    /** Takes up to {@link #MAX_START} queued calls whose slot is at or before {@code upTo}. */
    private List<ClaimedCall> takeDue(Instant upTo) {
        List<ClaimedCall> due = new ArrayList<>();
        ClaimedCall head;
        while (due.size() < MAX_START && (head = queue.peek()) != null && !head.dialAt().isAfter(upTo)) {
            ClaimedCall polled = queue.poll();
            if (polled == null) break;
            if (polled.dialAt().isAfter(upTo)) { // a concurrent add reordered the head; put it back
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
                    // Wake when the head is half a lead from its slot: each group then holds about half a lead of slots.
                    long until = Duration.between(clock.instant(), head.dialAt().minus(armLead.dividedBy(2))).toNanos();
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
