package dev.outdial.campaign;

import dev.outdial.schedule.RetryPolicy;
import dev.outdial.store.Database;
import dev.outdial.store.Ids;
import dev.outdial.store.Json;
import dev.outdial.store.Outbox;
import dev.outdial.store.StoreException;
import dev.outdial.store.TableStats;
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
import java.util.Optional;
import java.util.Set;

/**
 * Accepts batches: validates every recipient, then writes the batch and all its calls in one
 * transaction with COPY. A 2xx answer therefore means every accepted call is committed
 * (invariant 1), and a rejected batch leaves nothing behind (invariant 7).
 *
 * <p>Screening, in the same transaction: a number on the do-not-call list is stored as
 * {@code suppressed}; a number given twice in one request is one call (the later row's data wins);
 * with {@code dedup_across_batches}, a number with an unfinished call in another batch is skipped;
 * adding to a batch a number that still has a scheduled call there updates that call (Weya's rule).
 */
public final class Intake {
    /** Most recipients one request may carry. */
    public static final int MAX_RECIPIENTS = 100_000;
    /** Batches at least this large are validated in parallel. */
    private static final int PARALLEL_ROWS = 2_000;
    /** How far ahead a call may be scheduled. */
    static final Duration MAX_SCHEDULE_AHEAD = Duration.ofDays(366);

    private final Database db;
    private final Clock clock;
    private final Agents agents;
    private final Lines lines;
    private final Batches batches;
    private final Runnable workSignal;
    private final TableStats stats;

    public Intake(Database db, Clock clock, Agents agents, Lines lines, Batches batches, Runnable workSignal, TableStats stats) {
        this.db = db;
        this.clock = clock;
        this.agents = agents;
        this.lines = lines;
        this.batches = batches;
        this.workSignal = workSignal;
        this.stats = stats;
    }

    /**
     * What intake did.
     *
     * @param rejected   rows left out as invalid (only with allow_partial)
     * @param suppressed indexes of rows stored as {@code suppressed} (do-not-call)
     * @param merged     rows folded into another: {index, into} within the request, or {index, call_id} of the
     *                   scheduled call they updated
     * @param duplicates rows skipped because the number has an unfinished call in another batch: {index, call_id}
     */
    public record Result(Batch batch, List<FieldError> rejected, boolean replayed, List<Integer> suppressed,
                         List<Map<String, Object>> merged, List<Map<String, Object>> duplicates) {
        static Result replay(Batch b) {
            return new Result(b, List.of(), true, List.of(), List.of(), List.of());
        }
    }

    public Result submit(String orgId, BatchRequest req) {
        if (req.idempotencyKey() != null) {
            Optional<Batch> earlier = batches.findByIdempotencyKey(orgId, req.idempotencyKey());
            if (earlier.isPresent()) return Result.replay(earlier.get());
        }
        Instant now = clock.instant();
        List<FieldError> errors = new ArrayList<>();
        Agent agent = checkBatch(orgId, req, now, true, errors);
        if (!errors.isEmpty()) throw new InvalidInputException("The batch is invalid", errors);
        Validated v = validate(orgId, agent, req, now);
        String batchId = Ids.next("bat");
        Screening.Screened screened;
        try {
            screened = db.tx(c -> {
                if (req.idempotencyKey() != null) releaseExpiredKey(c, orgId, req.idempotencyKey(), now);
                insertBatch(c, orgId, batchId, req, v.rows().size(), now);
                Screening.Screened s = Screening.screen(c, orgId, v.rows(), v.org().dedupAcrossBatches());
                CallWriter.copy(c, new CallWriter.Common(orgId, batchId, agent.id(), req.lineId(), v.maxAttempts()), s.rows(), now);
                announceFinished(c, batchId, 0, s.rows(), now);
                setTotal(c, batchId, s.rows().size());
                Outbox.write(c, now, new Outbox.Event(orgId, "batch.created", batchId, summary(batchId, s, v)));
                if (s.rows().isEmpty()) completeEmpty(c, orgId, batchId, now); // every row was a duplicate of another batch's call
                notifyNodes(c);
                return s;
            });
        } catch (StoreException e) {
            if ("23505".equals(e.sqlState()) && req.idempotencyKey() != null) {
                // A concurrent request with the same key won the race; answer with its batch.
                return Result.replay(batches.findByIdempotencyKey(orgId, req.idempotencyKey()).orElseThrow());
            }
            throw e;
        }
        workSignal.run();
        stats.callsAdded(screened.rows().size());
        return new Result(batches.get(orgId, batchId), v.rowErrors(), false, screened.suppressed(), v.merged(), screened.duplicates());
    }

