package dev.outdial.campaign;

import dev.outdial.store.Database;
import dev.outdial.store.Ids;
import dev.outdial.store.Json;
import dev.outdial.store.Outbox;
import dev.outdial.store.StoreException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import dev.outdial.schedule.CallingWindow;
import dev.outdial.schedule.DuePlanner;

/**
 * Accepts batches: validates every recipient, then writes the batch and all its calls in one
 * transaction with COPY. A 2xx answer therefore means every accepted call is committed
 * (invariant 1), and a rejected batch leaves nothing behind (invariant 7).
 */
public final class Intake {
    /** Most recipients one request may carry. */
    public static final int MAX_RECIPIENTS = 100_000;
    /** How far ahead a call may be scheduled. */
    static final Duration MAX_SCHEDULE_AHEAD = Duration.ofDays(366);
    /** Bytes buffered before each COPY write. */
    private static final int COPY_CHUNK = 1 << 20;

    private final Database db;
    private final Clock clock;
    private final Agents agents;
    private final Lines lines;
    private final Batches batches;
    private final Runnable workSignal;

    public Intake(Database db, Clock clock, Agents agents, Lines lines, Batches batches, Runnable workSignal) {
        this.db = db;
        this.clock = clock;
        this.agents = agents;
        this.lines = lines;
        this.batches = batches;
        this.workSignal = workSignal;
    }

    /** What intake did: the stored batch, and the rows it left out (only with allow_partial). */
    public record Result(Batch batch, List<FieldError> rejected, boolean replayed) {
    }

    public Result submit(String orgId, BatchRequest req) {
        if (req.idempotencyKey() != null) {
            Optional<Batch> earlier = batches.findByIdempotencyKey(orgId, req.idempotencyKey());
            if (earlier.isPresent()) {
                return new Result(earlier.get(), List.of(), true);
            }
        }
        Instant now = clock.instant();
        List<FieldError> errors = new ArrayList<>();
        Agent agent = checkBatch(orgId, req, now, errors);
        if (!errors.isEmpty()) {
            throw new InvalidInputException("The batch is invalid", errors);
        }
        Organizations.Settings org = db.read(c -> Organizations.settings(c, orgId));
        String windowJson = req.callingWindow() != null ? Json.write(req.callingWindow())
                : agent.callingWindow() != null ? Json.write(agent.callingWindow()) : null;
        CallingWindow window = DuePlanner.effective(windowJson, org.quietHoursGuard());
        RecipientValidator validator = new RecipientValidator(agent, req, now, org.timezone(), window);
        List<RecipientValidator.Valid> valid = new ArrayList<>(req.recipients().size());
        List<FieldError> rowErrors = new ArrayList<>();
        for (int i = 0; i < req.recipients().size(); i++) {
            RecipientValidator.Valid v = validator.check(i, req.recipients().get(i), rowErrors);
            if (v != null) valid.add(v);
        }
        if (!rowErrors.isEmpty() && (!req.allowPartial() || valid.isEmpty())) {
            throw new InvalidInputException(rowErrors.size() + " recipient error(s); nothing was stored", rowErrors);
        }
        String batchId = Ids.next("bat");
        try {
            db.tx(c -> {
                if (req.idempotencyKey() != null) releaseExpiredKey(c, orgId, req.idempotencyKey(), now);
                insertBatch(c, orgId, batchId, req, valid.size(), now);
                copyCalls(c, orgId, batchId, req, agent, valid, now);
                long expired = valid.stream().filter(v -> v.dueAt() == null).count();
                Outbox.write(c, now, new Outbox.Event(orgId, "batch.created", batchId,
                        Map.of("batch_id", batchId, "total", valid.size(), "rejected", rowErrors.size(), "expired", expired)));
                try (var st = c.createStatement()) {
                    // One NOTIFY per transaction, not per row: wakes the dispatchers of other nodes.
                    st.execute("notify outdial_work");
                }
                return null;
            });
        } catch (StoreException e) {
            if ("23505".equals(e.sqlState()) && req.idempotencyKey() != null) {
                // A concurrent request with the same key won the race; answer with its batch.
                return new Result(batches.findByIdempotencyKey(orgId, req.idempotencyKey()).orElseThrow(), List.of(), true);
            }
            throw e;
        }
        workSignal.run();
        return new Result(batches.get(orgId, batchId), rowErrors, false);
    }

