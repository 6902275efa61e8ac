package dev.outdial.schedule;

import dev.outdial.campaign.Batches;
import dev.outdial.store.Database;
import dev.outdial.store.Outbox;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The slow, periodic work every node does: renew its own leases, settle calls whose lease expired
 * (their node died), expire calls past their deadline, complete batches whose calls are all
 * finished, and forget idempotency records older than a day. Each step is one short transaction
 * and safe to run on many nodes at once.
 */
final class Housekeeper {
    private static final Logger log = LoggerFactory.getLogger(Housekeeper.class);
    /** Rows one step settles per transaction, so a backlog never makes one huge transaction. */
    private static final int STEP_LIMIT = 500;
    /** How long a response stays replayable for its Idempotency-Key. */
    static final Duration IDEMPOTENCY_TTL = Duration.ofHours(24);

    private final Database db;
    private final Clock clock;
    private final String nodeId;
    private final Duration leaseDuration;
    private final CallTransitions transitions;

    Housekeeper(Database db, Clock clock, String nodeId, Duration leaseDuration, CallTransitions transitions) {
        this.db = db;
        this.clock = clock;
        this.nodeId = nodeId;
        this.leaseDuration = leaseDuration;
        this.transitions = transitions;
    }

    /**
     * Extends the leases of the calls this node still holds in memory ({@code held}: call id →
     * attempt); returns how many. Only those: a call the node lost track of (its end could not be
     * written, say) must be left to expire, or it would stay claimed for as long as the node runs.
     * Rows another transaction has locked are skipped rather than waited for, so renewal can never
     * deadlock with a claim or a start; they are renewed on the next round, well before they expire.
     */
    int renewLeases(Map<String, Integer> held) {
        if (held.isEmpty()) return 0;
        Instant now = clock.instant();
        String[] ids = new String[held.size()];
        Integer[] attempts = new Integer[held.size()];
        int i = 0;
        for (var e : held.entrySet()) {
            if (i == ids.length) break; // the map grew while copying: the newcomers' leases are fresh anyway
            ids[i] = e.getKey();
            attempts[i++] = e.getValue();
        }
        String[] idsCopy = java.util.Arrays.copyOf(ids, i);
        Integer[] attemptsCopy = java.util.Arrays.copyOf(attempts, i);
        return db.tx(c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    update call set lease_expires_at = ?
                    where id in (select c.id from call c join unnest(?::text[], ?::int[]) as u(id, attempt)
                                   on c.id = u.id and c.attempt = u.attempt
                                 where c.lease_owner = ? and c.state in\s""" + LineClaimer.ACTIVE + """
                                 for update of c skip locked)""")) {
                ps.setTimestamp(1, Timestamp.from(now.plus(leaseDuration)));
                ps.setArray(2, c.createArrayOf("text", idsCopy));
                ps.setArray(3, c.createArrayOf("int4", attemptsCopy));
                ps.setString(4, nodeId);
                return ps.executeUpdate();
            }
        });
    }

    /**
     * Settles calls whose lease has expired. A call that was claimed but never handed to the
     * carrier goes back to the queue as it was; one that may have been dialed is {@code interrupted}
     * and the retry policy decides, which never means at once (invariant 2).
     */
    int expireLeases() {
        Instant now = clock.instant();
        int total = 0;
        while (true) {
            int n = db.tx(c -> {
                record Expired(String id, String orgId, String batchId, int attempt, boolean started) {
                }
                List<Expired> rows = new ArrayList<>();
                try (PreparedStatement ps = c.prepareStatement("""
                        select id, org_id, batch_id, attempt, dial_started_at is not null from call
                        where state in ('dialing', 'ringing', 'in_progress') and lease_expires_at < ?
                        order by lease_expires_at limit ? for update skip locked""")) {
                    ps.setTimestamp(1, Timestamp.from(now));
                    ps.setInt(2, STEP_LIMIT);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            rows.add(new Expired(rs.getString(1), rs.getString(2), rs.getString(3), rs.getInt(4), rs.getBoolean(5)));
                        }
                    }
                }
                for (Expired e : rows) {
                    if (!e.started()) {
                        ReleaseSql.release(c, e.id(), e.attempt(), null, now);
                        continue;
                    }
                    CallTransitions.Context ctx = CallTransitions.context(c, e.id()).orElseThrow();
                    CallTransitions.Decision next = transitions.decide(ctx, "interrupted", now);
                    log.warn("call {}: lease of attempt {} expired (its node stopped); {}", e.id(), e.attempt(),
                            next.due().map(d -> "retry due " + d).orElse("no retry left: finished as failed"));
                    CallTransitions.finishAttempt(c, e.id(), e.attempt(), now, "interrupted", "lease_expired", null);
                    CallTransitions.settle(c, e.orgId(), e.id(), e.batchId(), e.attempt(), "interrupted", "lease_expired", next, now);
                }
                return rows.size();
            });
            total += n;
            if (n < STEP_LIMIT) return total;
        }
    }

    /**
     * At start, before this node holds anything: calls still leased to this node id belong to an
     * earlier process with the same id, so their leases are expired now instead of being renewed forever.
     */
    int recoverOwnLeases() {
        Instant now = clock.instant();
        db.tx(c -> {
            try (PreparedStatement ps = c.prepareStatement("update call set lease_expires_at = ? where lease_owner = ? and state in "
                    + LineClaimer.ACTIVE)) {
                ps.setTimestamp(1, Timestamp.from(now.minusMillis(1)));
                ps.setString(2, nodeId);
                return ps.executeUpdate();
            }
        });
        return expireLeases();
    }

    /** Scheduled calls whose deadline has passed end as {@code expired}. */
    int expireDeadlines() {
        Instant now = clock.instant();
        return db.tx(c -> {
            List<Outbox.Event> events = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("""
                    update call set state = 'finished', outcome = 'expired', outcome_reason = 'deadline_passed',
                                    finished_at = ?, updated_at = ?
                    where id in (select id from call where state = 'scheduled' and deadline <= ?
                                 limit ? for update skip locked)
                    returning id, org_id, batch_id""")) {
                Timestamp ts = Timestamp.from(now);
                ps.setTimestamp(1, ts);
                ps.setTimestamp(2, ts);
                ps.setTimestamp(3, ts);
                ps.setInt(4, STEP_LIMIT * 10);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        events.add(new Outbox.Event(rs.getString(2), "call.finished", rs.getString(1), Map.of(
                                "call_id", rs.getString(1), "batch_id", rs.getString(3), "state", "finished",
                                "outcome", "expired", "reason", "deadline_passed")));
                    }
                }
            }
            Outbox.write(c, now, events);
            return events.size();
        });
    }

    /** Batches whose calls have all finished become {@code completed}, announced with their final counters. */
    int completeBatches() {
        Instant now = clock.instant();
        return db.tx(c -> {
            List<String[]> done = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("""
                    update batch b set status = 'completed', finished_at = ?, updated_at = ?
                    where b.status in ('pending', 'in_progress')
                      and not exists (select 1 from call c where c.batch_id = b.id and c.state <> 'finished')
                    returning b.id, b.org_id""")) {
                ps.setTimestamp(1, Timestamp.from(now));
                ps.setTimestamp(2, Timestamp.from(now));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) done.add(new String[] {rs.getString(1), rs.getString(2)});
                }
            }
            List<Outbox.Event> events = new ArrayList<>();
            for (String[] b : done) {
                Map<String, Object> payload = new LinkedHashMap<>();
                payload.put("batch_id", b[0]);
                payload.put("status", "completed");
                payload.put("counts", Batches.counts(c, b[0]));
                events.add(new Outbox.Event(b[1], "batch.completed", b[0], payload));
            }
            Outbox.write(c, now, events);
            return done.size();
        });
    }

    int purgeIdempotency() {
        Instant cutoff = clock.instant().minus(IDEMPOTENCY_TTL);
        return db.tx(c -> {
            try (PreparedStatement ps = c.prepareStatement("delete from idempotency where created_at < ?")) {
                ps.setTimestamp(1, Timestamp.from(cutoff));
                return ps.executeUpdate();
            }
        });
    }
}
