package dev.outdial.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outdial.TestPostgres;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The call table's indexes keep a call's progress (dialing → ringing → in_progress) cheap: see V8 and V9. */
class CallIndexesTest {

    @Test
    void no_index_on_call_names_state_so_progress_updates_stay_heap_only() {
        try (Database db = TestPostgres.fresh()) {
            List<String> defs = definitions(db);
            assertThat(defs).isNotEmpty();
            assertThat(defs).noneMatch(d -> d.matches("(?s).*\\bstate\\b.*"));
        }
    }

    @Test
    void moving_a_live_call_between_live_states_is_a_heap_only_update() {
        try (Database db = TestPostgres.fresh()) {
            // One connection throughout: table statistics are per backend until flushed.
            long hot = db.read(c -> {
                try (var st = c.createStatement()) {
                    st.executeUpdate("""
                            insert into call (id, org_id, batch_id, agent_id, line_id, row_index, destination, max_attempts, state,
                                              lease_owner, created_at, updated_at)
                            values ('cal_a', 'org_x', 'bat_x', 'agt_x', 'lin_x', 0, '+14155550100', 3, 'dialing', 'node', now(), now())""");
                    st.executeUpdate("update call set state = 'ringing', updated_at = now() where id = 'cal_a'");
                    st.executeUpdate("update call set state = 'in_progress', updated_at = now() where id = 'cal_a'");
                    st.execute("select pg_stat_force_next_flush()");
                    try (ResultSet rs = st.executeQuery("select n_tup_upd, n_tup_hot_upd from pg_stat_user_tables where relname = 'call'")) {
                        rs.next();
                        assertThat(rs.getLong(1)).as("updates counted").isEqualTo(2);
                        return rs.getLong(2);
                    }
                }
            });
            assertThat(hot).isEqualTo(2);
        }
    }

    private static List<String> definitions(Database db) {
        return db.read(c -> {
            List<String> out = new ArrayList<>();
            try (ResultSet rs = c.createStatement().executeQuery("select indexdef from pg_indexes where tablename = 'call'")) {
                while (rs.next()) out.add(rs.getString(1));
            }
            return out;
        });
    }
}
