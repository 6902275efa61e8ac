package dev.outdial.bench;

import dev.outdial.store.Database;
import dev.outdial.store.EmbeddedPostgresServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

/**
 * A throw-away embedded PostgreSQL in a temp directory, migrated and pooled as the engine does it.
 * Durable (fsync, synchronous commit and full page writes on) unless asked otherwise, as in
 * production. Closed at the end of a run, or by a shutdown hook when the run is interrupted
 * (Ctrl-C), so no PostgreSQL is left running.
 */
final class BenchDb implements AutoCloseable {
    private final Path dir;
    private final EmbeddedPostgresServer server;
    private final Database db;
    private final boolean keep;
    private final AtomicBoolean closed = new AtomicBoolean();

    private BenchDb(Path dir, EmbeddedPostgresServer server, Database db, boolean keep) {
        this.dir = dir;
        this.server = server;
        this.db = db;
        this.keep = keep;
    }

    static BenchDb start(String name, boolean durable, boolean keep) {
        return start(name, durable, keep, false, java.util.Map.of());
    }

    /**
     * @param pgStats  load pg_stat_statements, so {@link #printTopStatements} can say where PostgreSQL's time went
     * @param settings more server settings, on top of the engine's own (to try one out)
     */
    static BenchDb start(String name, boolean durable, boolean keep, boolean pgStats, java.util.Map<String, String> settings) {
        Path dir;
        try {
            dir = Files.createTempDirectory("outdial-bench-" + name + "-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        java.util.Map<String, String> extra = new java.util.HashMap<>(settings);
        if (pgStats) {
            extra.put("shared_preload_libraries", "pg_stat_statements");
            extra.put("pg_stat_statements.track", "all");
        }
        EmbeddedPostgresServer server = EmbeddedPostgresServer.start(dir.resolve("pg"), durable, extra);
        Database db = Database.connect(server.jdbcUrl("postgres"), "postgres", null);
        if (pgStats) {
            db.tx(c -> {
                try (var st = c.createStatement()) {
                    st.execute("create extension if not exists pg_stat_statements");
                }
                return null;
            });
        }
        BenchDb env = new BenchDb(dir, server, db, keep);
        Runtime.getRuntime().addShutdownHook(new Thread(env::close, "bench-db-cleanup"));
        return env;
    }

    Path dir() {
        return dir;
    }

    Database db() {
        return db;
    }

    /** Empties pg_stat_statements, so what follows is measured alone. */
    void resetStatements() {
        db.tx(c -> {
            try (var st = c.createStatement()) {
                st.execute("select pg_stat_statements_reset()");
                st.execute("select pg_stat_reset_shared('wal')");
                st.execute("select pg_stat_reset_shared('checkpointer')");
            }
            return null;
        });
    }

    /** Prints the {@code n} statements PostgreSQL spent the most time in since the last reset. */
    void printTopStatements(int n) {
        db.read(c -> {
            try (var st = c.createStatement(); var rs = st.executeQuery("""
                    select round(total_exec_time)::bigint, calls, rows, round(100 * total_exec_time / sum(total_exec_time) over ())::int,
                           round(wal_bytes / 1048576)::bigint, regexp_replace(left(query, 160), '\\s+', ' ', 'g'),
                           round(total_plan_time)::bigint
                    from pg_stat_statements order by total_exec_time desc limit %d""".formatted(n))) {
                System.out.println("PostgreSQL time by statement (ms executing, ms planning (pg_stat_statements.track_planning), calls, rows, %,"
                        + " WAL MB, statement):");
                while (rs.next()) {
                    System.out.printf("%9d %7d %9d %10d %3d%% %7d  %s%n", rs.getLong(1), rs.getLong(7), rs.getLong(2), rs.getLong(3),
                            rs.getInt(4), rs.getLong(5), rs.getString(6));
                }
            }
            try (var st = c.createStatement(); var rs = st.executeQuery("""
                    select w.wal_records, w.wal_fpi, w.wal_bytes, k.num_timed, k.num_requested, k.buffers_written
                    from pg_stat_wal w, pg_stat_checkpointer k""")) {
                rs.next();
                System.out.printf("WAL: %,d records, %,d full-page images, %,d MB; checkpoints: %d timed, %d requested, %,d buffers written%n",
                        rs.getLong(1), rs.getLong(2), rs.getLong(3) >> 20, rs.getLong(4), rs.getLong(5), rs.getLong(6));
            }
            try (var st = c.createStatement(); var rs = st.executeQuery("""
                    select relname, n_tup_ins, n_tup_upd, n_tup_hot_upd, n_live_tup, n_dead_tup, autovacuum_count
                    from pg_stat_user_tables where relname in ('call', 'call_attempt', 'outbox') order by relname""")) {
                while (rs.next()) {
                    System.out.printf("%s: %,d inserted, %,d updated of which %,d HOT; %,d live, %,d dead rows; %d autovacuums%n",
                            rs.getString(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5), rs.getLong(6), rs.getLong(7));
                }
            }
            return null;
        });
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) return;
        db.close();
        server.close();
        if (keep) {
            System.out.println("kept data directory " + dir);
        } else {
            deleteTree(dir);
        }
    }

    static void deleteTree(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            System.err.println("could not delete " + dir + ": " + e);
        }
    }
}
