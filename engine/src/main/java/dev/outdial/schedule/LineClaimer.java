package dev.outdial.schedule;

import dev.outdial.campaign.Lines;
import dev.outdial.telephony.Trunk;

import dev.outdial.store.BinaryCopy;
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
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.time.ZoneId;

/**
 * The claim transaction for one line (DESIGN §7). Under the line's row lock it counts the line's
 * active calls, takes at most {@code max_concurrent − active} calls due within the slot horizon by
 * priority then due time ({@code FOR UPDATE SKIP LOCKED}), and gives each a dial slot: the later of
 * its due time and the line's next free slot, slots at least {@code 1/cps} apart from the line's
 * {@code next_dial_at}. Because every node takes the same row lock, the concurrency and rate
 * limits hold across all nodes (invariant 4); because every claim bumps the call's attempt number,
 * a node that lost its lease can no longer write about the call (invariant 2).
 *
 * <p>Claiming up to a horizon ahead (a second by default) is what lets a call start at its due
 * time rather than at the next claim round after it: the pacer already holds it when the moment
 * comes. The window, the deadline and the slot are all checked at the slot, the instant of dialing.
 */
final class LineClaimer {
    /** Live calls (dialing, ringing or in_progress), in the form the partial indexes are written in (V9). */
    static final String LIVE = "phase = 1";

    private final Database db;
    private final Clock clock;
    private final String nodeId;
    private final Duration slotHorizon;
    private final Duration leaseDuration;
    private final int maxClaim;

    LineClaimer(Database db, Clock clock, String nodeId, Duration slotHorizon, Duration leaseDuration, int maxClaim) {
        this.db = db;
        this.clock = clock;
        this.nodeId = nodeId;
        this.slotHorizon = slotHorizon;
        this.leaseDuration = leaseDuration;
        this.maxClaim = maxClaim;
    }

    /**
     * What one claim did.
     *
     * @param saturated true if the claim stopped at the slot horizon or the per-claim limit while due work
     *                  remained, so the dispatcher should come back soon rather than after its poll interval
     * @param full      true if the line is at its concurrency limit (before or after this claim): the next call
     *                  to end frees a place
     */
    record Result(List<ClaimedCall> calls, boolean saturated, boolean full) {
        static final Result NONE = new Result(List.of(), false, false);
        static final Result FULL = new Result(List.of(), false, true);

        /** The line may have due work still: worth claiming again without looking for lines first. */
        boolean busy() {
            return saturated || full;
        }
    }

