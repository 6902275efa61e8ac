package dev.outdial.campaign;

import dev.outdial.store.BinaryCopy;
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
 * Writes accepted calls with PostgreSQL COPY (binary format), in the caller's transaction: tens
 * of thousands of rows cost one round trip per megabyte instead of one per row.
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
     * of each flushed batch while the caller prepares the next ones. Nothing else may use the
     * connection until {@link Stream#finish} or {@link Stream#cancelIfActive}.
     */
    static Stream open(Connection c, Common common, Instant now) throws SQLException {
        CopyIn copy = c.unwrap(PGConnection.class).getCopyAPI().copyIn("""
                copy call (id, org_id, batch_id, agent_id, line_id, row_index, destination, variables, metadata, external_id,
                           timezone, priority, scheduled_at, deadline, max_attempts, state, due_at, created_at, updated_at,
                           zones, zone_reason, wait_reason, region, retry_policy, overrides, outcome, outcome_reason, finished_at)
                from stdin with (format binary)""");
        return new Stream(copy, common, now);
    }

    /** One COPY in progress, in the binary format ({@link BinaryCopy}): rows are buffered and sent a megabyte at a time. */
    static final class Stream {
        /** Fields per row, as listed in the COPY statement. */
        private static final int FIELDS = 28;
        private static final byte[] SCHEDULED = utf8("scheduled");
        private static final byte[] FINISHED = utf8("finished");

        private final CopyIn copy;
        private final Common common;
        private final Instant now;
        private final byte[] orgId;
        private final byte[] batchId;
        private final byte[] agentId;
        private final byte[] lineId;
        private final BinaryCopy out = new BinaryCopy(COPY_CHUNK + 4096).header();

        private Stream(CopyIn copy, Common common, Instant now) {
            this.copy = copy;
            this.common = common;
            this.now = now;
            this.orgId = utf8(common.orgId());
            this.batchId = utf8(common.batchId());
            this.agentId = utf8(common.agentId());
            this.lineId = utf8(common.lineId());
        }

        void write(Row row) throws SQLException {
            RecipientValidator.Valid r = row.call();
            boolean done = row.outcome() != null;
            out.row(FIELDS)
                    .text(Ids.next("cal")).field(orgId).field(batchId).field(agentId).field(lineId)
                    .integer(r.index())
                    .text(r.destination())
                    .jsonb(r.variablesJson())
                    .jsonb(r.metadataJson())
                    .text(r.externalId())
                    .text(r.timezone())
                    .integer(r.priority())
                    .timestamp(r.scheduledAt())
                    .timestamp(r.deadline())
                    .integer(r.retryPolicy() != null ? r.retryPolicy().maxAttempts() : common.maxAttempts())
                    .field(done ? FINISHED : SCHEDULED)
                    .timestamp(r.dueAt())
                    .timestamp(now).timestamp(now)
                    .textArray(r.zones())
                    .text(r.zoneReason())
                    .text(r.waitReason())
                    .text(r.region())
                    .jsonb(r.retryPolicy() == null ? null : Json.write(r.retryPolicy()))
                    .jsonb(r.overridesJson())
                    .text(row.outcome())
                    .text(row.reason())
                    .timestamp(done ? now : null);
            if (out.size() >= COPY_CHUNK) flush();
        }

        /** Sends what is buffered now rather than at the next megabyte, so PostgreSQL can start on it. */
        void flush() throws SQLException {
            if (out.size() == 0) return;
            copy.writeToCopy(out.array(), 0, out.size());
            out.clear();
        }

        /** Ends the COPY; its rows are then part of the transaction. */
        void finish() throws SQLException {
            out.trailer();
            flush();
            copy.endCopy();
        }

        /** Abandons an unfinished COPY, so the connection can roll back (harmless after finish). */
        void cancelIfActive() throws SQLException {
            if (copy.isActive()) copy.cancelCopy();
        }

        private static byte[] utf8(String s) {
            return s.getBytes(StandardCharsets.UTF_8);
        }
    }

    /** A PostgreSQL text[] literal; zone names hold no quotes, commas or braces. */
    static String pgArray(List<String> items) {
        return "{" + String.join(",", items) + "}";
    }
}
