package dev.outdial.schedule;

import dev.outdial.store.Json;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Map;

/** One attempt of a call: what its transcript and analysis belong to, and what their writes are fenced by. */
record AttemptRef(String callId, String orgId, String batchId, int attempt) {
    static AttemptRef of(ClaimedCall c) {
        return new AttemptRef(c.callId(), c.orgId(), c.batchId(), c.attempt());
    }

    /**
     * Sets {@code column} (transcript or analysis) and {@code analysis_pending_since} if the call is still at this
     * attempt; false when a later attempt has begun (what this attempt leaves behind is history then).
     *
     * @param pendingSince when the analysis became due (null: none is due any more)
     */
    boolean set(Connection c, String column, Map<String, Object> value, Instant pendingSince) throws SQLException {
        // A new transcript makes the analysis of an earlier attempt's stale: it goes, and this attempt's comes later.
        String staleAnalysis = column.equals("transcript") ? ", analysis = null" : "";
        try (PreparedStatement ps = c.prepareStatement("update call set " + column + " = ?::jsonb, analysis_pending_since = ?"
                + staleAnalysis + " where id = ? and attempt = ?")) {
            ps.setString(1, Json.write(value));
            ps.setTimestamp(2, pendingSince == null ? null : Timestamp.from(pendingSince));
            ps.setString(3, callId);
            ps.setInt(4, attempt);
            return ps.executeUpdate() == 1;
        }
    }
}
