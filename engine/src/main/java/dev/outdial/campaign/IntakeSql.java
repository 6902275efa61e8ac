package dev.outdial.campaign;

import dev.outdial.store.Json;
import dev.outdial.store.Outbox;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/** The statements intake runs around its COPY, in the caller's transaction: the batch row, totals, announcements. */
final class IntakeSql {
    private IntakeSql() {
    }

    static int nextRowIndex(Connection c, String batchId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("select coalesce(max(row_index) + 1, 0) from call where batch_id = ?")) {
            ps.setString(1, batchId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    /** Sets the batch's total to {@code n}, or to its current number of calls when n is negative. */
    static void setTotal(Connection c, String batchId, int n) throws SQLException {
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
    static void completeEmpty(Connection c, String orgId, String batchId, Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "update batch set status = 'completed', finished_at = ?, updated_at = ? where id = ?")) {
            ps.setTimestamp(1, Timestamp.from(now));
            ps.setTimestamp(2, Timestamp.from(now));
            ps.setString(3, batchId);
            ps.executeUpdate();
        }
        Outbox.write(c, now, new Outbox.Event(orgId, "batch.completed", batchId, Map.of("batch_id", batchId, "status", "completed")));
    }

    static void reopen(Connection c, String batchId, Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "update batch set status = 'in_progress', finished_at = null, updated_at = ? where id = ?")) {
            ps.setTimestamp(1, Timestamp.from(now));
            ps.setString(2, batchId);
            ps.executeUpdate();
        }
    }

    /**
     * Calls accepted already finished (suppressed by the do-not-call list, or expired because no
     * window opens before their deadline) are announced like any other end (invariant 5), in one statement.
     */
    static void announceFinished(Connection c, String batchId, int fromRow, Instant now) throws SQLException {
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
    static void notifyNodes(Connection c) throws SQLException {
        try (var st = c.createStatement()) {
            st.execute("notify outdial_work");
        }
    }

    /** A key older than the replay period may be used again: the old batch lets go of it. */
    static void releaseExpiredKey(Connection c, String orgId, String key, Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "update batch set idempotency_key = null where org_id = ? and idempotency_key = ? and created_at <= ?")) {
            ps.setString(1, orgId);
            ps.setString(2, key);
            ps.setTimestamp(3, Timestamp.from(now.minus(Duration.ofHours(24))));
            ps.executeUpdate();
        }
    }

    static void insertBatch(Connection c, String orgId, String batchId, BatchRequest req, int total, Instant now)
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