    private Agent checkBatch(String orgId, BatchRequest req, Instant now, List<FieldError> errors) {
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
            errors.add(FieldError.of("/recipients", "must list at least one recipient"));
        } else if (req.recipients().size() > MAX_RECIPIENTS) {
            errors.add(FieldError.of("/recipients", "at most " + MAX_RECIPIENTS + " recipients per request, got "
                    + req.recipients().size()));
        }
        TimeChecks.schedule("", req.scheduledAt(), req.deadline(), now, errors);
        TimeChecks.priority("/priority", req.priority(), errors);
        if (req.defaultCountry() != null && !RecipientValidator.isKnownRegion(req.defaultCountry())) {
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
                                   priority, total, idempotency_key, created_at, updated_at)
                values (?, ?, ?, ?, ?, 'pending', ?::jsonb, ?::jsonb, ?, ?, ?, ?, ?, ?, ?)""")) {
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
            ps.executeUpdate();
        }
    }

    private static void copyCalls(Connection c, String orgId, String batchId, BatchRequest req, Agent agent,
                                  List<RecipientValidator.Valid> rows, Instant now) throws SQLException {
        CopyIn copy = c.unwrap(PGConnection.class).getCopyAPI().copyIn("""
                copy call (id, org_id, batch_id, agent_id, line_id, row_index, destination, variables, metadata, external_id,
                           timezone, priority, scheduled_at, deadline, max_attempts, state, due_at, created_at, updated_at,
                           zones, zone_reason, wait_reason, outcome, outcome_reason, finished_at)
                from stdin with (format csv)""");
        try {
            String nowText = now.toString();
            String common = csv(orgId) + ',' + csv(batchId) + ',' + csv(agent.id()) + ',' + csv(req.lineId()) + ',';
            int maxAttempts = (req.retryPolicy() != null ? req.retryPolicy() : agent.retryPolicy()).maxAttempts();
            StringBuilder sb = new StringBuilder(COPY_CHUNK + 4096);
            for (RecipientValidator.Valid r : rows) {
                sb.append(csv(Ids.next("cal"))).append(',').append(common)
                        .append(r.index()).append(',')
                        .append(csv(r.destination())).append(',')
                        .append(csv(Json.write(r.variables()))).append(',')
                        .append(csv(Json.write(r.metadata()))).append(',')
                        .append(csv(r.externalId())).append(',')
                        .append(csv(r.timezone())).append(',')
                        .append(r.priority()).append(',')
                        .append(csv(r.scheduledAt() == null ? null : r.scheduledAt().toString())).append(',')
                        .append(csv(r.deadline() == null ? null : r.deadline().toString())).append(',')
                        .append(maxAttempts).append(',')
                        .append(r.dueAt() == null ? "finished" : "scheduled").append(',')
                        .append(r.dueAt() == null ? "" : r.dueAt().toString()).append(',')
                        .append(nowText).append(',').append(nowText).append(',')
                        .append(csv(pgArray(r.zones()))).append(',')
                        .append(csv(r.zoneReason())).append(',')
                        .append(csv(r.waitReason())).append(',');
                if (r.dueAt() == null) { // no lawful moment before the deadline: accepted, and expired at once
                    sb.append("expired,\"no_window_before_deadline\",").append(nowText).append('\n');
                } else {
                    sb.append(",,\n");
                }
                if (sb.length() >= COPY_CHUNK) {
                    flush(copy, sb);
                }
            }
            flush(copy, sb);
            copy.endCopy();
        } finally {
            if (copy.isActive()) copy.cancelCopy();
        }
    }

    private static void flush(CopyIn copy, StringBuilder sb) throws SQLException {
        byte[] bytes = sb.toString().getBytes(StandardCharsets.UTF_8);
        copy.writeToCopy(bytes, 0, bytes.length);
        sb.setLength(0);
    }

    /** A PostgreSQL text[] literal; zone names hold no quotes, commas or braces. */
    static String pgArray(List<String> items) {
        return "{" + String.join(",", items) + "}";
    }

    /** One CSV field: null is an unquoted empty field (SQL NULL); text is quoted with quotes doubled. */
    static String csv(String value) {
        if (value == null) return "";
        return '"' + value.replace("\"", "\"\"") + '"';
    }

    private static Timestamp ts(Instant i) {
        return i == null ? null : Timestamp.from(i);
    }

}
