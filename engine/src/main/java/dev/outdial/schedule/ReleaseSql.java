package dev.outdial.schedule;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;

/** Returns a claimed call that was never handed to the carrier to the queue, due as before. */
final class ReleaseSql {
    private ReleaseSql() {
    }

    /** 1 if released; 0 if the call was started, moved on, or is not held by {@code owner} (null: any owner). */
    static int release(Connection c, String callId, int attempt, String owner, Instant now) throws SQLException {
        int n;
        try (PreparedStatement ps = c.prepareStatement("""
                update call set state = 'scheduled', lease_owner = null, lease_expires_at = null, updated_at = ?
                where id = ? and attempt = ? and state = 'dialing' and dial_started_at is null
                  and (?::text is null or lease_owner = ?)""")) {
            ps.setTimestamp(1, Timestamp.from(now));
            ps.setString(2, callId);
            ps.setInt(3, attempt);
            ps.setString(4, owner);
            ps.setString(5, owner);
            n = ps.executeUpdate();
        }
        if (n == 1) {
            CallTransitions.finishAttempt(c, callId, attempt, now, "released", "claimed_not_dialed", null);
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
        }
        return n;
    }
}
