package dev.outdial.schedule;

import dev.outdial.store.Database;
import dev.outdial.store.Outbox;
import dev.outdial.store.SqlArrays;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes what happens on live calls (ringing, answered, ended) in batches: one transaction, a few
 * set-based statements and one commit for up to {@link #MAX_BATCH} events, instead of a commit per
 * event. With a durable database every commit waits for the disk, so this is what lets one node
 * keep thousands of calls moving per second.
 *
 * <p>{@link #LANES} writer threads each drain their own queue, and a call's events always go to the
 * same one, so they are written in the order they were raised; within a batch, an attempt's events
 * are folded (see {@link Folded}). Two lanes never touch the same rows, so they cannot deadlock. Every write is
 * fenced by the attempt number and this node's lease, exactly as a single write would be: an event
 * for an attempt this node no longer holds changes nothing (a benign race, logged at debug).
 * If a batch fails, its events are written one by one so that one bad event cannot hold up the rest.
 */
final class CallEventWriter implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CallEventWriter.class);
    /** Most events in one transaction: large enough to amortize the commit, small enough to keep it short. */
    static final int MAX_BATCH = 1_000;
    /**
     * The shortest time from one batch of a lane to its next, unless the batch is full: outcomes are written (and
     * a full line's place freed) up to this much later, in batches several times larger under moderate load.
     */
    static final Duration LINGER = Duration.ofMillis(20);

    /** Something that happened on a claimed call, with the instant it happened. */
    sealed interface Event permits Ringing, Answered, Ended {
        ClaimedCall call();

        Instant at();
    }

    record Ringing(ClaimedCall call, Instant at) implements Event {
    }

    record Answered(ClaimedCall call, boolean machine, Instant at) implements Event {
    }

    /**
     * The end of an attempt; {@code after} runs once it is written (or could not be).
     *
     * @param answeredBy human, machine or unknown by answering-machine detection; null when not answered or not detected
     * @param recording  the attempt's recording file, or null
     */
    record Ended(ClaimedCall call, String outcome, Integer sipCode, String reason, String answeredBy, String recording,
                 Instant at, Runnable after) implements Event {
    }

    private final Database db;
    private final Clock clock;
    private final String nodeId;
    private final AttemptEnds ends;
    /**
     * Writer threads, each with its own queue and connection. One thread spends much of its time
     * waiting for PostgreSQL and the disk, and ends fell behind starts: 1,000,000 simulated calls
     * with zero talk time on one thread left up to 335,000 calls live, the lines hit their limit and
     * dispatch ran at 8,183 calls/s; on two, live calls stayed under 7,000 and it ran at 9,796.
     */
    static final int LANES = 2;

    private final List<LinkedBlockingQueue<Event>> queues = new ArrayList<>(LANES);
    private final List<Thread> threads = new ArrayList<>(LANES);
    private volatile boolean running = true;
    private volatile boolean abandoned;

    CallEventWriter(Database db, Clock clock, String nodeId, CallTransitions transitions) {
        this.db = db;
        this.clock = clock;
        this.nodeId = nodeId;
        this.ends = new AttemptEnds(transitions, nodeId);
        for (int i = 0; i < LANES; i++) {
            LinkedBlockingQueue<Event> queue = new LinkedBlockingQueue<>();
            queues.add(queue);
            threads.add(Thread.ofPlatform().daemon().name("call-events-" + i).start(() -> loop(queue)));
        }
    }

    /** Queues an event; the time it happened is taken now. */
    void ringing(ClaimedCall call) {
        add(new Ringing(call, clock.instant()));
    }

    void answered(ClaimedCall call, boolean machine) {
        add(new Answered(call, machine, clock.instant()));
    }

    void ended(ClaimedCall call, String outcome, Integer sipCode, String reason, String answeredBy, String recording, Runnable after) {
        add(new Ended(call, outcome, sipCode, reason, answeredBy, recording, clock.instant(), after));
    }

    private void add(Event e) {
        if (!abandoned) queues.get(Math.floorMod(e.call().callId().hashCode(), LANES)).add(e);
    }

    int pending() {
        int n = 0;
        for (LinkedBlockingQueue<Event> queue : queues) n += queue.size();
        return n;
    }

    private void loop(LinkedBlockingQueue<Event> queue) {
        List<Event> batch = new ArrayList<>(MAX_BATCH);
        long lastWrite = System.nanoTime();
        while ((running || !queue.isEmpty()) && !abandoned) {
            try {
                Event first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) continue;
                batch.add(first);
                queue.drainTo(batch, MAX_BATCH - 1);
                gather(queue, batch, lastWrite + LINGER.toNanos());
                if (abandoned) break; // a crash writes nothing more
                lastWrite = System.nanoTime();
                writeSafely(batch);
            } catch (InterruptedException e) {
                if (!running) break;
            } catch (Throwable t) { // the writer must never die
                log.error("call events: unexpected error; continuing", t);
            } finally {
                batch.clear();
            }
        }
    }

    /**
     * Waits for more events, until {@code until} (the lane's previous write began + {@link #LINGER}), before a batch
     * that is not full is written: a lane writes at most one batch per LINGER, and a lane whose writes take longer
     * than that (high load) never waits. A batch costs the same few statements, triggers and commit whatever its
     * size: at 6,000 calls/s each lane wrote a batch of ~11 calls every few milliseconds, and the outcome writers'
     * connections took 42 % of the machine (perf). A full batch and a stopping node do not wait. An interrupt
     * ends the wait, never the batch: the events gathered are written (or, if the node was abandoned, dropped).
     */
    private void gather(LinkedBlockingQueue<Event> queue, List<Event> batch, long until) {
        long left = until - System.nanoTime();
        if (batch.size() >= MAX_BATCH || !running || left <= 0) return;
        try {
            // One sleep, then one drain: waiting on the queue instead woke the lane at every event, and at 10,000
            // calls/s that version fell behind in three runs of three (p99 9–13 s).
            TimeUnit.NANOSECONDS.sleep(left);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // the loop's next wait sees it
        }
        queue.drainTo(batch, MAX_BATCH - batch.size());
    }

    private void writeSafely(List<Event> batch) {
        try {
            db.txByKeys(c -> {
                write(c, batch);
                return null;
            });
        } catch (RuntimeException e) {
            if (batch.size() == 1) {
                // The lease will expire and the housekeeper will settle the call as interrupted: nothing is lost.
                log.error("call {}: recording {} of attempt {} failed; the lease will expire and the retry policy decide",
                        batch.get(0).call().callId(), batch.get(0).getClass().getSimpleName(), batch.get(0).call().attempt(), e);
            } else {
                log.warn("call events: a batch of {} failed ({}); writing them one by one", batch.size(), e.toString());
                for (Event ev : batch) writeSafely(List.of(ev));
                return;
            }
        }
        for (Event ev : batch) {
            if (ev instanceof Ended end && end.after() != null) end.after().run();
        }
    }

    /**
     * One attempt's events in a batch, folded: when its end is already here (a call that rang and was
     * answered within one batch, as under load or with short calls), the call row moves once, straight
     * to its end, and the attempt row is stamped once; every event is still announced, in order.
     */
    record Folded(ClaimedCall call, Ringing ringing, Answered answered, Ended ended) {
        Folded with(Event e) {
            return switch (e) {
                case Ringing r -> new Folded(call, r, answered, ended);
                case Answered a -> new Folded(call, ringing, a, ended);
                case Ended d -> new Folded(call, ringing, answered, ended == null ? d : ended);
            };
        }

        /** The event that decides the attempt's state: its end, else its answer, else its ringing. */
        Event last() {
            return ended != null ? ended : answered != null ? answered : ringing;
        }
    }

    /** Writes one batch of events in the caller's transaction (package-private for tests of the folding). */
    void write(Connection c, List<Event> batch) throws SQLException {
        Map<String, Folded> byAttempt = new LinkedHashMap<>();
        for (Event e : batch) {
            String key = e.call().callId() + '#' + e.call().attempt();
            Folded was = byAttempt.get(key);
            byAttempt.put(key, (was == null ? new Folded(e.call(), null, null, null) : was).with(e));
        }
        List<Folded> ringing = new ArrayList<>();
        List<Folded> answered = new ArrayList<>();
        List<Folded> ended = new ArrayList<>();
        for (Folded f : byAttempt.values()) {
            switch (f.last()) {
                case Ringing r -> ringing.add(f);
                case Answered a -> answered.add(f);
                case Ended d -> ended.add(f);
            }
        }
        List<Outbox.Event> events = new ArrayList<>(batch.size());
        progress(c, ringing, "ringing", "('dialing')", events);
        progress(c, answered, "in_progress", "('dialing', 'ringing')", events);
        ends.write(c, ended, events);
        Outbox.write(c, clock.instant(), events);
    }

    /** The announcements of a call's ringing and answer, those that {@code f} carries. */
    static void announceProgress(Folded f, List<Outbox.Event> events) {
        if (f.ringing() != null) events.add(progressEvent(f.call(), "call.ringing", "ringing"));
        if (f.answered() != null) {
            events.add(progressEvent(f.call(), f.answered().machine() ? "call.answered_by_machine" : "call.answered", "in_progress"));
        }
    }

    private static Outbox.Event progressEvent(ClaimedCall call, String type, String state) {
        return new Outbox.Event(call.orgId(), type, call.callId(), Map.of(
                "call_id", call.callId(), "batch_id", call.batchId(), "attempt", call.attempt(), "state", state));
    }

    static Timestamp at(Event e) {
        return e == null ? null : Timestamp.from(e.at());
    }

    /**
     * Moves calls to {@code state} (only from {@code fromStates}, only while ours) and stamps their
     * attempts with the ringing and answer they carry.
     */
    private void progress(Connection c, List<Folded> list, String state, String fromStates, List<Outbox.Event> events)
            throws SQLException {
        if (list.isEmpty()) return;
        String[] ids = new String[list.size()];
        Integer[] attempts = new Integer[list.size()];
        Timestamp[] ats = new Timestamp[list.size()];
        Timestamp[] rang = new Timestamp[list.size()];
        Timestamp[] answers = new Timestamp[list.size()];
        Map<String, Folded> byId = new HashMap<>();
        for (int i = 0; i < ids.length; i++) {
            Folded f = list.get(i);
            ids[i] = f.call().callId();
            attempts[i] = f.call().attempt();
            ats[i] = Timestamp.from(f.last().at());
            rang[i] = at(f.ringing());
            answers[i] = at(f.answered());
            byId.put(ids[i], f);
        }
        try (PreparedStatement ps = c.prepareStatement("""
                with moved as (
                    update call c set state = ?, updated_at = u.at
                    from unnest(?::text[], ?::int[], ?::timestamptz[], ?::timestamptz[], ?::timestamptz[])
                         as u(id, attempt, at, rang, answered)
                    where c.id = u.id and c.attempt = u.attempt and c.lease_owner = ? and c.state in\s""" + fromStates + """
                    returning c.id, c.attempt, u.rang, u.answered),
                stamped as (
                    update call_attempt a set ringing_at = coalesce(m.rang, a.ringing_at), answered_at = coalesce(m.answered, a.answered_at)
                    from moved m where a.call_id = m.id and a.attempt = m.attempt)
                select id from moved""")) {
            ps.setString(1, state);
            ps.setArray(2, SqlArrays.text(c, ids));
            ps.setArray(3, SqlArrays.int4(c, attempts));
            ps.setArray(4, SqlArrays.timestamptz(c, ats));
            ps.setArray(5, SqlArrays.timestamptz(c, rang));
            ps.setArray(6, SqlArrays.timestamptz(c, answers));
            ps.setString(7, nodeId);
            int moved = 0;
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    moved++;
                    announceProgress(byId.get(rs.getString(1)), events);
                }
            }
            if (moved < list.size()) log.debug("call events: {} of {} '{}' events were for attempts no longer ours", list.size() - moved,
                    list.size(), state);
        }
    }

    /** Stops after writing what is queued (the loop drains the queue before it ends). */
    @Override
    public void close() {
        running = false;
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60); // a large backlog of ends takes a while
        for (Thread thread : threads) {
            try {
                thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(until - System.nanoTime()))); // written before the pool closes
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Stops at once, dropping what is queued: what a crash leaves behind. */
    void abandon() {
        abandoned = true;
        queues.forEach(LinkedBlockingQueue::clear);
        running = false;
        threads.forEach(Thread::interrupt);
    }
}