    /**
     * Creates a batch with no calls yet, for {@link #addToBatch} to fill (Weya's createBatch). It
     * stays {@code pending} until calls are added: an empty batch is never completed.
     */
    public Batch open(String orgId, BatchRequest req) {
        Instant now = clock.instant();
        List<FieldError> errors = new ArrayList<>();
        checkBatch(orgId, req, now, false, errors);
        if (!errors.isEmpty()) throw new InvalidInputException("The batch is invalid", errors);
        String batchId = Ids.next("bat");
        db.tx(c -> {
            insertBatch(c, orgId, batchId, req, 0, now);
            Map<String, Object> payload = new LinkedHashMap<>();
            payload.put("batch_id", batchId);
            payload.put("accepted", 0);
            Outbox.write(c, now, new Outbox.Event(orgId, "batch.created", batchId, payload));
            return null;
        });
        return batches.get(orgId, batchId);
    }

    /**
     * Adds recipients to an existing batch. A number that still has a {@code scheduled} call in the
     * batch updates that call (variables, metadata, priority, times) instead of adding a second one.
     */
    public Result addToBatch(String orgId, String batchId, List<Recipient> recipients, boolean allowPartial) {
        Instant now = clock.instant();
        Batch batch = batches.get(orgId, batchId);
        if (batch.status().equals("cancelled")) throw new ConflictException("batch " + batchId + " is cancelled");
        Agent agent = agents.get(orgId, batch.agentId());
        if (recipients == null || recipients.isEmpty() || recipients.size() > MAX_RECIPIENTS) {
            throw InvalidInputException.of("/recipients", "must list 1 to " + MAX_RECIPIENTS + " recipients");
        }
        BatchRequest req = new BatchRequest(batch.name(), batch.agentId(), batch.lineId(), batch.scheduledAt(), batch.deadline(),
                batch.priority(), batch.variables(), batch.metadata(), null, allowPartial, recipients, null,
                batch.callingWindow(), batch.retryPolicy() == null ? null : RetryPolicy.fromJson(batch.retryPolicy()));
        Validated v = validate(orgId, agent, req, now);
        Screening.Screened screened = db.tx(c -> {
            String status = Batches.lock(c, orgId, batchId);
            if (status.equals("cancelled")) throw new ConflictException("batch " + batchId + " is cancelled");
            int base = nextRowIndex(c, batchId);
            Map<String, String> scheduled = Screening.scheduledByDestination(c, batchId, v.rows());
            List<RecipientValidator.Valid> fresh = new ArrayList<>();
            List<Map<String, Object>> updated = new ArrayList<>();
            for (RecipientValidator.Valid r : v.rows()) {
                String existing = scheduled.get(r.destination());
                if (existing != null) {
                    Screening.updateScheduled(c, existing, r, now);
                    updated.add(Map.of("index", r.index(), "call_id", existing));
                } else {
                    fresh.add(r.withIndex(base + r.index()));
                }
            }
            Screening.Screened s = Screening.screen(c, orgId, fresh, v.org().dedupAcrossBatches());
            CallWriter.copy(c, new CallWriter.Common(orgId, batchId, agent.id(), batch.lineId(), v.maxAttempts()), s.rows(), now);
            announceFinished(c, batchId, base, s.rows(), now);
            setTotal(c, batchId, -1);
            if (status.equals("completed") && !s.rows().isEmpty()) reopen(c, batchId, now);
            Map<String, Object> payload = summary(batchId, s, v);
            payload.put("updated", updated.size());
            Outbox.write(c, now, new Outbox.Event(orgId, "batch.calls_added", batchId, payload));
            notifyNodes(c);
            List<Integer> suppressed = s.suppressed().stream().map(i -> i - base).toList();
            List<Map<String, Object>> duplicates = s.duplicates().stream().map(d -> {
                Map<String, Object> m = new LinkedHashMap<>(d);
                m.put("index", (Integer) d.get("index") - base);
                return m;
            }).toList();
            List<Map<String, Object>> merged = new ArrayList<>(v.merged());
            merged.addAll(updated);
            return new Screening.Screened(s.rows(), suppressed, duplicates, merged);
        });
        workSignal.run();
        stats.callsAdded(screened.rows().size());
        return new Result(batches.get(orgId, batchId), v.rowErrors(), false, screened.suppressed(), screened.merged(),
                screened.duplicates());
    }

    /** Valid rows (duplicates within the request folded), the row errors, and what they were checked against. */
    private record Validated(List<RecipientValidator.Valid> rows, List<FieldError> rowErrors, List<Map<String, Object>> merged,
                             Organizations.Settings org, int maxAttempts) {
    }

