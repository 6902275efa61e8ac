package dev.outdial.campaign;

import dev.outdial.store.Json;
import dev.outdial.store.SqlArrays;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Intake's screening, inside its transaction: the do-not-call list, dedup across batches, and
 * finding the scheduled call a re-submitted number should update.
 */
final class Screening {
    private Screening() {
    }

    /**
     * What screening found among the rows just stored, by their {@code row_index}, in row order.
     *
     * @param suppressed rows now stored as {@code suppressed} (do-not-call)
     * @param duplicates rows removed because the number has an unfinished call in another batch: {index, call_id}
     */
    record Found(List<Integer> suppressed, List<Map<String, Object>> duplicates) {
    }

    /**
     * Screens the calls of {@code batchId} from {@code fromRow} on, after they were COPYed, set-based
     * in SQL and in the same transaction: screening then needs no list of numbers before the COPY
     * can start. With {@code acrossBatches}, a row whose number has an unfinished call elsewhere
     * (another batch, or an earlier row of this one) is removed; that check comes first, as a
     * duplicate is not stored at all. A remaining row whose number is on the do-not-call list is
     * stored finished, {@code suppressed}, whatever it was before (an expired row included).
     */
    static Found afterCopy(Connection c, String orgId, String batchId, int fromRow, boolean acrossBatches, Instant now)
            throws SQLException {
        List<Map<String, Object>> duplicates = new ArrayList<>();
        if (acrossBatches) {
            try (PreparedStatement ps = c.prepareStatement("""
                    delete from call n using (
                        select distinct on (o.destination) o.destination, o.id
                        from batch b join call o on o.batch_id = b.id
                        where b.org_id = ? and b.status <> 'completed' and o.phase < 2 and (o.batch_id <> ? or o.row_index < ?)
                          and o.destination in (select destination from call where batch_id = ? and row_index >= ?)) o
                    where n.batch_id = ? and n.row_index >= ? and n.destination = o.destination
                    returning n.row_index, o.id""")) {
                ps.setString(1, orgId);
                ps.setString(2, batchId);
                ps.setInt(3, fromRow);
                ps.setString(4, batchId);
                ps.setInt(5, fromRow);
                ps.setString(6, batchId);
                ps.setInt(7, fromRow);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) duplicates.add(Map.of("index", rs.getInt(1), "call_id", rs.getString(2)));
                }
            }
            duplicates.sort(Comparator.comparingInt(d -> (Integer) d.get("index")));
        }
        List<Integer> suppressed = new ArrayList<>();
        if (hasDoNotCallList(c, orgId)) { // most organizations have none: spare the join over every new row (~10 ms per 10,000)
            try (PreparedStatement ps = c.prepareStatement("""
                    update call c set state = 'finished', outcome = 'suppressed', outcome_reason = 'do_not_call', finished_at = ?
                    from dnc d
                    where c.batch_id = ? and c.row_index >= ? and d.org_id = ? and d.phone_number = c.destination
                    returning c.row_index""")) {
                ps.setTimestamp(1, Timestamp.from(now));
                ps.setString(2, batchId);
                ps.setInt(3, fromRow);
                ps.setString(4, orgId);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) suppressed.add(rs.getInt(1));
                }
            }
        }
        suppressed.sort(null);
        return new Found(suppressed, duplicates);
    }

    private static boolean hasDoNotCallList(Connection c, String orgId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("select exists (select 1 from dnc where org_id = ?)")) {
            ps.setString(1, orgId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    static Map<String, String> scheduledByDestination(Connection c, String batchId, List<RecipientValidator.Valid> rows)
            throws SQLException {
        Map<String, String> out = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement("""
                select destination, id from call where batch_id = ? and phase = 0 and destination = any(?)
                for update""")) {
            ps.setString(1, batchId);
            ps.setArray(2, SqlArrays.text(c, rows.stream().map(RecipientValidator.Valid::destination).toArray(String[]::new)));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.putIfAbsent(rs.getString(1), rs.getString(2));
            }
        }
        return out;
    }

    static void updateScheduled(Connection c, String callId, RecipientValidator.Valid r, Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                update call set variables = ?::jsonb, metadata = ?::jsonb, external_id = coalesce(?, external_id), timezone = ?,
                                priority = ?, scheduled_at = ?, deadline = ?, due_at = coalesce(?, due_at), zones = ?::text[], zone_reason = ?,
                                wait_reason = ?, region = ?, retry_policy = coalesce(?::jsonb, retry_policy), updated_at = ?,
                                max_attempts = coalesce(?, max_attempts), overrides = ?::jsonb,
                                state = case when ? then 'finished' else state end,
                                outcome = case when ? then 'expired' end,
                                outcome_reason = case when ? then 'no_window_before_deadline' end,
                                finished_at = case when ? then ?::timestamptz end
                where id = ? and state = 'scheduled'""")) {
            ps.setString(1, r.variablesJson());
            ps.setString(2, r.metadataJson());
            ps.setString(3, r.externalId());
            ps.setString(4, r.timezone());
            ps.setInt(5, r.priority());
            ps.setTimestamp(6, ts(r.scheduledAt()));
            ps.setTimestamp(7, ts(r.deadline()));
            ps.setTimestamp(8, ts(r.dueAt()));
            ps.setString(9, CallWriter.pgArray(r.zones()));
            ps.setString(10, r.zoneReason());
            ps.setString(11, r.waitReason());
            ps.setString(12, r.region());
            ps.setString(13, r.retryPolicy() == null ? null : Json.write(r.retryPolicy()));
            ps.setTimestamp(14, Timestamp.from(now));
            ps.setObject(15, r.retryPolicy() == null ? null : r.retryPolicy().maxAttempts());
            ps.setString(16, r.overridesJson());
            boolean expire = r.dueAt() == null; // no window opens before the new deadline
            for (int i = 17; i <= 20; i++) ps.setBoolean(i, expire);
            ps.setTimestamp(21, Timestamp.from(now));
            ps.setString(22, callId);
            ps.executeUpdate();
        }
    }

    private static Timestamp ts(Instant i) {
        return i == null ? null : Timestamp.from(i);
    }
}
