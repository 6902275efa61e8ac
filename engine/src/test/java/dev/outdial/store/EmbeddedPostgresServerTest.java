package dev.outdial.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outdial.config.OutdialConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The production database path: a durable embedded server whose data survives a restart. */
class EmbeddedPostgresServerTest {

    @Test
    void a_second_start_finds_the_data_of_the_first(@TempDir Path dir) {
        OutdialConfig config = OutdialConfig.fromEnv(Map.of()).withDataDir(dir);
        try (Database db = Database.open(config)) {
            db.tx(c -> c.createStatement().executeUpdate("insert into org (id, name, created_at) values ('org_keep', 'k', now())"));
            String fsync = db.read(c -> {
                try (ResultSet rs = c.createStatement().executeQuery("show fsync")) {
                    rs.next();
                    return rs.getString(1);
                }
            });
            assertThat(fsync).as("the embedded server runs durable").isEqualTo("on");
            String collation = db.read(c -> {
                try (ResultSet rs = c.createStatement().executeQuery(
                        "select datcollate from pg_database where datname = current_database()")) {
                    rs.next();
                    return rs.getString(1);
                }
            });
            assertThat(collation).as("byte-order collation, for fast index comparisons").isEqualTo("C");
            String buffers = db.read(c -> {
                try (ResultSet rs = c.createStatement().executeQuery("select setting::bigint * 8192 / 1048576 || 'MB' from pg_settings where name = 'shared_buffers'")) {
                    rs.next();
                    return rs.getString(1);
                }
            });
            assertThat(buffers).as("the buffer cache sized to this machine").isEqualTo(EmbeddedPostgresServer.sharedBuffers(EmbeddedPostgresServer.totalMemory()));
        }
        assertThat(dir.resolve("pg/PG_VERSION")).exists();
        try (Database db = Database.open(config)) {
            String name = db.read(c -> {
                try (ResultSet rs = c.createStatement().executeQuery("select name from org where id = 'org_keep'")) {
                    return rs.next() ? rs.getString(1) : null;
                }
            });
            assertThat(name).isEqualTo("k");
        }
    }

    @Test
    void the_buffer_cache_is_an_eighth_of_memory_between_256_mb_and_2_gb() {
        long gb = 1024L * 1024 * 1024;
        assertThat(EmbeddedPostgresServer.sharedBuffers(gb)).isEqualTo("256MB");
        assertThat(EmbeddedPostgresServer.sharedBuffers(4 * gb)).isEqualTo("512MB");
        assertThat(EmbeddedPostgresServer.sharedBuffers(12 * gb)).isEqualTo("1536MB");
        assertThat(EmbeddedPostgresServer.sharedBuffers(64 * gb)).isEqualTo("2048MB");
    }

    @Test
    void a_data_directory_that_cannot_be_used_fails_with_a_message_that_says_what_to_do(@TempDir Path dir) throws Exception {
        Path notADir = Files.writeString(dir.resolve("file"), "x");
        assertThatThrownBy(() -> EmbeddedPostgresServer.start(notADir.resolve("pg"), true))
                .isInstanceOf(StartupException.class)
                .hasMessageContaining("could not start")
                .hasMessageContaining("--db-url")
                .hasMessageContaining("OUTDIAL_DB_URL");
    }

    @Test
    void an_unreachable_external_database_fails_with_the_setting_to_check() {
        assertThatThrownBy(() -> Database.connect("jdbc:postgresql://127.0.0.1:1/none?connectTimeout=2", "u", "p"))
                .isInstanceOf(StartupException.class)
                .hasMessageContaining("--db-url");
    }
}
