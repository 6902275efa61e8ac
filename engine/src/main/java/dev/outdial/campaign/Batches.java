package dev.outdial.campaign;

import dev.outdial.store.Database;
import dev.outdial.store.Json;
import dev.outdial.store.Outbox;
import dev.outdial.schedule.StartFence;
import dev.outdial.store.SqlArrays;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/** Batches of an organization: read with counters, list, cancel. */
public final class Batches {
    private static final String COLUMNS = "id, name, status, agent_id, line_id, priority, scheduled_at, deadline, "
            + "variables::text, metadata::text, created_at, updated_at, finished_at, calling_window::text, retry_policy::text, retry_count";

    private final Database db;
    private final Clock clock;

    public Batches(Database db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    public Batch get(String orgId, String id) {
        return db.read(c -> find(c, orgId, "id = ?", id)).orElseThrow(() -> new NotFoundException("batch", id));
    }

    /** The batch with counters its caller already knows (intake, which just stored every call), instead of counting them again. */
    Batch get(String orgId, String id, Batch.Counts known) {
        return db.read(c -> find(c, orgId, "id = ?", id, known)).orElseThrow(() -> new NotFoundException("batch", id));
    }

    /** The batch a request with this Idempotency-Key created within the last 24 hours. */
    Optional<Batch> findByIdempotencyKey(String orgId, String key) {
        Instant since = clock.instant().minus(java.time.Duration.ofHours(24));
        return db.read(c -> find(c, orgId, "idempotency_key = ?", key)).filter(b -> b.createdAt().isAfter(since));
    }

    public Page<Batch> list(String orgId, String cursor, int limit, String status) {
        return db.read(c -> {
            List<String> ids = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("""
                    select id from batch where org_id = ? and (?::text is null or status = ?)
                      and (?::text is null or (created_at, id) < (select created_at, id from batch where id = ? and org_id = ?))
                    order by created_at desc, id desc limit ?""")) {
                ps.setString(1, orgId);
                ps.setString(2, status);
                ps.setString(3, status);
                ps.setString(4, cursor);
                ps.setString(5, cursor);
                ps.setString(6, orgId);
                ps.setInt(7, limit + 1);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) ids.add(rs.getString(1));
                }
            }
            List<Batch> out = new ArrayList<>(ids.size());
            for (String id : ids) {
                find(c, orgId, "id = ?", id).ifPresent(out::add);
            }
            return Page.of(out, limit, Batch::id);
        });
    }

    /**
     * Cancels a batch: calls not yet handed to the carrier end as {@code canceled}; calls already
     * ringing or talking finish normally but are not retried. Cancelling twice is harmless.
     */
    public Batch cancel(String orgId, String id) {
        Instant now = clock.instant();
        db.tx(c -> {
            String status = lock(c, orgId, id);
            if (status.equals("cancelled")) return null;
            if (status.equals("completed")) throw new ConflictException("batch " + id + " is already completed");
            // Scheduled calls first: a claim in flight holds some of them, and this waits for it, so the claimed
            // calls are all visible to the second step. Event ids in the shape of Ids.next (base32 letters).
            int canceled = cancelCalls(c, id, now, """
                    update call set state = 'finished', outcome = 'canceled', outcome_reason = 'batch_cancelled',
                                    finished_at = ?, updated_at = ?
                    where batch_id = ? and state = 'scheduled'""", null);
            // Then the claimed calls not yet handed to the carrier: their rows locked first, then their attempts
            // ended where the start has not stamped them (StartFence), and only those calls finish.
            List<String> heldIds = new ArrayList<>();
            List<Integer> heldAttempts = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("""
                    select id, attempt from call where batch_id = ? and state = 'dialing' order by id for update""")) {
                ps.setString(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        heldIds.add(rs.getString(1));
                        heldAttempts.add(rs.getInt(2));
                    }
                }
            }
            Set<String> unstarted = StartFence.closeUnstarted(c, heldIds.toArray(String[]::new), heldAttempts.toArray(Integer[]::new),
                    "canceled", "batch_cancelled", now);
            if (!unstarted.isEmpty()) {
                canceled += cancelCalls(c, id, now, """
                        update call set state = 'finished', outcome = 'canceled', outcome_reason = 'batch_cancelled',
                                        finished_at = ?, updated_at = ?, lease_owner = null, lease_expires_at = null, dials = dials - 1
                        where batch_id = ? and id = any(?)""", unstarted.toArray(String[]::new));
            }
            try (PreparedStatement ps = c.prepareStatement("""
                    update batch set status = 'cancelled', updated_at = ?, finished_at = ? where id = ?""")) {
                ps.setTimestamp(1, Timestamp.from(now));
                ps.setTimestamp(2, Timestamp.from(now));
                ps.setString(3, id);
                ps.executeUpdate();
            }
            Outbox.write(c, now, new Outbox.Event(orgId, "batch.cancelled", id,
                    Map.of("batch_id", id, "calls_canceled", canceled)));
            return null;
        });
        return get(orgId, id);
    }

    /** Runs {@code update} (binding now, now, the batch id, then {@code ids} unless null) and announces each call it finished. */
    private static int cancelCalls(Connection c, String batchId, Instant now, String update, String[] ids) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("with gone as (" + update + """
                 returning id, org_id),
                events as (
                    insert into outbox (event_id, org_id, type, subject_id, payload, created_at)
                    select\s""" + Outbox.eventIdSql("gone.id") + """
                    , gone.org_id, 'call.finished', gone.id,
                           jsonb_build_object('call_id', gone.id, 'batch_id', ?::text, 'state', 'finished',
                                              'outcome', 'canceled', 'reason', 'batch_cancelled'), ?
                    from gone)
                select count(*) from gone""")) {
            Timestamp ts = Timestamp.from(now);
            int i = 1;
            ps.setTimestamp(i++, ts);
            ps.setTimestamp(i++, ts);
            ps.setString(i++, batchId);
            if (ids != null) ps.setArray(i++, SqlArrays.text(c, ids));
            ps.setString(i++, batchId);
            ps.setTimestamp(i, ts);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    /** Stops new dials for the batch; calls already dialing, ringing or talking finish normally. */
    public Batch pause(String orgId, String id) {
        return setStatus(orgId, id, Set.of("pending", "in_progress"), "paused", "batch.paused");
    }

    /** Lets a paused batch dial again. */
    public Batch resume(String orgId, String id) {
        return setStatus(orgId, id, Set.of("paused"), null, "batch.resumed");
    }

    private Batch setStatus(String orgId, String id, Set<String> from, String to, String event) {
        Instant now = clock.instant();
        db.tx(c -> {
            String status = lock(c, orgId, id);
            String target = to;
            if (target == null) { // resume: in_progress once anything was dialed, else pending
                try (PreparedStatement ps = c.prepareStatement("select exists (select 1 from call where batch_id = ? and dials > 0)")) {
                    ps.setString(1, id);
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        target = rs.getBoolean(1) ? "in_progress" : "pending";
                    }
                }
            }
            if (status.equals(target) || (to == null && !status.equals("paused") && from.contains("paused")
                    && (status.equals("pending") || status.equals("in_progress")))) {
                return null; // pausing a paused batch, or resuming a running one, is harmless
            }
            if (!from.contains(status)) throw new ConflictException("batch " + id + " is " + status + "; this needs one of " + from);
            try (PreparedStatement ps = c.prepareStatement("update batch set status = ?, updated_at = ? where id = ?")) {
                ps.setString(1, target);
                ps.setTimestamp(2, Timestamp.from(now));
                ps.setString(3, id);
                ps.executeUpdate();
            }
            Outbox.write(c, now, new Outbox.Event(orgId, event, id, Map.of("batch_id", id, "status", target)));
            return null;
        });
        return get(orgId, id);
    }

    /**
     * Re-queues the calls of a finished batch that ended with one of {@code outcomes} (default:
     * no_answer, busy, voicemail, failed), as ElevenLabs-style retry does. Each retry counts against
     * the call's attempt budget, so a call with none left stays finished, unless {@code extendBudget}
     * gives every re-queued call one more attempt. Due times obey the calling window (see DuePlanner).
     */
    public int retry(String orgId, String id, Set<String> outcomes, boolean extendBudget) {
        Instant now = clock.instant();
        return db.tx(c -> {
            String status = lock(c, orgId, id);
            if (!status.equals("completed") && !status.equals("cancelled")) {
                throw new ConflictException("batch " + id + " is " + status + "; only a completed or cancelled batch can be retried");
            }
            int n;
            try (PreparedStatement ps = c.prepareStatement("""
                    with again as (
                        update call set state = 'scheduled', outcome = null, outcome_reason = null, finished_at = null,
                                        due_at = greatest(?::timestamptz, scheduled_at), wait_reason = null, updated_at = ?,
                                        max_attempts = case when ? then greatest(max_attempts, dials + 1) else max_attempts end
                        where batch_id = ? and state = 'finished' and outcome = any(?) and (? or dials < max_attempts)
                          and (deadline is null or deadline > ?)
                        returning id, org_id)
                    insert into outbox (event_id, org_id, type, subject_id, payload, created_at)
                    select\s""" + Outbox.eventIdSql("again.id") + """
                        , again.org_id,
                           'call.retry_scheduled', again.id,
                           jsonb_build_object('call_id', again.id, 'batch_id', ?::text, 'state', 'scheduled', 'reason', 'batch_retry'), ?
                    from again""")) {
                Timestamp ts = Timestamp.from(now);
                ps.setTimestamp(1, ts);
                ps.setTimestamp(2, ts);
                ps.setBoolean(3, extendBudget);
                ps.setString(4, id);
                ps.setArray(5, SqlArrays.text(c, outcomes));
                ps.setBoolean(6, extendBudget);
                ps.setTimestamp(7, ts);
                ps.setString(8, id);
                ps.setTimestamp(9, ts);
                n = ps.executeUpdate();
            }
            if (n > 0) {
                try (PreparedStatement ps = c.prepareStatement(
                        "update batch set status = 'in_progress', finished_at = null, updated_at = ? where id = ?")) {
                    ps.setTimestamp(1, Timestamp.from(now));
                    ps.setString(2, id);
                    ps.executeUpdate();
                }
                try (var st = c.createStatement()) {
                    st.execute("notify outdial_work");
                }
            }
            try (PreparedStatement ps = c.prepareStatement("update batch set retry_count = retry_count + 1 where id = ?")) {
                ps.setString(1, id);
                ps.executeUpdate();
            }
            Outbox.write(c, now, new Outbox.Event(orgId, "batch.retried", id, Map.of("batch_id", id, "calls_requeued", n)));
            return n;
        });
    }

    /** The organization that owns a batch, if it exists at all: for dialects that tell "not yours" from "no such batch". */
    public Optional<String> ownerOf(String id) {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("select org_id from batch where id = ?")) {
                ps.setString(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(rs.getString(1)) : Optional.<String>empty();
                }
            }
        });
    }

    /** Locks the batch row for the caller's transaction and returns its status; 404 if not this organization's. */
    static String lock(Connection c, String orgId, String id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("select status from batch where org_id = ? and id = ? for update")) {
            ps.setString(1, orgId);
            ps.setString(2, id);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) throw new NotFoundException("batch", id);
                return rs.getString(1);
            }
        }
    }

    private static Optional<Batch> find(Connection c, String orgId, String where, String value) throws SQLException {
        return find(c, orgId, where, value, null);
    }

    private static Optional<Batch> find(Connection c, String orgId, String where, String value, Batch.Counts known)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("select " + COLUMNS + " from batch where org_id = ? and " + where)) {
            ps.setString(1, orgId);
            ps.setString(2, value);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) return Optional.empty();
                String id = rs.getString(1);
                return Optional.of(new Batch(id, rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                        rs.getInt(6), instant(rs, 7), instant(rs, 8), Json.map(rs.getString(9)), Json.map(rs.getString(10)),
                        nullableMap(rs.getString(14)), nullableMap(rs.getString(15)),
                        instant(rs, 11), instant(rs, 12), instant(rs, 13), rs.getInt(16), known != null ? known : counts(c, id)));
            }
        }
    }

    /** The batch's counters, computed from its calls (an index-only scan of call_batch). */
    public static Batch.Counts counts(Connection c, String batchId) throws SQLException {
        int total = 0, scheduled = 0, dialing = 0, ringing = 0, inProgress = 0, finished = 0, dispatched = 0;
        Map<String, Integer> byOutcome = new TreeMap<>();
        try (PreparedStatement ps = c.prepareStatement("""
                select state, outcome, count(*), count(*) filter (where dials > 0)
                from call where batch_id = ? group by state, outcome""")) {
            ps.setString(1, batchId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    int n = rs.getInt(3);
                    total += n;
                    dispatched += rs.getInt(4);
                    switch (rs.getString(1)) {
                        case "scheduled" -> scheduled += n;
                        case "dialing" -> dialing += n;
                        case "ringing" -> ringing += n;
                        case "in_progress" -> inProgress += n;
                        case "finished" -> {
                            finished += n;
                            byOutcome.merge(rs.getString(2), n, Integer::sum);
                        }
                        default -> throw new IllegalStateException("batch " + batchId + ": unknown call state " + rs.getString(1));
                    }
                }
            }
        }
        return new Batch.Counts(total, scheduled, dialing, ringing, inProgress, finished, dispatched, byOutcome);
    }

    private static Map<String, Object> nullableMap(String json) {
        return json == null ? null : Json.map(json);
    }

    static Instant instant(ResultSet rs, int col) throws SQLException {
        Timestamp t = rs.getTimestamp(col);
        return t == null ? null : t.toInstant();
    }
}
