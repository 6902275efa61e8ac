package dev.outdial.schedule;

import dev.outdial.store.SqlArrays;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;

/**
 * The one place where "was this attempt handed to the carrier?" is decided: its {@code call_attempt}
 * row. The start stamps {@code started_at} on a row not yet ended (the pacer does so up to its arm lead
 * before the slot, and from then on the call counts as dialed); every path that takes a claimed
 * call back (release, lease expiry, cancel, do-not-call) first ends the row while it is not started.
 * Both are UPDATEs of that one row, so PostgreSQL orders them by its row lock and re-checks the loser's
 * condition against the winner's version: exactly one of "dialed" and "taken back" happens (invariant 2).
 *
 * <p>Why the attempt row and not the call row: the call row is wide and has seven indexes, and a
 * start that rewrote it cost about a fifth of PostgreSQL's time per call at 1,000,000 calls; the
 * attempt row is narrow, has one index, and is written at the start anyway for the attempt's history.
 *
 * <p>Lock order: takers lock the call row first (FOR UPDATE, or the UPDATE that moves it), then the
 * attempt row; the start locks only attempt rows. No cycle.
 */
public final class StartFence {
    private StartFence() {
    }

    /**
     * Ends the given attempts that were never started, with {@code outcome} and {@code reason}.
     * Returns the call ids whose attempt it ended; an attempt left out was started (or had ended).
     * Run it in a statement of its own after locking the call rows, so it sees every committed start.
     * Reading back the end time and outcome is exact because callers pass only the current attempt of
     * a call they hold locked in {@code dialing}: a taker ends the attempt and moves the call in one
     * transaction, so no one else ever sees such an attempt already ended.
     */
    public static Set<String> closeUnstarted(Connection c, String[] callIds, Integer[] attempts, String outcome, String reason,
                                      Instant now) throws SQLException {
        Set<String> closed = new HashSet<>();
        if (callIds.length == 0) return closed;
        // The test for "not started, not ended" sits in the SET, for the planner's sake (see CallTransitions.markStarted);
        // a row that fails it is rewritten unchanged, which still orders this statement after a start in flight.
        Timestamp at = Timestamp.from(now);
        try (PreparedStatement ps = c.prepareStatement("""
                update call_attempt a
                set ended_at = case when a.started_at is null and a.ended_at is null then ? else a.ended_at end,
                    outcome = case when a.started_at is null and a.ended_at is null then ? else a.outcome end,
                    reason = case when a.started_at is null and a.ended_at is null then ? else a.reason end
                from unnest(?::text[], ?::int[]) as u(id, attempt)
                where a.call_id = u.id and a.attempt = u.attempt
                returning a.call_id, a.started_at is null and a.ended_at = ? and a.outcome = ?""")) {
            ps.setTimestamp(1, at);
            ps.setString(2, outcome);
            ps.setString(3, reason);
            ps.setArray(4, SqlArrays.text(c, callIds));
            ps.setArray(5, SqlArrays.int4(c, attempts));
            ps.setTimestamp(6, at);
            ps.setString(7, outcome);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (rs.getBoolean(2)) closed.add(rs.getString(1));
                }
            }
        }
        return closed;
    }
}
