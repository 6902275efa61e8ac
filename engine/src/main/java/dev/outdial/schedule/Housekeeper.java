package dev.outdial.schedule;

import dev.outdial.campaign.Batches;
import dev.outdial.store.Database;
import dev.outdial.store.Outbox;
import dev.outdial.store.SqlArrays;
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
 * finished, fold idle lines' live-call deltas, and forget idempotency records older than a day. Each step is one short transaction
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

    /** Registers this node, or refreshes its heartbeat: while it is fresh, every call it claimed is held. */
    void heartbeat() {
        Instant now = clock.instant();
        db.tx(c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    insert into node (id, started_at, heartbeat_at) values (?, ?, ?)
                    on conflict (id) do update set heartbeat_at = excluded.heartbeat_at""")) {
                ps.setString(1, nodeId);
                ps.setTimestamp(2, Timestamp.from(now));
                ps.setTimestamp(3, Timestamp.from(now));
                return ps.executeUpdate();
            }
        });
    }

    /**
     * Settles the calls the database says this node holds but the node does not ({@code held}: call
     * id → attempt), as when writing a call's end failed: left alone they would stay claimed for as
     * long as the node beats. Only calls untouched for a lease period count, so a claim that has just
     * committed and is about to be recorded in {@code held} is never taken for an orphan.
     */
    int settleOrphans(Map<String, Integer> held) {
        Instant now = clock.instant();
        List<String> orphans = db.read(c -> {
            List<String> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("select id, attempt from call where lease_owner = ? and "
                    + LineClaimer.LIVE + " and updated_at < ?")) {
                ps.setString(1, nodeId);
                ps.setTimestamp(2, Timestamp.from(now.minus(leaseDuration)));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        Integer attempt = held.get(rs.getString(1));
                        if (attempt == null || attempt != rs.getInt(2)) out.add(rs.getString(1));
                    }
                }
            }
            return out;
        });
        if (!orphans.isEmpty()) log.warn("housekeeper: {} calls of this node were no longer tracked by it; settling them", orphans.size());
        return settle(orphans.isEmpty() ? null : "id = any(?)", orphans.isEmpty() ? null : orphans.toArray(String[]::new), now);
    }

    /**
     * Settles the calls of nodes whose heartbeat is older than a lease period: they crashed, were
     * cut off, or stopped without finishing. See {@link #settle} for what becomes of each call.
     */
    int expireLeases() {
        Instant now = clock.instant();
        String[] stale = db.read(c -> {
            List<String> ids = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("select id from node where heartbeat_at < ?")) {
                ps.setTimestamp(1, Timestamp.from(now.minus(leaseDuration)));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) ids.add(rs.getString(1));
                }
            }
            return ids.toArray(String[]::new);
        });
        return stale.length == 0 ? 0 : settle("lease_owner = any(?)", stale, now);
    }

    /**
     * Settles the active calls matching {@code where} (bound to {@code arg}), in steps: a call that
     * was claimed but never handed to the carrier goes back to the queue as it was; one that may
     * have been dialed is {@code interrupted} and the retry policy decides, never at once.
     */
    private int settle(String where, String[] arg, Instant now) {
        if (where == null) return 0;
        int total = 0;
        while (true) {
            int n = db.tx(c -> {
                record Expired(String id, String orgId, String batchId, int attempt) {
                }
                List<Expired> rows = new ArrayList<>();
                try (PreparedStatement ps = c.prepareStatement("""
                        select id, org_id, batch_id, attempt from call
                        where phase = 1 and\s""" + where + """

                        order by id limit ? for update skip locked""")) {
                    ps.setArray(1, SqlArrays.text(c, arg));
                    ps.setInt(2, STEP_LIMIT);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) rows.add(new Expired(rs.getString(1), rs.getString(2), rs.getString(3), rs.getInt(4)));
                    }
                }
                for (Expired e : rows) {
                    if (ReleaseSql.release(c, e.id(), e.attempt(), null, now) == 1) continue; // never dialed: back in the queue
                    CallTransitions.Context ctx = CallTransitions.context(c, e.id()).orElseThrow();
                    CallTransitions.Decision next = transitions.decide(ctx, "interrupted", now);
                    log.warn("call {}: lease of attempt {} lost (its node stopped or lost track of it); {}", e.id(), e.attempt(),
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
        int n = settle("lease_owner = any(?)", new String[] {nodeId}, clock.instant());
        heartbeat();
        return n;
    }

    /** Scheduled calls whose deadline has passed end as {@code expired}. */
    int expireDeadlines() {
        Instant now = clock.instant();
        return db.tx(c -> {
            List<Outbox.Event> events = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("""
                    update call set state = 'finished', outcome = 'expired', outcome_reason = 'deadline_passed',
                                    finished_at = ?, updated_at = ?
                    where id in (select id from call where phase = 0 and deadline <= ?
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
                    where b.status in ('pending', 'in_progress') and b.total > 0
                      and not exists (select 1 from call c where c.batch_id = b.id and c.phase < 2)
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

    /** Forgets nodes silent for a day that hold no calls (every start of a node with a random id adds one). */
    /** Deltas a line may gather before the housekeeper folds them, when no claim has (V18). */
    static final int TALLY_FOLD_THRESHOLD = 64;

    /**
     * Folds the live-call deltas of lines that no claim has folded for a while (a line with no more due
     * calls, a deleted one), so the delta table stays small. A line a claim holds is skipped: the claim folds it.
     */
    int foldLiveTallies() {
        List<String> lines = db.read(c -> {
            List<String> ids = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "select line_id from line_live_delta group by line_id having count(*) >= ?")) {
                ps.setInt(1, TALLY_FOLD_THRESHOLD);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) ids.add(rs.getString(1));
                }
            }
            return ids;
        });
        int folded = 0;
        for (String line : lines) {
            folded += db.tx(c -> {
                try (PreparedStatement ps = c.prepareStatement("select 1 from line where id = ? for update skip locked")) {
                    ps.setString(1, line);
                    try (ResultSet rs = ps.executeQuery()) {
                        if (!rs.next()) return 0;
                    }
                }
                LineClaimer.liveCalls(c, line);
                return 1;
            });
        }
        return folded;
    }

    int purgeNodes() {
        Instant cutoff = clock.instant().minus(Duration.ofDays(1));
        return db.tx(c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    delete from node n where n.heartbeat_at < ? and not exists
                      (select 1 from call c where c.lease_owner = n.id and c.phase = 1)""")) {
                ps.setTimestamp(1, Timestamp.from(cutoff));
                return ps.executeUpdate();
            }
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
