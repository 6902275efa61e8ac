package dev.outdial.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.outdial.config.OutdialConfig;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The store's front door: starts or connects to PostgreSQL, migrates the schema, and runs work
 * in transactions. Every other store class borrows connections from here.
 */
public final class Database implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Database.class);

    /** Pool size: dispatch, pacing, call events and HTTP share it; PostgreSQL does best with few connections per core. */
    private static final int POOL_SIZE = 24;

    private final EmbeddedPostgresServer embedded;
    private final HikariDataSource dataSource;

    private Database(EmbeddedPostgresServer embedded, HikariDataSource dataSource) {
        this.embedded = embedded;
        this.dataSource = dataSource;
    }

    /** Opens the database the configuration names (embedded unless a URL is given) and migrates it. */
    public static Database open(OutdialConfig config) {
        if (config.embeddedDatabase()) {
            EmbeddedPostgresServer server = EmbeddedPostgresServer.start(config.dataDir().resolve("pg"), true);
            try {
                return connect(server, server.jdbcUrl("postgres"), "postgres", null);
            } catch (RuntimeException e) {
                server.close();
                throw e;
            }
        }
        return connect(null, config.dbUrl(), config.dbUser(), config.dbPassword());
    }

    /** Connects to an existing PostgreSQL and migrates it. */
    public static Database connect(String url, String user, String password) {
        return connect(null, url, user, password);
    }

    private static Database connect(EmbeddedPostgresServer embedded, String url, String user, String password) {
        HikariConfig hc = new HikariConfig();
        hc.setJdbcUrl(url);
        if (user != null) hc.setUsername(user);
        if (password != null) hc.setPassword(password);
        hc.setMaximumPoolSize(POOL_SIZE);
        hc.setPoolName("outdial");
        hc.setAutoCommit(true);
        hc.setConnectionTimeout(10_000);
        hc.addDataSourceProperty("reWriteBatchedInserts", "true");
        // The hot paths join tables with unnest(array) parameters of very different sizes. After a few
        // executions PostgreSQL may switch a prepared statement to a generic plan that guesses the
        // array's size and scans the whole call table per element: a 2,000-call start took ~55 s in
        // the dispatch bench. Custom plans cost a little planning each time and see the real arrays.
        hc.setConnectionInitSql("set plan_cache_mode = force_custom_plan");
        HikariDataSource ds;
        try {
            ds = new HikariDataSource(hc);
        } catch (RuntimeException e) {
            throw new StartupException("Cannot connect to PostgreSQL at " + url + ": " + e.getMessage()
                    + "\nCheck --db-url / OUTDIAL_DB_URL, the user and the password, and that the server is running.", e);
        }
        try {
            var result = Flyway.configure().dataSource(ds).locations("classpath:db/migration").load().migrate();
            log.info("database: schema up to date ({} migrations applied now)", result.migrationsExecuted);
        } catch (RuntimeException e) {
            ds.close();
            throw new StartupException("Database migration failed: " + e.getMessage(), e);
        }
        return new Database(embedded, ds);
    }

    public DataSource dataSource() {
        return dataSource;
    }

    /** Runs {@code work} in one transaction: committed if it returns, rolled back if it throws. */
    public <T> T tx(SqlFunction<T> work) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                T result = work.apply(c);
                c.commit();
                return result;
            } catch (Throwable t) {
                rollbackQuietly(c, t);
                throw t;
            } finally {
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new StoreException(e);
        }
    }

    /**
     * As {@link #tx}, for work whose statements reach rows by key: arrays of ids joined with
     * {@code unnest}. Sequential scans are priced out for this transaction only ({@code set local}).
     *
     * <p>Why: the fenced rows of such a join ({@code state = 'dialing' and lease_owner = …}) are
     * rare when the table is analyzed, so PostgreSQL estimates one and may pick "scan the whole
     * table, then loop over the array": measured, 986 ms to mark 2,000 calls started among 200,000,
     * against 57 ms through the primary key. A probe per id is never much worse than that plan and
     * usually far better.
     */
    public <T> T txByKeys(SqlFunction<T> work) {
        return tx(c -> {
            try (Statement st = c.createStatement()) {
                st.execute("set local enable_seqscan = off");
            }
            return work.apply(c);
        });
    }

    /** Runs read-only work on a connection in autocommit mode. */
    public <T> T read(SqlFunction<T> work) {
        try (Connection c = dataSource.getConnection()) {
            return work.apply(c);
        } catch (SQLException e) {
            throw new StoreException(e);
        }
    }

    private static void rollbackQuietly(Connection c, Throwable cause) {
        try {
            c.rollback();
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
    }

    @Override
    public void close() {
        dataSource.close();
        if (embedded != null) {
            embedded.close();
        }
    }

    /** Work on a connection that may throw SQLException. */
    @FunctionalInterface
    public interface SqlFunction<T> {
        T apply(Connection c) throws SQLException;
    }
}
