package dev.outdial.schedule;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;

/** Returns a claimed call that was never handed to the carrier to the queue, due as before. */
final class ReleaseSql {
    private ReleaseSql() {
    }

    /** 1 if released; 0 if the call was started, moved on, or is not held by {@code owner} (null: any owner). */
    static int release(Connection c, String callId, int attempt, String owner, Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                select 1 from call where id = ? and attempt = ? and state = 'dialing' and (?::text is null or lease_owner = ?)
                for update""")) {
            ps.setString(1, callId);
            ps.setInt(2, attempt);
            ps.setString(3, owner);
            ps.setString(4, owner);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) return 0;
            }
        }
        if (StartFence.closeUnstarted(c, new String[] {callId}, new Integer[] {attempt}, "released", "claimed_not_dialed", now)
                .isEmpty()) {
            return 0; // started: it is the carrier's now
        }
        try (PreparedStatement ps = c.prepareStatement("""
                update call set state = 'scheduled', lease_owner = null, lease_expires_at = null, dials = dials - 1, updated_at = ?
                where id = ? and attempt = ?""")) {
            ps.setTimestamp(1, Timestamp.from(now));
            ps.setString(2, callId);
            ps.setInt(3, attempt);
            ps.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement("""
                insert into outbox (event_id, org_id, type, subject_id, payload, created_at)
                select ?, org_id, 'call.released', id,
                       jsonb_build_object('call_id', id, 'batch_id', batch_id, 'attempt', ?::int, 'state', 'scheduled',
                                          'reason', 'claimed_not_dialed'), ?
                from call where id = ?""")) {
            ps.setString(1, dev.outdial.store.Ids.next("evt"));
            ps.setInt(2, attempt);
            ps.setTimestamp(3, Timestamp.from(now));
            ps.setString(4, callId);
            ps.executeUpdate();
        }
        return 1;
    }
}
