package dev.outdial.schedule;

import static dev.outdial.schedule.CallEventWriter.announceProgress;
import static dev.outdial.schedule.CallEventWriter.at;

import dev.outdial.schedule.CallEventWriter.Ended;
import dev.outdial.schedule.CallEventWriter.Folded;
import dev.outdial.store.Outbox;
import dev.outdial.store.SqlArrays;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The ends of attempts in one batch of call events: each call retried or finished, its attempt stamped, its events. */
final class AttemptEnds {
    private static final Logger log = LoggerFactory.getLogger(AttemptEnds.class);

    private final CallTransitions transitions;
    private final String nodeId;

    AttemptEnds(CallTransitions transitions, String nodeId) {
        this.transitions = transitions;
        this.nodeId = nodeId;
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
    void write(Connection c, List<Folded> list, List<Outbox.Event> events) throws SQLException {
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
}
