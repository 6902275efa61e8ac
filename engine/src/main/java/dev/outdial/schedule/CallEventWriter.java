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
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
    private final CallTransitions transitions;
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
        this.transitions = transitions;
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
        while ((running || !queue.isEmpty()) && !abandoned) {
            try {
                Event first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) continue;
                batch.add(first);
                queue.drainTo(batch, MAX_BATCH - 1);
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
    private record Folded(ClaimedCall call, Ringing ringing, Answered answered, Ended ended) {
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
        end(c, ended, events);
        Outbox.write(c, clock.instant(), events);
    }

    /** The announcements of a call's ringing and answer, those that {@code f} carries. */
    private static void announceProgress(Folded f, List<Outbox.Event> events) {
        if (f.ringing() != null) events.add(progressEvent(f.call(), "call.ringing", "ringing"));
        if (f.answered() != null) {
            events.add(progressEvent(f.call(), f.answered().machine() ? "call.answered_by_machine" : "call.answered", "in_progress"));
        }
    }

    private static Outbox.Event progressEvent(ClaimedCall call, String type, String state) {
        return new Outbox.Event(call.orgId(), type, call.callId(), Map.of(
                "call_id", call.callId(), "batch_id", call.batchId(), "attempt", call.attempt(), "state", state));
    }

    private static Timestamp at(Event e) {
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

    /**
     * Ends attempts and lets the retry policy decide each call's next step, in a few set-based statements.
     * The decision comes from what the claim read ({@link ClaimedCall#retry}), so the call is not read
     * again: reading it under a row lock was 6 % of PostgreSQL's time at 10,000 calls/s, and the lock
     * one more WAL record per call. The call's update is the fence instead: it moves only calls still
     * live on this attempt under this node's lease, and only their attempts are stamped. Which of the
     * batches are cancelled is read first (one small query): their calls are not retried. The rows are
     * updated by key in id order, the order a cancel locks them in.
     */
    private void end(Connection c, List<Folded> list, List<Outbox.Event> events) throws SQLException {
        if (list.isEmpty()) return;
        List<Folded> sorted = new ArrayList<>(list);
        sorted.sort(java.util.Comparator.comparing(f -> f.call().callId()));
        Set<String> cancelled = cancelledBatches(c, sorted);
        List<Object[]> rows = new ArrayList<>(sorted.size());
        Map<String, Folded> byId = new HashMap<>();
        Map<String, CallTransitions.Decision> decisions = new HashMap<>();
        for (Folded f : sorted) {
            Ended e = f.ended();
            ClaimedCall call = e.call();
            CallTransitions.Decision next = cancelled.contains(call.batchId()) ? CallTransitions.Decision.FINISHED
                    : transitions.decide(call.retry(), e.outcome(), e.at());
            decisions.put(call.callId(), next);
            byId.put(call.callId(), f);
            Timestamp at = Timestamp.from(e.at());
            if (next.due().isPresent()) {
                rows.add(new Object[] {call.callId(), call.attempt(), at, Timestamp.from(next.due().get()), next.waitReason(),
                        next.priorityBoost(), null, null, null});
            } else {
                String reason = next.waitReason() != null ? "no_window_before_deadline" : e.reason();
                rows.add(new Object[] {call.callId(), call.attempt(), at, null, null, 0, e.outcome(), reason, next.waitReason()});
            }
        }
        // u.due: the retry's due time, null to finish. Live is tested by state, not phase: "phase = 1" matches the
        // index of live calls by owner, and with few live calls in the statistics the planner read all of this
        // node's live calls through it and hashed them to end a few (EXPLAIN); by state, each call is found by
        // its key, in the array's order (id order).
        Map<String, Boolean> retried = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement("""
                update call c set
                    state = case when u.due is not null then 'scheduled' else 'finished' end,
                    due_at = coalesce(u.due, c.due_at),
                    wait_reason = case when u.due is not null then u.wait else coalesce(u.finish_wait, c.wait_reason) end,
                    priority = c.priority + u.boost,
                    outcome = case when u.due is not null then c.outcome else u.outcome end,
                    outcome_reason = case when u.due is not null then c.outcome_reason else u.reason end,
                    finished_at = case when u.due is not null then c.finished_at else u.at end,
                    lease_owner = null, lease_expires_at = null, updated_at = u.at
                from unnest(?::text[], ?::int[], ?::timestamptz[], ?::timestamptz[], ?::text[], ?::int[], ?::text[], ?::text[], ?::text[])
                         as u(id, attempt, at, due, wait, boost, outcome, reason, finish_wait)
                where c.id = u.id and c.attempt = u.attempt and c.lease_owner = ?
                  and c.state in ('dialing', 'ringing', 'in_progress')
                returning c.id, u.due is not null""")) {
            bindColumns(c, ps, rows, "text", "int4", "timestamptz", "timestamptz", "text", "int4", "text", "text", "text");
            ps.setString(10, nodeId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) retried.put(rs.getString(1), rs.getBoolean(2));
            }
        }
        if (retried.size() < sorted.size()) {
            log.debug("call events: {} of {} ends were for attempts no longer ours; not recorded", sorted.size() - retried.size(),
                    sorted.size());
        }
        if (retried.isEmpty()) return;
        List<Object[]> attemptRows = new ArrayList<>(retried.size());
        for (Folded f : sorted) {
            if (!retried.containsKey(f.call().callId())) continue;
            Ended e = f.ended();
            attemptRows.add(new Object[] {e.call().callId(), e.call().attempt(), Timestamp.from(e.at()), e.outcome(), e.reason(),
                    e.sipCode(), e.answeredBy(), e.recording(), at(f.ringing()), at(f.answered())});
        }
        try (PreparedStatement ps = c.prepareStatement("""
                update call_attempt a set ended_at = u.at, outcome = u.outcome, reason = u.reason, sip_code = u.sip,
                                          answered_by = u.by, recording = u.rec,
                                          ringing_at = coalesce(u.rang, a.ringing_at), answered_at = coalesce(u.answered, a.answered_at)
                from unnest(?::text[], ?::int[], ?::timestamptz[], ?::text[], ?::text[], ?::int[], ?::text[], ?::text[],
                            ?::timestamptz[], ?::timestamptz[])
                     as u(id, attempt, at, outcome, reason, sip, by, rec, rang, answered)
                where a.call_id = u.id and a.attempt = u.attempt""")) {
            bindColumns(c, ps, attemptRows, "text", "int4", "timestamptz", "text", "text", "int4", "text", "text",
                    "timestamptz", "timestamptz");
            ps.executeUpdate();
        }
        for (Map.Entry<String, Boolean> moved : retried.entrySet()) {
            Folded f = byId.get(moved.getKey());
            Ended e = f.ended();
            ClaimedCall call = e.call();
            CallTransitions.Decision next = decisions.get(call.callId());
            announceProgress(f, events);
            Map<String, Object> payload = new LinkedHashMap<>();
            payload.put("call_id", call.callId());
            payload.put("batch_id", call.batchId());
            payload.put("attempt", call.attempt());
            payload.put("attempt_outcome", e.outcome());
            if (moved.getValue()) {
                payload.put("state", "scheduled");
                payload.put("due_at", next.due().orElseThrow().toString());
                events.add(new Outbox.Event(call.orgId(), "call.retry_scheduled", call.callId(), payload));
            } else {
                String reason = next.waitReason() != null ? "no_window_before_deadline" : e.reason();
                payload.put("state", "finished");
                payload.put("outcome", e.outcome());
                if (reason != null) payload.put("reason", reason);
                events.add(new Outbox.Event(call.orgId(), "call.finished", call.callId(), payload));
            }
        }
    }

    /**
     * The batches of these calls that are cancelled: their calls finish rather than retry (calls already dialed
     * when a batch is cancelled finish normally). Read as the end is written, not at the claim.
     */
    private static Set<String> cancelledBatches(Connection c, List<Folded> calls) throws SQLException {
        Set<String> ids = new HashSet<>();
        for (Folded f : calls) ids.add(f.call().batchId());
        Set<String> cancelled = new HashSet<>();
        try (PreparedStatement ps = c.prepareStatement("select id from batch where id = any(?) and status = 'cancelled'")) {
            ps.setArray(1, SqlArrays.text(c, ids));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) cancelled.add(rs.getString(1));
            }
        }
        return cancelled;
    }

    /** Binds row-wise values as one array per column, for {@code unnest}. */
    private static void bindColumns(Connection c, PreparedStatement ps, List<Object[]> rows, String... types) throws SQLException {
        for (int col = 0; col < types.length; col++) {
            Object[] column = new Object[rows.size()];
            for (int r = 0; r < rows.size(); r++) column[r] = rows.get(r)[col];
            ps.setArray(col + 1, SqlArrays.of(c, types[col], column));
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
