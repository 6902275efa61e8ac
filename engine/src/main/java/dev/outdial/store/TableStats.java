package dev.outdial.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the planner's statistics of the call table current after bulk intake.
 *
 * <p>Why: every hot statement joins {@code call} to an array of ids ({@code UPDATE … FROM unnest(…)}).
 * On a table that was never analyzed, or has grown many times since, PostgreSQL estimates that the
 * fenced rows ({@code state = 'dialing' and lease_owner = …}) number one, and joins by scanning the
 * whole table once per array element: measured, 986 ms to mark 2,000 calls started in a table of
 * 200,000, against 57 ms once analyzed. Autovacuum analyzes only after its next nap (up to a minute),
 * long after a freshly loaded backlog has started dialing. So when one intake grows the table by a
 * fifth or more, this analyzes it at once, in the background, one analysis at a time. Growth by a
 * fifth each time means a table loaded in equal batches is analyzed a logarithmic number of times.
 */
public final class TableStats {
    private static final Logger log = LoggerFactory.getLogger(TableStats.class);
    /** Growth, as a share of the rows the statistics know of, that makes the statistics stale. */
    private static final double STALE_GROWTH = 0.2;
    /** Smaller intakes never trigger an analysis: planning is fine until the table is large. */
    private static final long MIN_ROWS = 1_000;

    private final Database db;
    private final AtomicBoolean running = new AtomicBoolean();

    public TableStats(Database db) {
        this.db = db;
    }

    /** Called after {@code rowsAdded} calls were committed; returns at once, the analysis runs in the background. */
    public void callsAdded(long rowsAdded) {
        if (rowsAdded < MIN_ROWS || !running.compareAndSet(false, true)) return; // one at a time; the next intake catches up
        Thread.ofVirtual().name("analyze-call").start(() -> {
            try {
                refresh(rowsAdded);
            } catch (RuntimeException e) {
                log.warn("call table: analyze after intake failed ({}); autovacuum will analyze it later", e.toString());
            } finally {
                running.set(false);
            }
        });
    }

    /** Analyzes the call table if {@code rowsAdded} made its statistics stale; true if it did. Tests call it directly. */
    public boolean refresh(long rowsAdded) {
        long known = db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("select reltuples::bigint from pg_class where oid = 'call'::regclass");
                 ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : -1L; // -1: never analyzed
            }
        });
        if (known >= 0 && rowsAdded < known * STALE_GROWTH) return false;
        long started = System.nanoTime();
        db.tx(c -> {
            try (Statement st = c.createStatement()) {
                return st.execute("analyze call");
            }
        });
        log.debug("call table: analyzed after {} new rows ({} known before) in {} ms", rowsAdded, known,
                (System.nanoTime() - started) / 1_000_000);
        return true;
    }
}
