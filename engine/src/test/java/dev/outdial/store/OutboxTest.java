package dev.outdial.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outdial.TestPostgres;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The outbox stores the same events whichever way it writes them: a few by INSERT, many by COPY. */
class OutboxTest {
    private static final Instant AT = Instant.parse("2026-03-02T15:00:00.123456789Z");

    @Test
    void events_written_by_insert_and_by_copy_read_back_alike_in_order_and_fan_out_to_webhooks() {
        try (Database db = TestPostgres.fresh()) {
            db.tx(c -> c.createStatement().executeUpdate("""
                    insert into webhook_endpoint (id, org_id, url, secret, event_types, enabled, created_at, updated_at)
                    values ('whe_1', 'org_a', 'http://localhost/hook', 'whsec_x', '{}', true, now(), now())"""));
            int few = Outbox.COPY_FROM - 1;
            int many = Outbox.COPY_FROM + 5;
            db.tx(c -> {
                Outbox.write(c, AT, events("few", few));
                Outbox.write(c, AT, events("many", many));
                return null;
            });
            List<String> rows = db.read(c -> {
                List<String> out = new ArrayList<>();
                try (ResultSet rs = c.createStatement().executeQuery("""
                        select type, org_id, subject_id, payload::text, created_at = '2026-03-02T15:00:00.123457Z', event_id ~ '^evt_[a-z2-7]{20}$'
                        from outbox order by seq""")) {
                    while (rs.next()) {
                        out.add(rs.getString(1) + " " + rs.getString(2) + " " + rs.getString(3) + " " + rs.getString(4) + " "
                                + rs.getBoolean(5) + " " + rs.getBoolean(6));
                    }
                }
                return out;
            });
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < few; i++) expected.add(row("few", i));
            for (int i = 0; i < many; i++) expected.add(row("many", i));
            assertThat(rows).containsExactlyElementsOf(expected);
            int deliveries = db.read(c -> {
                try (ResultSet rs = c.createStatement().executeQuery("""
                        select count(*) from webhook_delivery d join outbox o on o.seq = d.event_seq and o.event_id = d.event_id""")) {
                    rs.next();
                    return rs.getInt(1);
                }
            });
            assertThat(deliveries).as("a delivery for every event, however written").isEqualTo(few + many);
        }
    }

    private static List<Outbox.Event> events(String type, int n) {
        List<Outbox.Event> events = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Map<String, Object> payload = new LinkedHashMap<>();
            payload.put("call_id", "cal_" + i);
            payload.put("note", "quote \" backslash \\ tab \t line\nend é");
            events.add(new Outbox.Event("org_a", type, "cal_" + i, payload));
        }
        return events;
    }

    private static String row(String type, int i) {
        // The payload reads back as the engine wrote it: keys in order, no spaces added (json, not jsonb).
        return type + " org_a cal_" + i + " {\"call_id\":\"cal_" + i + "\",\"note\":\"quote \\\" backslash \\\\ tab \\t line\\nend é\"}"
                + " true true";
    }
}
