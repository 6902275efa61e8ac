package dev.outdial.campaign;

import dev.outdial.store.SqlArrays;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The calls of a new batch, stored as they are checked: chunk k is COPYed while chunk k+1 is
 * validated, so PostgreSQL and the JVM work at the same time (see {@link ChunkedValidation}).
 * Everything happens in the caller's transaction, which is what keeps intake all-or-nothing:
 *
 * <ul>
 *   <li>A bad row stops the COPY, but every later chunk is still checked, so the 422 lists every
 *       bad row; the exception then rolls the transaction back and nothing is stored (invariant 7).
 *       With {@code allow_partial} the bad rows are only listed.
 *   <li>One number, one call: a later row with the number of an earlier one replaces its data, in
 *       its place. The earlier row may already be COPYed, so replaced rows are deleted and written
 *       again after the main COPY (rare: most batches have no such rows).
 *   <li>Do-not-call and dedup across batches are applied to the stored rows, set-based in SQL
 *       ({@link Screening#afterCopy}), so no list of numbers is needed before the COPY starts.
 * </ul>
 */
final class SubmitPipeline {
    private SubmitPipeline() {
    }

    /**
     * What was stored.
     *
     * @param accepted calls stored (suppressed and expired ones included)
     * @param errors   rows left out as invalid (only with allow_partial), in row order
     * @param merged   rows folded into an earlier one with the same number: {index, into}
     * @param expired  calls stored expired (no window before their deadline), not counting suppressed ones
     */
    record Stored(int accepted, List<FieldError> errors, List<Map<String, Object>> merged, Screening.Found found, int expired) {
        boolean anyFinished() {
            return expired > 0 || !found.suppressed().isEmpty();
        }

        /** The new batch's counters as of the commit: every stored call is scheduled, or finished expired or suppressed. */
        Batch.Counts counts() {
            int suppressed = found.suppressed().size();
            Map<String, Integer> byOutcome = new TreeMap<>();
            if (expired > 0) byOutcome.put("expired", expired);
            if (suppressed > 0) byOutcome.put("suppressed", suppressed);
            int finished = expired + suppressed;
            return new Batch.Counts(accepted, accepted - finished, 0, 0, 0, finished, 0, byOutcome);
        }
    }

    static Stored run(Connection c, ChunkedValidation checks, boolean allowPartial, CallWriter.Common common, boolean acrossBatches,
                      Instant now) throws SQLException {
        Map<String, Integer> firstAt = new HashMap<>();
        Map<Integer, RecipientValidator.Valid> replaced = new LinkedHashMap<>();
        List<Map<String, Object>> merged = new ArrayList<>();
        List<FieldError> errors = new ArrayList<>();
        BitSet expired = new BitSet();
        CallWriter.Stream out = CallWriter.open(c, common, now);
        try {
            for (int k = 0; k < checks.chunks(); k++) {
                ChunkedValidation.Chunk chunk = checks.get(k);
                errors.addAll(chunk.errors());
                boolean rejecting = !errors.isEmpty() && !allowPartial;
                if (rejecting) {
                    out.cancelIfActive(); // nothing will be stored: spare PostgreSQL the rest
                    continue;             // but keep checking, to list every bad row
                }
                for (RecipientValidator.Valid v : chunk.valid()) {
                    Integer at = firstAt.putIfAbsent(v.destination(), v.index());
                    if (at == null) {
                        out.write(CallWriter.Row.of(v));
                        expired.set(v.index(), v.dueAt() == null);
                    } else {
                        replaced.put(at, v.withIndex(at));
                        merged.add(Map.of("index", v.index(), "into", at));
                    }
                }
                out.flush(); // let PostgreSQL start on this chunk while the next is checked
            }
            if (!errors.isEmpty() && (!allowPartial || firstAt.isEmpty())) {
                throw new InvalidInputException(errors.size() + " recipient error(s); nothing was stored", errors);
            }
            out.finish();
        } catch (RuntimeException | SQLException e) {
            checks.cancel();
            throw e;
        } finally {
            out.cancelIfActive();
        }
        if (!replaced.isEmpty()) {
            rewrite(c, common, replaced.values(), now);
            for (RecipientValidator.Valid v : replaced.values()) expired.set(v.index(), v.dueAt() == null);
        }
        Screening.Found found = Screening.afterCopy(c, common.orgId(), common.batchId(), 0, acrossBatches, now);
        for (int i : found.suppressed()) expired.clear(i);
        for (Map<String, Object> d : found.duplicates()) expired.clear((Integer) d.get("index"));
        int accepted = firstAt.size() - found.duplicates().size();
        return new Stored(accepted, errors, merged, found, expired.cardinality());
    }

    /** Replaces stored rows with a later row's data at the same place (a number given twice). */
    private static void rewrite(Connection c, CallWriter.Common common, java.util.Collection<RecipientValidator.Valid> rows,
                                Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("delete from call where batch_id = ? and row_index = any(?)")) {
            ps.setString(1, common.batchId());
            ps.setArray(2, SqlArrays.int4(c, rows.stream().map(RecipientValidator.Valid::index).toArray(Integer[]::new)));
            ps.executeUpdate();
        }
        CallWriter.copy(c, common, rows.stream().map(CallWriter.Row::of).toList(), now);
    }
}
