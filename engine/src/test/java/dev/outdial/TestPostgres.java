package dev.outdial;

import dev.outdial.store.Database;
import dev.outdial.store.EmbeddedPostgresServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.Comparator;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * One real PostgreSQL for the whole test run (embedded, fsync off: tests may relax durability),
 * and a fresh database per test cloned from a migrated template, so tests never see each other's rows.
 */
public final class TestPostgres {
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static EmbeddedPostgresServer server;

    private TestPostgres() {
    }

    private static synchronized EmbeddedPostgresServer server() {
        if (server == null) {
            try {
                Path dir = Files.createTempDirectory("outdial-test-pg");
                server = EmbeddedPostgresServer.start(dir.resolve("pg"), false);
                // Migrate once into a template; every test database is a cheap copy of it.
                try (Connection c = DriverManager.getConnection(server.jdbcUrl("postgres")); Statement st = c.createStatement()) {
                    st.execute("create database outdial_template");
                }
                Database.connect(server.jdbcUrl("outdial_template"), null, null).close();
                EmbeddedPostgresServer started = server;
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    started.close();
                    deleteTree(dir); // hundreds of MB per run: never leave them in /tmp
                }));
            } catch (Exception e) {
                throw new IllegalStateException("test PostgreSQL failed to start", e);
            }
        }
        return server;
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            System.err.println("test PostgreSQL: could not delete " + dir + ": " + e);
        }
    }

    /** A JDBC URL of a new, migrated, empty database. */
    public static String freshUrl() {
        EmbeddedPostgresServer s = server();
        String name = "t" + ProcessHandle.current().pid() + "_" + COUNTER.incrementAndGet();
        try (Connection c = DriverManager.getConnection(s.jdbcUrl("postgres")); Statement st = c.createStatement()) {
            st.execute("create database " + name + " template outdial_template");
        } catch (Exception e) {
            throw new IllegalStateException("cannot create test database " + name, e);
        }
        return s.jdbcUrl(name);
    }

    /** A new, migrated, empty database, connected. */
    public static Database fresh() {
        return Database.connect(freshUrl(), null, null);
    }
}
