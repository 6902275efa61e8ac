package dev.outdial.schedule;

import dev.outdial.store.Database;
import dev.outdial.store.Json;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every state change of a claimed call, each in one transaction with its attempt row and its
 * outbox event (invariant 5). Every write is fenced by the attempt number and this node's lease:
 * an update count of 0 means another node took the call over after our lease expired, which is an
 * expected race, logged at debug and otherwise ignored (db-scheduler's habit).
 */
final class CallTransitions {
    private static final Logger log = LoggerFactory.getLogger(CallTransitions.class);

    private final Database db;
    private final Clock clock;
    private final String nodeId;
    /** Parsed retry policies by their stored JSON: agents are few and policies rarely change. */
    private final Map<String, RetryPolicy> policies = new ConcurrentHashMap<>();
    /** The last start stamp handed out, in microseconds (PostgreSQL's resolution); see {@link #stamp}. */
    private final java.util.concurrent.atomic.AtomicLong lastStamp = new java.util.concurrent.atomic.AtomicLong(Long.MIN_VALUE);

    CallTransitions(Database db, Clock clock, String nodeId) {
        this.db = db;
        this.clock = clock;
        this.nodeId = nodeId;
    }

    /**
     * Marks the calls' attempts as taken for dialing (the {@link StartFence}; the pacer dials them at their
     * slots, at most its arm lead later). Returns the ones still ours to dial: a call cancelled, released or taken over since its claim is left out and must
     * not be dialed, and one whose number is now on the do-not-call list ends suppressed.
     */
    List<ClaimedCall> markStarted(List<ClaimedCall> due) {
        if (due.isEmpty()) return List.of();
        Instant now = clock.instant();
        Map<String, ClaimedCall> left = new HashMap<>();
        List<ClaimedCall> ours = db.txByKeys(c -> {
            String[] ids = new String[due.size()];
            Integer[] attempts = new Integer[due.size()];
            String[] orgs = new String[due.size()];
            String[] destinations = new String[due.size()];
            Map<String, ClaimedCall> byId = new HashMap<>();
            for (int i = 0; i < ids.length; i++) {
                ids[i] = due.get(i).callId();
                attempts[i] = due.get(i).attempt();
                orgs[i] = due.get(i).orgId();
                destinations[i] = due.get(i).destination();
                byId.put(ids[i], due.get(i));
            }
            // One statement stamps the attempts still ours and not on the do-not-call list. The call row is
            // not read: the attempt row is the fence (StartFence), so an attempt a taker has ended (release,
            // lease expiry, cancel, suppression: each ends it first) is not stamped, and the attempt number
            // is the fencing token, so an attempt of an earlier claim can never be stamped. The do-not-call
            // test uses the number this node is about to dial. Reading the call row as well cost 40 % of the
            // statement (psql, 300 starts: 4.4 vs 2.5 ms). The "not ended" test sits in the SET, not the
            // WHERE: nearly every attempt row is started, so a "started_at is null" filter looks so selective
            // to the planner that it once scanned the attempts first and the 2,000 ids once per row (2.5 s
            // per start instead of 40 ms).
            Timestamp at = Timestamp.from(stamp(now)); // unique: read back below to tell our stamps
            List<ClaimedCall> started = new ArrayList<>(due.size());
            try (PreparedStatement ps = c.prepareStatement("""
                    update call_attempt a
                    set started_at = case when a.ended_at is null then coalesce(a.started_at, ?) else a.started_at end
                    from unnest(?::text[], ?::int[], ?::text[], ?::text[]) as u(id, attempt, org_id, destination)
                    where a.call_id = u.id and a.attempt = u.attempt
                      and not exists (select 1 from dnc d where d.org_id = u.org_id and d.phone_number = u.destination)
                    returning a.call_id, a.started_at = ?""")) {
                ps.setTimestamp(1, at);
                ps.setArray(2, SqlArrays.text(c, ids));
                ps.setArray(3, SqlArrays.int4(c, attempts));
                ps.setArray(4, SqlArrays.text(c, orgs));
                ps.setArray(5, SqlArrays.text(c, destinations));
                ps.setTimestamp(6, at);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        if (rs.getBoolean(2)) started.add(byId.remove(rs.getString(1)));
                    }
                }
            }
            left.putAll(byId);
            return started;
        });
        // Left over (listed, cancelled, lost: rare): those on the do-not-call list end suppressed, in a
        // transaction of their own so the start above never holds attempt locks while waiting for call rows.
        if (!left.isEmpty()) {
            try {
                db.txByKeys(c -> suppressListed(c, new ArrayList<>(left.values()), now));
            } catch (RuntimeException e) {
                // The calls above are started all the same and must be dialed; the listed ones stay claimed and undialed
                // until their leases are settled (released, not dialed).
                log.error("dispatcher: could not end {} claimed calls on the do-not-call list as suppressed; they are released later",
                        left.size(), e);
            }
        }
        return ours;
    }

    /**
     * The {@code started_at} for a start at {@code now}: {@code now}, or a microsecond after this node's
     * last stamp if the clock has not moved on. The start tells the attempts it stamped by reading back
     * its own stamp, so no two starts may share one: an attempt started earlier within the same instant
     * would otherwise read as started again, and be dialed twice. Only the lease owner starts a call.
     */
    private Instant stamp(Instant now) {
        long micros = java.util.concurrent.TimeUnit.SECONDS.toMicros(now.getEpochSecond()) + now.getNano() / 1_000;
        long taken = lastStamp.accumulateAndGet(micros, (last, wanted) -> Math.max(last + 1, wanted));
        return Instant.EPOCH.plus(taken, java.time.temporal.ChronoUnit.MICROS);
    }

    /**
     * The last look before dialing: a claimed call whose number is now on the organization's
     * do-not-call list ends {@code suppressed} instead (invariant 3), with its event.
     */
    private int suppressListed(Connection c, List<ClaimedCall> calls, Instant now) throws SQLException {
        List<String> ids = new ArrayList<>();
        List<Integer> attempts = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("""
                select c.id, c.attempt from call c join unnest(?::text[], ?::int[]) as u(id, attempt) on c.id = u.id and c.attempt = u.attempt
                where c.state = 'dialing' and c.lease_owner = ?
                  and exists (select 1 from dnc d where d.org_id = c.org_id and d.phone_number = c.destination)
                order by c.id for update of c""")) {
            ps.setArray(1, SqlArrays.text(c, calls.stream().map(ClaimedCall::callId).toArray(String[]::new)));
            ps.setArray(2, SqlArrays.int4(c, calls.stream().map(ClaimedCall::attempt).toArray(Integer[]::new)));
            ps.setString(3, nodeId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getString(1));
                    attempts.add(rs.getInt(2));
                }
            }
        }
        Set<String> closed = StartFence.closeUnstarted(c, ids.toArray(String[]::new), attempts.toArray(Integer[]::new),
                "suppressed", "do_not_call", now);
        if (closed.isEmpty()) return 0;
        try (PreparedStatement ps = c.prepareStatement("""
                with blocked as (
                    update call c set state = 'finished', outcome = 'suppressed', outcome_reason = 'do_not_call', dials = c.dials - 1,
                                      finished_at = ?, updated_at = ?, lease_owner = null, lease_expires_at = null
                    where c.id = any(?)
                    returning c.id, c.org_id, c.batch_id, c.attempt)
                insert into outbox (event_id, org_id, type, subject_id, payload, created_at)
                select\s""" + Outbox.eventIdSql("b.id") + """
                        , b.org_id, 'call.finished', b.id,
                       jsonb_build_object('call_id', b.id, 'batch_id', b.batch_id, 'attempt', b.attempt, 'state', 'finished',
                                          'outcome', 'suppressed', 'reason', 'do_not_call'), ?
                from blocked b""")) {
            Timestamp ts = Timestamp.from(now);
            ps.setTimestamp(1, ts);
            ps.setTimestamp(2, ts);
            ps.setArray(3, SqlArrays.text(c, closed));
            ps.setTimestamp(4, ts);
            int n = ps.executeUpdate();
            log.info("dispatcher: {} claimed calls not dialed: their numbers are now on the do-not-call list", n);
            return n;
        }
    }

    /** Gives claimed-but-never-dialed calls back to the queue unchanged (graceful shutdown). */
    int release(List<ClaimedCall> calls) {
        if (calls.isEmpty()) return 0;
        Instant now = clock.instant();
        return db.txByKeys(c -> {
            int n = 0;
            for (ClaimedCall call : calls) {
                n += ReleaseSql.release(c, call.callId(), call.attempt(), nodeId, now);
            }
            return n;
        });
    }

    /** The attempt row's end. */
    static void finishAttempt(Connection c, String callId, int attempt, Instant now, String outcome, String reason,
                              Integer sipCode) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                update call_attempt set ended_at = ?, outcome = ?, reason = ?, sip_code = ? where call_id = ? and attempt = ?""")) {
            ps.setTimestamp(1, Timestamp.from(now));
            ps.setString(2, outcome);
            ps.setString(3, reason);
            ps.setObject(4, sipCode);
            ps.setString(5, callId);
            ps.setInt(6, attempt);
            ps.executeUpdate();
        }
    }

    /**
     * Moves a call whose attempt ended either back to {@code scheduled} (when {@code next} is present)
     * or to {@code finished}, with its outbox event. {@code attemptOutcome} {@code interrupted} finishes as {@code failed}.
     */
    static void settle(Connection c, String orgId, String callId, String batchId, int attempt, String attemptOutcome,
                       String reason, Decision decision, Instant now) throws SQLException {
        Optional<Instant> next = decision.due();
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("call_id", callId);
        payload.put("batch_id", batchId);
        payload.put("attempt", attempt);
        payload.put("attempt_outcome", attemptOutcome);
        if (next.isPresent()) {
            try (PreparedStatement ps = c.prepareStatement("""
                    update call set state = 'scheduled', due_at = ?, lease_owner = null, lease_expires_at = null,
                                    wait_reason = ?, priority = priority + ?, updated_at = ?
                    where id = ? and attempt = ?""")) {
                ps.setTimestamp(1, Timestamp.from(next.get()));
                ps.setString(2, decision.waitReason());
                ps.setInt(3, decision.priorityBoost());
                ps.setTimestamp(4, Timestamp.from(now));
                ps.setString(5, callId);
                ps.setInt(6, attempt);
                ps.executeUpdate();
            }
            payload.put("state", "scheduled");
            payload.put("due_at", next.get().toString());
            Outbox.write(c, now, new Outbox.Event(orgId, "call.retry_scheduled", callId, payload));
        } else {
            String outcome = attemptOutcome.equals("interrupted") ? "failed" : attemptOutcome;
            if (decision.waitReason() != null) reason = "no_window_before_deadline"; // a retry was due but no window opens in time
            try (PreparedStatement ps = c.prepareStatement("""
                    update call set state = 'finished', outcome = ?, outcome_reason = ?, finished_at = ?, updated_at = ?,
                                    lease_owner = null, lease_expires_at = null, wait_reason = coalesce(?, wait_reason)
                    where id = ? and attempt = ?""")) {
                ps.setString(1, outcome);
                ps.setString(2, reason);
                ps.setTimestamp(3, Timestamp.from(now));
                ps.setTimestamp(4, Timestamp.from(now));
                ps.setString(5, decision.waitReason());
                ps.setString(6, callId);
                ps.setInt(7, attempt);
                ps.executeUpdate();
            }
            payload.put("state", "finished");
            payload.put("outcome", outcome);
            if (reason != null) payload.put("reason", reason);
            Outbox.write(c, now, new Outbox.Event(orgId, "call.finished", callId, payload));
        }
    }

    RetryPolicy policy(String json) {
        return policies.computeIfAbsent(json, j -> RetryPolicy.fromJson(Json.map(j)));
    }

    /**
     * What follows an attempt: a next due time, or none.
     *
     * @param waitReason with a due time, why it is later than the policy's delay; without one, why the
     *                   retry the policy wanted cannot happen (no window before the deadline), else null
     */
    record Decision(Optional<Instant> due, String waitReason, int priorityBoost) {
        static final Decision FINISHED = new Decision(Optional.empty(), null, 0);
    }

    /** The retry policy's next try, moved into the calling window in every candidate zone and kept before the deadline. */
    Decision decide(Context ctx, String outcome, Instant now) {
        if (ctx.batchCancelled()) return Decision.FINISHED;
        RetryPolicy policy = policy(ctx.policyJson());
        Optional<Instant> wanted = policy.nextDue(outcome, ctx.dials(), ctx.maxAttempts(), now, ctx.deadline());
        if (wanted.isEmpty()) return Decision.FINISHED;
        if (ctx.zones().isEmpty()) return new Decision(wanted, null, policy.priorityBoost());
        DuePlanner.Plan plan = DuePlanner.plan(
                DuePlanner.effective(ctx.windowJson(), ctx.quietHoursGuard(), ctx.regionalRules(), ctx.region()), ctx.zones(),
                wanted.get(), ctx.deadline());
        return new Decision(Optional.ofNullable(plan.dueAt()), plan.waitReason(), policy.priorityBoost());
    }

    /**
     * What the end of an attempt needs to know: read with the claim for an attempt that ends on its node
     * ({@link ClaimedCall#retry}), or under the call's row lock when the housekeeper settles a lost lease.
     */
    record Context(int attempt, int dials, int maxAttempts, String leaseOwner, boolean active, Instant deadline,
                   String policyJson, boolean batchCancelled, List<java.time.ZoneId> zones, String windowJson,
                   boolean quietHoursGuard, String regionalRules, String region) {
    }

    private static final String CONTEXT_SQL = """
            select c.attempt, c.dials, c.max_attempts, c.lease_owner, c.state in ('dialing', 'ringing', 'in_progress'), c.deadline,
                   coalesce(c.retry_policy, b.retry_policy, a.retry_policy)::text, b.status = 'cancelled', c.zones,
                   coalesce(b.calling_window, a.calling_window)::text, o.quiet_hours_guard, o.regional_rules::text, c.region, c.id
            from call c join agent a on a.id = c.agent_id join batch b on b.id = c.batch_id join org o on o.id = c.org_id
            """;

    static Optional<Context> context(Connection c, String callId) throws SQLException {
        return Optional.ofNullable(contexts(c, List.of(callId)).get(callId));
    }

    /** The contexts of many calls in one query, each call row locked for the caller's transaction. */
    static Map<String, Context> contexts(Connection c, List<String> callIds) throws SQLException {
        Map<String, Context> out = new java.util.HashMap<>();
        try (PreparedStatement ps = c.prepareStatement(CONTEXT_SQL + " where c.id = any(?) order by c.id for update of c")) {
            ps.setArray(1, SqlArrays.text(c, callIds));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Timestamp deadline = rs.getTimestamp(6);
                    List<java.time.ZoneId> zones = new ArrayList<>();
                    for (String z : (String[]) rs.getArray(9).getArray()) zones.add(java.time.ZoneId.of(z));
                    out.put(rs.getString(14), new Context(rs.getInt(1), rs.getInt(2), rs.getInt(3), rs.getString(4), rs.getBoolean(5),
                            deadline == null ? null : deadline.toInstant(), rs.getString(7), rs.getBoolean(8), zones,
                            rs.getString(10), rs.getBoolean(11), rs.getString(12), rs.getString(13)));
                }
            }
        }
        return out;
    }
}
