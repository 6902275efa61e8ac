package dev.outdial.campaign;

import dev.outdial.store.Database;
import dev.outdial.store.Json;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import dev.outdial.schedule.CallingWindow;
import dev.outdial.schedule.DuePlanner;

/** Calls of an organization: read one with its attempts, list a batch's with filters. */
public final class Calls {
    public static final Set<String> STATES = Set.of("scheduled", "dialing", "ringing", "in_progress", "finished");
    public static final Set<String> OUTCOMES = Set.of("completed", "voicemail", "busy", "no_answer", "failed",
            "canceled", "expired", "suppressed");
    private static final String COLUMNS = "id, batch_id, agent_id, line_id, destination, variables::text, metadata::text, "
            + "external_id, timezone, priority, scheduled_at, deadline, state, outcome, outcome_reason, dials, max_attempts, "
            + "due_at, created_at, updated_at, finished_at, row_index, zones, zone_reason, wait_reason, overrides::text";

    private final Database db;

    public Calls(Database db) {
        this.db = db;
    }

    /** The file of an attempt's recording, if it has one; another organization's call is not found. */
    public java.util.Optional<java.nio.file.Path> recording(String orgId, String id, int attempt) {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    select a.recording from call_attempt a join call c on c.id = a.call_id
                    where c.org_id = ? and c.id = ? and a.attempt = ? and a.recording is not null""")) {
                ps.setString(1, orgId);
                ps.setString(2, id);
                ps.setInt(3, attempt);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? java.util.Optional.of(java.nio.file.Path.of(rs.getString(1))) : java.util.Optional.<java.nio.file.Path>empty();
                }
            }
        });
    }

    public Call get(String orgId, String id) {
        return db.read(c -> {
            Call call;
            try (PreparedStatement ps = c.prepareStatement("select " + COLUMNS + " from call where org_id = ? and id = ?")) {
                ps.setString(1, orgId);
                ps.setString(2, id);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) throw new NotFoundException("call", id);
                    call = read(rs, null);
                }
            }
            List<Call.Attempt> attempts = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("""
                    select attempt, node_id, claimed_at, dial_at, started_at, ringing_at, answered_at, ended_at, outcome, reason, sip_code,
                           answered_by, recording is not null
                    from call_attempt where call_id = ? order by attempt""")) {
                ps.setString(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        attempts.add(new Call.Attempt(rs.getInt(1), rs.getString(2), Batches.instant(rs, 3), Batches.instant(rs, 4),
                                Batches.instant(rs, 5), Batches.instant(rs, 6), Batches.instant(rs, 7), Batches.instant(rs, 8),
                                rs.getString(9), rs.getString(10), (Integer) rs.getObject(11), rs.getString(12),
                                rs.getBoolean(13) ? "/v1/calls/" + id + "/attempts/" + rs.getInt(1) + "/recording" : null));
                    }
                }
            }
            Map<String, Object> window = new LinkedHashMap<>();
            try (PreparedStatement ps = c.prepareStatement("""
                    select coalesce(b.calling_window, a.calling_window)::text, o.quiet_hours_guard, b.calling_window is not null,
                           o.regional_rules::text, c.region
                    from call c join batch b on b.id = c.batch_id join agent a on a.id = c.agent_id join org o on o.id = c.org_id
                    where c.id = ?""")) {
                ps.setString(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    CallingWindow effective = DuePlanner.effective(rs.getString(1), rs.getBoolean(2), rs.getString(4), rs.getString(5));
                    window.put("source", rs.getString(1) == null ? "none" : rs.getBoolean(3) ? "batch" : "agent");
                    window.put("quiet_hours_guard", rs.getBoolean(2));
                    window.put("region", rs.getString(5));
                    window.put("regional_rules", dev.outdial.schedule.RegionalRules.matching(rs.getString(4), rs.getString(5)));
                    window.put("effective", effective.describe());
                }
            }
            Map<String, Object> transcript = null;
            Map<String, Object> analysis = null;
            try (PreparedStatement ps = c.prepareStatement("select transcript::text, analysis::text from call where id = ?")) {
                ps.setString(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        if (rs.getString(1) != null) transcript = Json.map(rs.getString(1));
                        if (rs.getString(2) != null) analysis = Json.map(rs.getString(2));
                    }
                }
            }
            return withHistory(call, window, attempts, transcript, analysis);
        });
    }

    /** A batch's calls in submission order; the cursor is the last row's position. */
    public Page<Call> listByBatch(String orgId, String batchId, String state, String outcome, String cursor, int limit) {
        int after = cursor == null ? -1 : parseCursor(cursor);
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("select 1 from batch where org_id = ? and id = ?")) {
                ps.setString(1, orgId);
                ps.setString(2, batchId);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) throw new NotFoundException("batch", batchId);
                }
            }
            try (PreparedStatement ps = c.prepareStatement("select " + COLUMNS + """
                     from call where batch_id = ? and org_id = ? and row_index > ?
                      and (?::text is null or state = ?) and (?::text is null or outcome = ?)
                    order by row_index limit ?""")) {
                ps.setString(1, batchId);
                ps.setString(2, orgId);
                ps.setInt(3, after);
                ps.setString(4, state);
                ps.setString(5, state);
                ps.setString(6, outcome);
                ps.setString(7, outcome);
                ps.setInt(8, limit + 1);
                List<Call> out = new ArrayList<>();
                List<Integer> rows = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(read(rs, null));
                        rows.add(rs.getInt(22));
                    }
                }
                // The cursor is the position of the page's last call; Page.of asks only for that one.
                return Page.of(out, limit, last -> "r" + rows.get(limit - 1));
            }
        });
    }

    private static int parseCursor(String cursor) {
        try {
            if (cursor.startsWith("r")) return Integer.parseInt(cursor.substring(1));
        } catch (NumberFormatException ignored) {
            // falls through to the error below
        }
        throw InvalidInputException.of("/cursor", "not a cursor this API returned: " + cursor);
    }

    private static Call read(ResultSet rs, List<Call.Attempt> history) throws SQLException {
        return new Call(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                Json.map(rs.getString(6)), Json.map(rs.getString(7)), rs.getString(26) == null ? null : Json.map(rs.getString(26)),
                rs.getString(8), rs.getString(9), rs.getInt(10),
                Batches.instant(rs, 11), Batches.instant(rs, 12), rs.getString(13), rs.getString(14), rs.getString(15),
                rs.getInt(16), rs.getInt(17), Batches.instant(rs, 18), Batches.instant(rs, 19), Batches.instant(rs, 20),
                Batches.instant(rs, 21), List.of((String[]) rs.getArray(23).getArray()), rs.getString(24), rs.getString(25),
                null, history, null, null);
    }

    private static Call withHistory(Call c, Map<String, Object> window, List<Call.Attempt> h, Map<String, Object> transcript,
                                    Map<String, Object> analysis) {
        return new Call(c.id(), c.batchId(), c.agentId(), c.lineId(), c.phoneNumber(), c.variables(), c.metadata(),
                c.overrides(), c.externalId(), c.timezone(), c.priority(), c.scheduledAt(), c.deadline(), c.state(), c.outcome(),
                c.outcomeReason(), c.attempts(), c.maxAttempts(), c.dueAt(), c.createdAt(), c.updatedAt(), c.finishedAt(),
                c.zones(), c.zoneReason(), c.waitReason(), window, h, transcript, analysis);
    }
}
