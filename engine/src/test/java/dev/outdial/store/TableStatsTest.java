package dev.outdial.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outdial.TestPostgres;
import java.sql.ResultSet;
import org.junit.jupiter.api.Test;

class TableStatsTest {

    @Test
    void a_never_analyzed_call_table_is_analyzed_after_a_large_intake_and_not_again_for_small_growth() {
        try (Database db = TestPostgres.fresh()) {
            db.tx(c -> c.createStatement().executeUpdate("""
                    insert into call (id, org_id, batch_id, agent_id, line_id, row_index, destination, max_attempts, state,
                                      created_at, updated_at)
                    select 'cal_' || lpad(i::text, 20, '0'), 'org_x', 'bat_x', 'agt_x', 'lin_x', i, '+1415555' || lpad(i::text, 4, '0'),
                           3, 'scheduled', now(), now()
                    from generate_series(1, 5000) i"""));
            TableStats stats = new TableStats(db);
            assertThat(reltuples(db)).isLessThan(0); // never analyzed: the planner guesses
            assertThat(stats.refresh(5_000)).isTrue();
            assertThat(reltuples(db)).isEqualTo(5_000);
            assertThat(stats.refresh(500)).as("10 % growth keeps the statistics").isFalse();
            assertThat(stats.refresh(2_000)).as("40 % growth makes them stale").isTrue();
        }
    }

    private static long reltuples(Database db) {
        return db.read(c -> {
            try (ResultSet rs = c.createStatement().executeQuery("select reltuples::bigint from pg_class where oid = 'call'::regclass")) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }
}
