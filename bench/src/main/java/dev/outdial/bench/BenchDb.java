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
        Path dir;
        try {
            dir = Files.createTempDirectory("outdial-bench-" + name + "-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        EmbeddedPostgresServer server = EmbeddedPostgresServer.start(dir.resolve("pg"), durable);
        Database db = Database.connect(server.jdbcUrl("postgres"), "postgres", null);
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
