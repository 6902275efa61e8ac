package dev.outdial.campaign;

import dev.outdial.store.Json;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Intake's screening, inside its transaction: the do-not-call list, dedup across batches, and
 * finding the scheduled call a re-submitted number should update.
 */
final class Screening {
    private Screening() {
    }

    /** Rows after screening, with their final outcomes, and what screening reported. */
    record Screened(List<CallWriter.Row> rows, List<Integer> suppressed, List<Map<String, Object>> duplicates,
                            List<Map<String, Object>> merged) {
    }

    static Screened screen(Connection c, String orgId, List<RecipientValidator.Valid> rows, boolean acrossBatches)
            throws SQLException {
        List<String> numbers = rows.stream().map(RecipientValidator.Valid::destination).toList();
        Set<String> listed = DoNotCall.listed(c, orgId, numbers);
        Map<String, String> elsewhere = acrossBatches ? unfinishedByDestination(c, orgId, numbers) : Map.of();
        List<CallWriter.Row> out = new ArrayList<>(rows.size());
        List<Integer> suppressed = new ArrayList<>();
        List<Map<String, Object>> duplicates = new ArrayList<>();
        for (RecipientValidator.Valid r : rows) {
            if (elsewhere.containsKey(r.destination())) {
                duplicates.add(Map.of("index", r.index(), "call_id", elsewhere.get(r.destination())));
            } else if (listed.contains(r.destination())) {
                suppressed.add(r.index());
                out.add(new CallWriter.Row(r, "suppressed", "do_not_call"));
            } else {
                out.add(CallWriter.Row.of(r));
            }
        }
        return new Screened(out, suppressed, duplicates, List.of());
    }

    private static Map<String, String> unfinishedByDestination(Connection c, String orgId, List<String> numbers) throws SQLException {
        Map<String, String> out = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement(
                """
                select c.destination, c.id from batch b join call c on c.batch_id = b.id
                where b.org_id = ? and b.status <> 'completed'
                  and c.destination = any(?) and c.phase < 2""")) {
            ps.setString(1, orgId);
            ps.setArray(2, c.createArrayOf("text", numbers.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.putIfAbsent(rs.getString(1), rs.getString(2));
            }
        }
        return out;
    }

    static Map<String, String> scheduledByDestination(Connection c, String batchId, List<RecipientValidator.Valid> rows)
            throws SQLException {
        Map<String, String> out = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement("""
                select destination, id from call where batch_id = ? and phase = 0 and destination = any(?)
                for update""")) {
            ps.setString(1, batchId);
            ps.setArray(2, c.createArrayOf("text", rows.stream().map(RecipientValidator.Valid::destination).toArray()));
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
