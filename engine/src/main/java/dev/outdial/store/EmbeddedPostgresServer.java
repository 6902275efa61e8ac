package dev.outdial.store;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A PostgreSQL server that Outdial starts and stops with its own process, keeping its files
 * under a data directory so that a second start finds the same data.
 *
 * <p>The zonky library is built for tests and starts PostgreSQL with fsync off; Outdial's server
 * holds customers' contacts, so it runs durable unless the caller asks otherwise (tests do).
 * As root, zonky runs PostgreSQL through {@code unshare -U}, because PostgreSQL refuses to run as root.
 */
public final class EmbeddedPostgresServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EmbeddedPostgresServer.class);

    private final EmbeddedPostgres postgres;

    private EmbeddedPostgresServer(EmbeddedPostgres postgres) {
        this.postgres = postgres;
    }

    /**
     * Starts (initializing on first use) the server whose files are in {@code pgDir}.
     *
     * @param durable true for production: fsync, synchronous commit and full page writes on
     */
    public static EmbeddedPostgresServer start(Path pgDir, boolean durable) {
        return start(pgDir, durable, Map.of());
    }

    /**
     * PostgreSQL's buffer cache for a durable server: an eighth of the machine's memory, at least 256 MB
     * (the old fixed size) and at most 2 GB. The JVM beside it takes its own share and the kernel's page
     * cache serves PostgreSQL too, hence less than the usual quarter. Measured on a 23 GB machine,
     * dispatching 1,000,000 calls in four alternated pairs: 2 GB gave 8,589 / 10,427 / 11,761 / 12,159
     * calls/s where 256 MB gave 8,280 / 8,842 / 11,254 / 10,234 (the call table and its indexes outgrow
     * 256 MB). Memory not used is not touched. Tests keep 256 MB: many servers, small tables.
     */
    static String sharedBuffers(long totalMemoryBytes) {
        long mb = totalMemoryBytes / 8 / (1024 * 1024);
        return Math.clamp(mb, 256, 2048) + "MB";
    }

    /** The machine's memory (a container's limit where there is one), as the JVM sees it. */
    static long totalMemory() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getTotalMemorySize();
    }

    /**
     * As {@link #start(Path, boolean)}, with more server settings on top (benchmarks load
     * {@code pg_stat_statements} this way).
     */
    public static EmbeddedPostgresServer start(Path pgDir, boolean durable, Map<String, String> extraSettings) {
        try {
            Files.createDirectories(pgDir);
            String onOff = durable ? "on" : "off";
            String buffers = extraSettings.getOrDefault("shared_buffers", durable ? sharedBuffers(totalMemory()) : "256MB");
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                    .setDataDirectory(pgDir.toAbsolutePath())
                    .setCleanDataDirectory(false)
                    .setOverrideWorkingDirectory(pgDir.toAbsolutePath().getParent().resolve("pg-bin").toFile())
                    .setPGStartupWait(Duration.ofSeconds(60))
                    // Only a new data directory takes this (initdb). Ids, numbers and names then compare
                    // byte by byte, which for UTF-8 is the same order as C.UTF-8's code points, but
                    // without the libc collation call in every index comparison: intake's COPY of
                    // 10,000 calls into four text-keyed indexes, paired runs, p50 157 vs 167 ms (mean of 6).
                    .setLocaleConfig("lc-collate", "C")
                    .setServerConfig("fsync", onOff)
                    .setServerConfig("synchronous_commit", onOff)
                    .setServerConfig("full_page_writes", onOff)
                    .setServerConfig("max_connections", "200")
                    .setServerConfig("shared_buffers", buffers)
                    // Under load checkpoints are forced by WAL volume (about every max_wal_size / 1.9), and after
                    // each one every page touched goes to the WAL in full once more: 4 GB forces a quarter as many
                    // as the default 1 GB; recovery after a crash replays at most that much. Dispatch of 300,000
                    // calls, alternated: 14,669 / 15,171 vs 13,672 / 12,470 calls/s, CPU per call 198 / 193 vs 200 / 234 µs.
                    .setServerConfig("max_wal_size", durable ? "4GB" : "1GB")
                    .setServerConfig("timezone", "UTC")
                    .setRegisterShutdownHook(false); // Outdial stops it last, after the dispatcher has drained
            extraSettings.forEach(builder::setServerConfig);
            EmbeddedPostgres pg = builder.start();
            log.info("embedded PostgreSQL: started on port {} with data in {} (durable={}, shared_buffers={})",
                    pg.getPort(), pgDir, durable, buffers);
            return new EmbeddedPostgresServer(pg);
        } catch (IOException | RuntimeException e) {
            if (String.valueOf(rootCause(e)).contains("could not lock")) {
                throw new StartupException("The data directory " + pgDir + " is in use by another Outdial process."
                        + " Stop it first, or pass another --data-dir (or OUTDIAL_DATA_DIR).", e);
            }
            throw new StartupException("""
                    The embedded PostgreSQL could not start with data in %s: %s
                    If this machine runs Outdial as root, PostgreSQL needs user namespaces (the command 'unshare -U true' must work);
                    otherwise run Outdial as an ordinary user. Or point Outdial at an external PostgreSQL instead:
                      --db-url jdbc:postgresql://HOST:5432/outdial --db-user USER --db-password PASSWORD
                    (or the variables OUTDIAL_DB_URL, OUTDIAL_DB_USER, OUTDIAL_DB_PASSWORD)."""
                    .formatted(pgDir, rootCause(e)), e);
        }
    }

    /** A JDBC URL for {@code database} as the superuser {@code postgres}. */
    public String jdbcUrl(String database) {
        return postgres.getJdbcUrl("postgres", database);
    }

    public int port() {
        return postgres.getPort();
    }

    @Override
    public void close() {
        try {
            postgres.close();
        } catch (IOException e) {
            log.warn("embedded PostgreSQL: stop failed: {}", e.toString());
        }
    }

    private static String rootCause(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.toString() : t.getMessage();
    }
}