    /**
     * Lines of any organization that have work due within the slot horizon. The queue index orders a
     * line's calls by priority, then due time, so "any call due?" cannot bound its scan by due time: a
     * line with nothing due was walked to its end, every call waiting for later (at 10,000 calls/s with
     * 200,000 loaded, 11 ms per look and 5 % of PostgreSQL's time). So the query steps from one priority
     * present on the line to the next (an index seek each, by the recursive CTE) and asks each "any call
     * due?" with a bounded seek: a few seeks per priority present, however many calls wait.
     */
    List<String> linesWithDueWork() {
        Instant now = clock.instant().plus(slotHorizon);
        return db.read(c -> {
            List<String> ids = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("""
                    select l.id from line l where l.deleted_at is null and exists (
                      with recursive p(priority) as (
                        (select c.priority from call c where c.line_id = l.id and c.phase = 0 order by c.priority desc limit 1)
                        union all
                        select (select c.priority from call c where c.line_id = l.id and c.phase = 0 and c.priority < p.priority
                                order by c.priority desc limit 1)
                        from p where p.priority is not null)
                      select 1 from p where exists (select 1 from call c where c.line_id = l.id and c.phase = 0
                                                    and c.priority = p.priority and c.due_at <= ?))""")) {
                ps.setTimestamp(1, Timestamp.from(now));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) ids.add(rs.getString(1));
                }
            }
            return ids;
        });
    }

    Result claim(String lineId) {
        Instant now = clock.instant();
        return db.txByKeys(c -> {
            String provider;
            String from;
            int maxConcurrent;
            double cps;
            Instant nextDialAt;
            Trunk trunk;
            try (PreparedStatement ps = c.prepareStatement("""
                    select provider, phone_number, max_concurrent, max_cps, next_dial_at, sip::text
                    from line where id = ? and deleted_at is null for update""")) {
                ps.setString(1, lineId);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) return Result.NONE;
                    provider = rs.getString(1);
                    from = rs.getString(2);
                    maxConcurrent = rs.getInt(3);
                    cps = rs.getDouble(4);
                    Timestamp t = rs.getTimestamp(5);
                    // '-infinity' comes back as a huge negative date: any past value means "free now".
                    nextDialAt = t == null ? now : t.toInstant();
                    trunk = Lines.trunk(rs.getString(6));
                }
            }
            Instant start = nextDialAt.isAfter(now) ? nextDialAt : now;
            Instant horizonEnd = now.plus(slotHorizon);
            if (start.isAfter(horizonEnd)) {
                return new Result(List.of(), true, false); // this line's next second of slots is already handed out
            }
            long spacingNanos = Math.max(1, Math.round(1_000_000_000d / cps));
            long slotsInHorizon = Duration.between(start, horizonEnd).toNanos() / spacingNanos + 1;
            int active = liveCalls(c, lineId);
            long room = Math.min(Math.min(maxConcurrent - (long) active, slotsInHorizon), maxClaim);
            if (room <= 0) {
                return Result.FULL; // at max concurrency: a call's end signals the dispatcher
            }
            List<ClaimedCall> calls = take(c, lineId, provider, from, trunk, (int) room, now, start, horizonEnd, spacingNanos);
            if (calls.isEmpty()) {
                return Result.NONE;
            }
            try (PreparedStatement ps = c.prepareStatement("update line set next_dial_at = ? where id = ?")) {
                ps.setTimestamp(1, Timestamp.from(calls.getLast().dialAt().plusNanos(spacingNanos)));
                ps.setString(2, lineId);
                ps.executeUpdate();
            }
            recordAttempts(c, calls, now);
            markBatchesStarted(c, calls, now);
            List<Outbox.Event> events = new ArrayList<>(calls.size());
            for (ClaimedCall call : calls) {
                events.add(new Outbox.Event(call.orgId(), "call.dialing", call.callId(), Map.of(
                        "call_id", call.callId(), "batch_id", call.batchId(), "attempt", call.attempt(),
                        "state", "dialing", "dial_at", call.dialAt().toString())));
            }
            Outbox.write(c, now, events);
            boolean saturated = calls.size() == room && room < maxConcurrent - (long) active;
            // Filled to its limit by this claim: the next call to end frees a place worth claiming at once.
            return new Result(calls, saturated, active + calls.size() >= maxConcurrent);
        });
    }

    /**
     * The line's live calls: its tally plus the committed deltas since (V18), which this claim folds
     * into the tally. The caller holds the line row lock, and only holders of that lock delete deltas.
     */
    static int liveCalls(Connection c, String lineId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                with folded as (delete from line_live_delta where line_id = ? returning delta)
                update line set live_calls = live_calls + (select coalesce(sum(delta), 0) from folded)
                where id = ? returning live_calls""")) {
            ps.setString(1, lineId);
            ps.setString(2, lineId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    /**
     * Takes up to {@code room} calls due by {@code horizonEnd} and gives each its slot: the later of
     * its due time and the previous slot plus the spacing, in due-time order. Each is re-checked at
     * its slot against its calling window, in every candidate zone (the agent's settings may have
     * changed since intake), and against its deadline. A call whose window is closed then is
     * rescheduled to the next opening (or expired if none comes before its deadline) instead of
     * being dialed; a call whose deadline comes first is left for the housekeeper to expire. Either
     * way its slot stays empty, which only spaces the others further apart.
     */
    private List<ClaimedCall> take(Connection c, String lineId, String provider, String from, Trunk trunk, int room, Instant now,
                                   Instant start, Instant horizonEnd, long spacingNanos) throws SQLException {
        record Candidate(String id, List<ZoneId> zones, Instant deadline, String batchId, String region, Instant due) {
        }
        List<Candidate> candidates = new ArrayList<>(room);
        try (PreparedStatement ps = c.prepareStatement("""
                select c.id, c.zones, c.deadline, c.batch_id, c.region, c.due_at from call c
                where c.line_id = ? and c.phase = 0 and c.due_at <= ? and (c.deadline is null or c.deadline > ?)
                  and not exists (select 1 from batch b where b.id = c.batch_id and b.status in ('paused', 'cancelled'))
                order by c.priority desc, c.due_at
                limit ? for update of c skip locked""")) {
            ps.setString(1, lineId);
            ps.setTimestamp(2, Timestamp.from(horizonEnd));
            ps.setTimestamp(3, Timestamp.from(now));
            ps.setInt(4, room);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    List<ZoneId> zones = new ArrayList<>();
                    for (String z : (String[]) rs.getArray(2).getArray()) zones.add(ZoneId.of(z));
                    Timestamp d = rs.getTimestamp(3);
                    candidates.add(new Candidate(rs.getString(1), zones, d == null ? null : d.toInstant(), rs.getString(4),
                            rs.getString(5), rs.getTimestamp(6).toInstant()));
                }
            }
        }
        if (candidates.isEmpty()) return List.of();
        // Priority chose which calls; due time orders their slots, so no call waits behind a later one.
        candidates.sort(java.util.Comparator.comparing(Candidate::due));
        Map<String, BatchRules> windows = windows(c, candidates.stream().map(Candidate::batchId).distinct().toList());
        Map<String, Instant> slotOf = new java.util.HashMap<>();
        Map<String, Candidate> allowedOf = new java.util.HashMap<>();
        List<String> allowed = new ArrayList<>(candidates.size());
        List<String> waitIds = new ArrayList<>();
        List<Timestamp> waitDue = new ArrayList<>();
        List<String> waitReasons = new ArrayList<>();
        Instant next = start;
        for (Candidate cand : candidates) {
            Instant slot = cand.due().isAfter(next) ? cand.due() : next;
            if (slot.isAfter(horizonEnd)) break; // the rest wait for a later claim; their row locks end with this transaction
            if (cand.deadline() != null && !slot.isBefore(cand.deadline())) continue; // the housekeeper expires it
            BatchRules rules = windows.get(cand.batchId());
            CallingWindow w = DuePlanner.effective(rules.windowJson(), rules.guard(), rules.regionalRules(), cand.region());
            if (!cand.zones().isEmpty() && !w.allowsAll(slot, cand.zones())) {
                DuePlanner.Plan plan = DuePlanner.plan(w, cand.zones(), slot, cand.deadline());
                waitIds.add(cand.id());
                waitDue.add(plan.dueAt() == null ? null : Timestamp.from(plan.dueAt()));
                waitReasons.add(plan.waitReason());
                continue;
            }
            allowed.add(cand.id());
            slotOf.put(cand.id(), slot);
            allowedOf.put(cand.id(), cand);
            next = slot.plusNanos(spacingNanos);
        }
        if (!waitIds.isEmpty()) reschedule(c, waitIds, waitDue, waitReasons, now);

        List<ClaimedCall> calls = new ArrayList<>(allowed.size());
        if (allowed.isEmpty()) return calls;
        try (PreparedStatement ps = c.prepareStatement("""
                update call c set state = 'dialing', attempt = c.attempt + 1, dials = c.dials + 1, lease_owner = ?,
                                  lease_expires_at = ?, wait_reason = null, updated_at = ?
                from unnest(?::text[]) as u(id), agent a
                where c.id = u.id and a.id = c.agent_id
                returning c.id, c.org_id, c.batch_id, c.attempt, c.destination,
                          coalesce((c.overrides->>'max_duration_s')::int, a.max_duration_s),
                          a.amd::text, a.record_calls, coalesce(c.overrides->>'language', a.language),
                          case when a.amd->>'behavior' = 'leave_message' then jsonb_build_object('call', c.variables,
                              'batch', (select b.variables from batch b where b.id = c.batch_id), 'agent', a.default_variables,
                              'zone', c.zones[1])::text end,
                          coalesce(jsonb_typeof(a.providers->'bot') = 'object', false), c.dials, c.max_attempts, c.retry_policy::text""")) {
            ps.setString(1, nodeId);
            ps.setTimestamp(2, Timestamp.from(now.plus(leaseDuration)));
            ps.setTimestamp(3, Timestamp.from(now));
            ps.setArray(4, SqlArrays.text(c, allowed));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Candidate cand = allowedOf.get(rs.getString(1));
                    BatchRules rules = windows.get(cand.batchId());
                    String policy = rs.getString(14);
                    // What the attempt's end decides the retry from, as it stands at the claim: the end then
                    // writes without reading the call again (AttemptEnds). The lease and cancel fields are the claim's own:
                    // the end's update tests the lease itself, and AttemptEnds reads the batches' cancels as it writes.
                    CallTransitions.Context retry = new CallTransitions.Context(rs.getInt(4), rs.getInt(12), rs.getInt(13), nodeId, true,
                            cand.deadline(), policy != null ? policy : rules.retryPolicy(), false, cand.zones(), rules.windowJson(),
                            rules.guard(), rules.regionalRules(), cand.region());
                    calls.add(new ClaimedCall(rs.getString(1), rs.getString(2), rs.getString(3), lineId, provider, from,
                            rs.getString(5), rs.getInt(4), cand.due(), slotOf.get(rs.getString(1)), Duration.ofNanos(spacingNanos), Duration.ofSeconds(rs.getInt(6)), trunk,
                            rs.getString(7) == null ? null : new ClaimedCall.Media(rs.getString(7), rs.getString(9), rs.getString(10)),
                            rs.getBoolean(8), rs.getBoolean(11), retry));
                }
            }
        }
        calls.sort(java.util.Comparator.comparing(ClaimedCall::dialAt));
        return calls;
    }

    /**
     * What governs a batch's calls: its own or its agent's window, its organization's guard and regional rules,
     * and its own or its agent's retry policy (a call's own policy comes first).
     */
    private record BatchRules(String windowJson, boolean guard, String regionalRules, String retryPolicy) {
    }

    private static Map<String, BatchRules> windows(Connection c, List<String> batchIds) throws SQLException {
        Map<String, BatchRules> out = new java.util.HashMap<>();
        try (PreparedStatement ps = c.prepareStatement("""
                select b.id, coalesce(b.calling_window, a.calling_window)::text, o.quiet_hours_guard, o.regional_rules::text,
                       coalesce(b.retry_policy, a.retry_policy)::text
                from batch b join agent a on a.id = b.agent_id join org o on o.id = b.org_id where b.id = any(?)""")) {
            ps.setArray(1, SqlArrays.text(c, batchIds));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.put(rs.getString(1), new BatchRules(rs.getString(2), rs.getBoolean(3), rs.getString(4), rs.getString(5)));
            }
        }
        return out;
    }

    /** Moves calls whose window closed to their next opening, or expires them when none comes before the deadline. */
    private static void reschedule(Connection c, List<String> ids, List<Timestamp> due, List<String> reasons, Instant now)
            throws SQLException {
        Timestamp nowTs = Timestamp.from(now);
        List<Outbox.Event> events = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("""
                update call c set due_at = coalesce(u.due, c.due_at), wait_reason = u.reason, updated_at = ?,
                       state = case when u.due is null then 'finished' else 'scheduled' end,
                       outcome = case when u.due is null then 'expired' end,
                       outcome_reason = case when u.due is null then 'no_window_before_deadline' end,
                       finished_at = case when u.due is null then ?::timestamptz end
                from unnest(?::text[], ?::timestamptz[], ?::text[]) as u(id, due, reason)
                where c.id = u.id
                returning c.id, c.org_id, c.batch_id, u.due is null""")) {
            ps.setTimestamp(1, nowTs);
            ps.setTimestamp(2, nowTs);
            ps.setArray(3, SqlArrays.text(c, ids));
            ps.setArray(4, SqlArrays.timestamptz(c, due.toArray(Timestamp[]::new)));
            ps.setArray(5, SqlArrays.text(c, reasons));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (rs.getBoolean(4)) {
                        events.add(new Outbox.Event(rs.getString(2), "call.finished", rs.getString(1), Map.of(
                                "call_id", rs.getString(1), "batch_id", rs.getString(3), "state", "finished",
                                "outcome", "expired", "reason", "no_window_before_deadline")));
                    }
                }
            }
        }
        Outbox.write(c, now, events);
    }

    private void recordAttempts(Connection c, List<ClaimedCall> calls, Instant now) throws SQLException {
        if (calls.size() >= Outbox.COPY_FROM) { // many rows: one binary COPY, cheaper per row (as the outbox measured)
            BinaryCopy out = new BinaryCopy(calls.size() * 160).header();
            for (ClaimedCall call : calls) {
                out.row(7).text(call.callId()).integer(call.attempt()).text(call.orgId()).text(call.lineId()).text(nodeId)
                        .timestamp(now).timestamp(call.dialAt());
            }
            out.trailer().copyIn(c, "copy call_attempt (call_id, attempt, org_id, line_id, node_id, claimed_at, dial_at) from stdin with (format binary)");
            return;
        }
        try (PreparedStatement ps = c.prepareStatement("""
                insert into call_attempt (call_id, attempt, org_id, line_id, node_id, claimed_at, dial_at)
                values (?, ?, ?, ?, ?, ?, ?)""")) {
            Timestamp nowTs = Timestamp.from(now);
            for (ClaimedCall call : calls) {
                ps.setString(1, call.callId());
                ps.setInt(2, call.attempt());
                ps.setString(3, call.orgId());
                ps.setString(4, call.lineId());
                ps.setString(5, nodeId);
                ps.setTimestamp(6, nowTs);
                ps.setTimestamp(7, Timestamp.from(call.dialAt()));
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    private static void markBatchesStarted(Connection c, List<ClaimedCall> calls, Instant now) throws SQLException {
        Set<String> batchIds = new LinkedHashSet<>();
        for (ClaimedCall call : calls) batchIds.add(call.batchId());
        List<Outbox.Event> events = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("""
                update batch set status = 'in_progress', updated_at = ?
                where id = any(?) and status = 'pending' returning id, org_id""")) {
            ps.setTimestamp(1, Timestamp.from(now));
            ps.setArray(2, SqlArrays.text(c, batchIds));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    events.add(new Outbox.Event(rs.getString(2), "batch.in_progress", rs.getString(1),
                            Map.of("batch_id", rs.getString(1), "status", "in_progress")));
                }
            }
        }
        Outbox.write(c, now, events);
    }
}
