package dev.outdial.campaign;

import dev.outdial.store.Ids;
import dev.outdial.store.Json;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * Writes accepted calls with PostgreSQL COPY, in the caller's transaction: tens of thousands of
 * rows cost one round trip per megabyte instead of one per row.
 */
final class CallWriter {
    /** Bytes buffered before each COPY write. */
    private static final int COPY_CHUNK = 1 << 20;

    private CallWriter() {
    }

    /**
     * A call to store. A row with an {@code outcome} is stored already finished (for instance
     * {@code suppressed} by the do-not-call list, or {@code expired} when no window opens in time).
     */
    record Row(RecipientValidator.Valid call, String outcome, String reason) {
        static Row of(RecipientValidator.Valid v) {
            return v.dueAt() == null ? new Row(v, "expired", "no_window_before_deadline") : new Row(v, null, null);
        }
    }

    /** The batch-wide values every row shares. */
    record Common(String orgId, String batchId, String agentId, String lineId, int maxAttempts) {
    }

    static void copy(Connection c, Common common, List<Row> rows, Instant now) throws SQLException {
        if (rows.isEmpty()) return;
        Stream out = open(c, common, now);
        try {
            for (Row row : rows) out.write(row);
            out.finish();
        } finally {
            out.cancelIfActive();
        }
    }

    /**
     * Starts a COPY that rows can be written to as they become ready: PostgreSQL stores the rows
     * of each flushed megabyte while the caller prepares the next ones. Nothing else may use the
     * connection until {@link Stream#finish} or {@link Stream#cancelIfActive}.
     */
    static Stream open(Connection c, Common common, Instant now) throws SQLException {
        CopyIn copy = c.unwrap(PGConnection.class).getCopyAPI().copyIn("""
                copy call (id, org_id, batch_id, agent_id, line_id, row_index, destination, variables, metadata, external_id,
                           timezone, priority, scheduled_at, deadline, max_attempts, state, due_at, created_at, updated_at,
                           zones, zone_reason, wait_reason, region, retry_policy, overrides, outcome, outcome_reason, finished_at)
                from stdin with (format csv)""");
        return new Stream(copy, common, now.toString());
    }

    /** One COPY in progress: rows are buffered and sent a megabyte at a time. */
    static final class Stream {
        private final CopyIn copy;
        private final Common common;
        private final String nowText;
        private final String shared;
        private final StringBuilder sb = new StringBuilder(COPY_CHUNK + 4096);
        private int written;

        private Stream(CopyIn copy, Common common, String nowText) {
            this.copy = copy;
            this.common = common;
            this.nowText = nowText;
            this.shared = csv(common.orgId()) + ',' + csv(common.batchId()) + ',' + csv(common.agentId()) + ','
                    + csv(common.lineId()) + ',';
        }

        /** Rows written so far. */
        int written() {
            return written;
        }

        void write(Row row) throws SQLException {
            RecipientValidator.Valid r = row.call();
            boolean done = row.outcome() != null;
            sb.append(csv(Ids.next("cal"))).append(',').append(shared)
                    .append(r.index()).append(',')
                    .append(csv(r.destination())).append(',')
                    .append(csv(r.variablesJson())).append(',')
                    .append(csv(r.metadataJson())).append(',')
                    .append(csv(r.externalId())).append(',')
                    .append(csv(r.timezone())).append(',')
                    .append(r.priority()).append(',')
                    .append(csv(r.scheduledAt() == null ? null : r.scheduledAt().toString())).append(',')
                    .append(csv(r.deadline() == null ? null : r.deadline().toString())).append(',')
                    .append(r.retryPolicy() != null ? r.retryPolicy().maxAttempts() : common.maxAttempts()).append(',')
                    .append(done ? "finished" : "scheduled").append(',')
                    .append(r.dueAt() == null ? "" : r.dueAt().toString()).append(',')
                    .append(nowText).append(',').append(nowText).append(',')
                    .append(csv(pgArray(r.zones()))).append(',')
                    .append(csv(r.zoneReason())).append(',')
                    .append(csv(r.waitReason())).append(',')
                    .append(csv(r.region())).append(',')
                    .append(csv(r.retryPolicy() == null ? null : Json.write(r.retryPolicy()))).append(',')
                    .append(csv(r.overridesJson())).append(',');
            if (done) {
                sb.append(csv(row.outcome())).append(',').append(csv(row.reason())).append(',').append(nowText).append('\n');
            } else {
                sb.append(",,\n");
            }
            written++;
            if (sb.length() >= COPY_CHUNK) flush();
        }

        /** Sends what is buffered now rather than at the next megabyte, so PostgreSQL can start on it. */
        void flush() throws SQLException {
            if (sb.isEmpty()) return;
            byte[] bytes = sb.toString().getBytes(StandardCharsets.UTF_8);
            copy.writeToCopy(bytes, 0, bytes.length);
            sb.setLength(0);
        }

        /** Ends the COPY; its rows are then part of the transaction. */
        void finish() throws SQLException {
            flush();
            copy.endCopy();
        }

        /** Abandons an unfinished COPY, so the connection can roll back (harmless after finish). */
        void cancelIfActive() throws SQLException {
            if (copy.isActive()) copy.cancelCopy();
        }
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
}
