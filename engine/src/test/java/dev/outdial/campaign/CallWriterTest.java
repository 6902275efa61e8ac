package dev.outdial.campaign;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outdial.Fixture;
import dev.outdial.schedule.RetryPolicy;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The binary COPY writes every column as PostgreSQL would have read it from text. */
class CallWriterTest {
    private Fixture f;

    @BeforeEach
    void setUp() {
        f = Fixture.manual();
    }

    @AfterEach
    void tearDown() {
        f.close();
    }

    private static RecipientValidator.Valid valid(int index, String destination, String variables, String overrides, String externalId,
                                                  String timezone, Instant scheduledAt, Instant deadline, Instant dueAt,
                                                  List<String> zones, RetryPolicy policy) {
        return new RecipientValidator.Valid(index, destination, variables, "{\"k\": [1, 2]}", overrides, externalId, timezone, -7,
                scheduledAt, deadline, dueAt, zones, "phone_number", dueAt == null ? "no window" : null, "US-CA", policy);
    }

    private List<String> read(String query) {
        return f.db.read(c -> {
            List<String> out = new ArrayList<>();
            try (ResultSet rs = c.createStatement().executeQuery(query)) {
                while (rs.next()) out.add(rs.getString(1));
            }
            return out;
        });
    }

    @Test
    void every_column_type_round_trips_including_nulls_unicode_and_sub_microsecond_times() {
        Instant now = Instant.parse("2026-03-03T18:00:00.123456789Z");
        String tricky = "{\"name\": \"Zoë \\\"quoted\\\", back\\\\slash,\\nnew line\\ttab 日本\"}";
        List<CallWriter.Row> rows = List.of(
                new CallWriter.Row(valid(0, "+14155552671", tricky, "{\"voice\": \"x\"}", "ext-1", "America/Los_Angeles",
                        Instant.parse("2026-03-04T09:30:00.000000500Z"), Instant.parse("1999-12-31T23:59:59.999999Z"),
                        Instant.parse("2026-03-04T17:30:00Z"), List.of("America/Los_Angeles", "America/Denver"),
                        RetryPolicy.defaults()), null, null),
                CallWriter.Row.of(valid(1, "sip:bob@example.com", "{}", null, null, null, null, null, null, List.of(), null)));
        f.db.tx(c -> {
            CallWriter.copy(c, new CallWriter.Common("org_x", "bat_x", "agt_x", "lin_x", 3), rows, now);
            return null;
        });

        assertThat(read("""
                select concat_ws('|', org_id, batch_id, agent_id, line_id, row_index, destination, variables->>'name', metadata::text,
                                 coalesce(external_id, '-'), coalesce(timezone, '-'), priority,
                                 coalesce(to_char(scheduled_at at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS.US'), '-'),
                                 coalesce(to_char(deadline at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS.US'), '-'),
                                 max_attempts, state, phase, coalesce(due_at::text, '-'),
                                 to_char(created_at at time zone 'UTC', 'HH24:MI:SS.US'), updated_at = created_at,
                                 zones::text, cardinality(zones), zone_reason, coalesce(wait_reason, '-'), region,
                                 coalesce(retry_policy->>'max_attempts', '-'), coalesce(overrides::text, '-'),
                                 coalesce(outcome, '-'), coalesce(outcome_reason, '-'), finished_at = created_at,
                                 length(id), left(id, 4))
                from call order by row_index""")).containsExactly(
                "org_x|bat_x|agt_x|lin_x|0|+14155552671|Zoë \"quoted\", back\\slash,\nnew line\ttab 日本|{\"k\": [1, 2]}|ext-1"
                        + "|America/Los_Angeles|-7|2026-03-04 09:30:00.000001|1999-12-31 23:59:59.999999|"
                        + RetryPolicy.defaults().maxAttempts() + "|scheduled|0|2026-03-04 17:30:00+00|18:00:00.123457|t"
                        + "|{America/Los_Angeles,America/Denver}|2|phone_number|-|US-CA|" + RetryPolicy.defaults().maxAttempts()
                        + "|{\"voice\": \"x\"}|-|-|24|cal_", // finished_at is null: concat_ws leaves it out
                "org_x|bat_x|agt_x|lin_x|1|sip:bob@example.com|{\"k\": [1, 2]}|-|-|-7|-|-|3|finished|2|-|18:00:00.123457|t" // variables {} has no name
                        + "|{}|0|phone_number|no window|US-CA|-|-|expired|no_window_before_deadline|t|24|cal_");
    }
}