    private Validated validate(String orgId, Agent agent, BatchRequest req, Instant now) {
        Organizations.Settings org = db.read(c -> Organizations.settings(c, orgId));
        String windowJson = req.callingWindow() != null ? Json.write(req.callingWindow())
                : agent.callingWindow() != null ? Json.write(agent.callingWindow()) : null;
        RecipientValidator validator = new RecipientValidator(agent, req, now, org.timezone(), windowJson, org.quietHoursGuard(),
                org.regionalRules());
        // Rows are independent and parsing numbers is the costly part, so large batches use every core.
        int n = req.recipients().size();
        RecipientValidator.Valid[] checked = new RecipientValidator.Valid[n];
        @SuppressWarnings("unchecked")
        List<FieldError>[] errorsOf = new List[n];
        java.util.stream.IntStream indexes = java.util.stream.IntStream.range(0, n);
        (n >= PARALLEL_ROWS ? indexes.parallel() : indexes).forEach(i -> {
            List<FieldError> e = new ArrayList<>(0);
            checked[i] = validator.check(i, req.recipients().get(i), e);
            errorsOf[i] = e;
        });
        List<RecipientValidator.Valid> valid = new ArrayList<>(n);
        List<FieldError> rowErrors = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (checked[i] != null) valid.add(checked[i]);
            rowErrors.addAll(errorsOf[i]);
        }
        if (!rowErrors.isEmpty() && (!req.allowPartial() || valid.isEmpty())) {
            throw new InvalidInputException(rowErrors.size() + " recipient error(s); nothing was stored", rowErrors);
        }
        // One number, one call: a later row with the same number replaces the earlier row's data, in its place.
        Map<String, Integer> firstAt = new HashMap<>();
        List<RecipientValidator.Valid> rows = new ArrayList<>(valid.size());
        List<Map<String, Object>> merged = new ArrayList<>();
        for (RecipientValidator.Valid v : valid) {
            Integer at = firstAt.putIfAbsent(v.destination(), rows.size());
            if (at == null) {
                rows.add(v);
            } else {
                RecipientValidator.Valid first = rows.get(at);
                rows.set(at, v.withIndex(first.index()));
                merged.add(Map.of("index", v.index(), "into", first.index()));
            }
        }
        RetryPolicy policy = req.retryPolicy() != null ? req.retryPolicy() : agent.retryPolicy();
        return new Validated(rows, rowErrors, merged, org, policy.maxAttempts());
    }

    private static Map<String, Object> summary(String batchId, Screening.Screened s, Validated v) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("batch_id", batchId);
        m.put("accepted", s.rows().size());
        m.put("rejected", v.rowErrors().size());
        m.put("suppressed", s.suppressed().size());
        m.put("expired", s.rows().stream().filter(r -> "expired".equals(r.outcome())).count());
        m.put("merged", v.merged().size());
        m.put("duplicates", s.duplicates().size());
        return m;
    }

    private static int nextRowIndex(Connection c, String batchId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("select coalesce(max(row_index) + 1, 0) from call where batch_id = ?")) {
            ps.setString(1, batchId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    /** Sets the batch's total to {@code n}, or to its current number of calls when n is negative. */
    private static void setTotal(Connection c, String batchId, int n) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "update batch set total = case when ? >= 0 then ? else (select count(*) from call where batch_id = ?) end where id = ?")) {
            ps.setInt(1, n);
            ps.setInt(2, n);
            ps.setString(3, batchId);
            ps.setString(4, batchId);
            ps.executeUpdate();
        }
    }

    /** A submitted batch left with no calls is complete at once (the housekeeper completes only batches with calls). */
    private static void completeEmpty(Connection c, String orgId, String batchId, Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "update batch set status = 'completed', finished_at = ?, updated_at = ? where id = ?")) {
            ps.setTimestamp(1, Timestamp.from(now));
            ps.setTimestamp(2, Timestamp.from(now));
            ps.setString(3, batchId);
            ps.executeUpdate();
        }
        Outbox.write(c, now, new Outbox.Event(orgId, "batch.completed", batchId, Map.of("batch_id", batchId, "status", "completed")));
    }

    private static void reopen(Connection c, String batchId, Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "update batch set status = 'in_progress', finished_at = null, updated_at = ? where id = ?")) {
            ps.setTimestamp(1, Timestamp.from(now));
            ps.setString(2, batchId);
            ps.executeUpdate();
        }
    }

    /**
     * A call accepted already finished (suppressed by the do-not-call list, or expired because no
     * window opens before its deadline) is announced like any other end (invariant 5), in one statement.
     */
    private static void announceFinished(Connection c, String batchId, int fromRow, List<CallWriter.Row> rows, Instant now)
            throws SQLException {
        if (rows.stream().allMatch(r -> r.outcome() == null)) return; // the usual case: spare a scan of the batch
        try (PreparedStatement ps = c.prepareStatement("""
                insert into outbox (event_id, org_id, type, subject_id, payload, created_at)
                select\s""" + Outbox.eventIdSql("id") + """
                       , org_id, 'call.finished', id,
                       jsonb_build_object('call_id', id, 'batch_id', batch_id, 'state', 'finished', 'outcome', outcome,
                                          'reason', outcome_reason), ?
                from call where batch_id = ? and row_index >= ? and state = 'finished'""")) {
            ps.setTimestamp(1, Timestamp.from(now));
            ps.setString(2, batchId);
            ps.setInt(3, fromRow);
            ps.executeUpdate();
        }
    }

    /** One NOTIFY per transaction, not per row: wakes the dispatchers of other nodes. */
    private static void notifyNodes(Connection c) throws SQLException {
        try (var st = c.createStatement()) {
            st.execute("notify outdial_work");
        }
    }

    private Agent checkBatch(String orgId, BatchRequest req, Instant now, boolean recipientsRequired, List<FieldError> errors) {
        if (req.name() == null || req.name().isBlank()) {
            errors.add(FieldError.of("/name", "is required"));
        } else if (req.name().length() > 200) {
            errors.add(FieldError.of("/name", "must be at most 200 characters"));
        }
        Agent agent = null;
        if (req.agentId() == null) {
            errors.add(FieldError.of("/agent_id", "is required"));
        } else {
            agent = agents.find(orgId, req.agentId()).orElse(null);
            if (agent == null) errors.add(FieldError.of("/agent_id", "no agent " + req.agentId() + " in this organization"));
        }
        if (req.lineId() == null) {
            errors.add(FieldError.of("/line_id", "is required"));
        } else if (lines.find(orgId, req.lineId()).isEmpty()) {
            errors.add(FieldError.of("/line_id", "no line " + req.lineId() + " in this organization"));
        }
        if (req.recipients() == null || req.recipients().isEmpty()) {
            if (recipientsRequired) errors.add(FieldError.of("/recipients", "must list at least one recipient"));
        } else if (req.recipients().size() > MAX_RECIPIENTS) {
            errors.add(FieldError.of("/recipients", "at most " + MAX_RECIPIENTS + " recipients per request, got "
                    + req.recipients().size()));
        }
        TimeChecks.schedule("", req.scheduledAt(), req.deadline(), now, errors);
        TimeChecks.priority("/priority", req.priority(), errors);
        if (req.defaultCountry() != null && !PhoneNumbers.isKnownRegion(req.defaultCountry())) {
            errors.add(FieldError.of("/default_country", "not an ISO 3166 country code libphonenumber knows: " + req.defaultCountry()));
        }
        return agent;
    }

    /** A key older than the replay period may be used again: the old batch lets go of it. */
    private static void releaseExpiredKey(Connection c, String orgId, String key, Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "update batch set idempotency_key = null where org_id = ? and idempotency_key = ? and created_at <= ?")) {
            ps.setString(1, orgId);
            ps.setString(2, key);
            ps.setTimestamp(3, Timestamp.from(now.minus(Duration.ofHours(24))));
            ps.executeUpdate();
        }
    }

    private static void insertBatch(Connection c, String orgId, String batchId, BatchRequest req, int total, Instant now)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                insert into batch (id, org_id, name, agent_id, line_id, status, variables, metadata, scheduled_at, deadline,
                                   priority, total, idempotency_key, created_at, updated_at, calling_window, retry_policy)
                values (?, ?, ?, ?, ?, 'pending', ?::jsonb, ?::jsonb, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?::jsonb)""")) {
            ps.setString(1, batchId);
            ps.setString(2, orgId);
            ps.setString(3, req.name());
            ps.setString(4, req.agentId());
            ps.setString(5, req.lineId());
            ps.setString(6, Json.write(req.variables() == null ? Map.of() : req.variables()));
            ps.setString(7, Json.write(req.metadata() == null ? Map.of() : req.metadata()));
            ps.setTimestamp(8, ts(req.scheduledAt()));
            ps.setTimestamp(9, ts(req.deadline()));
            ps.setInt(10, req.priority() == null ? 0 : req.priority());
            ps.setInt(11, total);
            ps.setString(12, req.idempotencyKey());
            ps.setTimestamp(13, Timestamp.from(now));
            ps.setTimestamp(14, Timestamp.from(now));
            ps.setString(15, req.callingWindow() == null ? null : Json.write(req.callingWindow()));
            ps.setString(16, req.retryPolicy() == null ? null : Json.write(req.retryPolicy()));
            ps.executeUpdate();
        }
    }

    private static Timestamp ts(Instant i) {
        return i == null ? null : Timestamp.from(i);
    }
}
