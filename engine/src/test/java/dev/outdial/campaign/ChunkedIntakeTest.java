package dev.outdial.campaign;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.outdial.Fixture;
import dev.outdial.TestApi;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Batches larger than one validation chunk ({@link ChunkedValidation#CHUNK_ROWS}): their first chunks
 * are COPYed before the last ones are checked, and intake must still be all-or-nothing, report
 * every bad row, merge a number given twice and screen against the do-not-call list.
 */
class ChunkedIntakeTest {
    /** Rows in three chunks: chunk 0 is COPYed while chunks 1 and 2 are still being checked. */
    private static final int ROWS = 2 * ChunkedValidation.CHUNK_ROWS + 500;
    private static final int LAST = ROWS - 1;

    private Fixture f;
    private TestApi api;
    private String agentId;
    private String lineId;

    @BeforeEach
    void setUp() {
        f = Fixture.manual();
        api = f.api();
        agentId = f.agent();
        lineId = f.line(10, 5);
    }

    @AfterEach
    void tearDown() {
        f.close();
    }

    private TestApi.Answer submit(List<Map<String, Object>> recipients, boolean allowPartial) {
        Map<String, Object> b = new HashMap<>();
        b.put("name", "B");
        b.put("agent_id", agentId);
        b.put("line_id", lineId);
        b.put("recipients", recipients);
        if (allowPartial) b.put("allow_partial", true);
        return api.post("/v1/batches", b);
    }

    private static List<Map<String, Object>> rows() {
        return new ArrayList<>(Fixture.recipients(ROWS, -1));
    }

    private long count(String sql) {
        return Long.parseLong(f.sql(sql));
    }

    @Test
    void a_bad_row_in_the_last_chunk_rolls_back_the_rows_already_copied_and_every_bad_row_is_listed() {
        List<Map<String, Object>> rows = rows();
        rows.set(3, Map.of("phone_number", "nope", "variables", Map.of("name", "x")));
        rows.set(ChunkedValidation.CHUNK_ROWS + 7, Map.of("phone_number", "+14155550100"));      // missing variable
        rows.set(LAST, Map.of("phone_number", "+14155550101", "variables", Map.of("name", "y"), "timezone", "Mars/Olympus"));
        TestApi.Answer a = submit(rows, false);

        assertThat(a.status()).as(a.text()).isEqualTo(422);
        List<String> seen = new ArrayList<>();
        for (JsonNode e : a.json().get("errors")) seen.add(e.get("index").asInt() + " " + e.get("field").asText());
        assertThat(seen).containsExactly("3 phone_number", (ChunkedValidation.CHUNK_ROWS + 7) + " variables.name",
                LAST + " timezone");
        assertThat(count("select count(*) from batch")).isZero();
        assertThat(count("select count(*) from call")).isZero();
        assertThat(count("select count(*) from outbox")).isZero();
    }

    @Test
    void a_bad_row_only_in_the_last_chunk_still_leaves_nothing() {
        List<Map<String, Object>> rows = rows();
        rows.set(LAST, Map.of("phone_number", "12", "variables", Map.of("name", "y")));
        TestApi.Answer a = submit(rows, false);
        assertThat(a.status()).isEqualTo(422);
        assertThat(a.json().get("errors")).hasSize(1);
        assertThat(count("select count(*) from call")).isZero();
        // The connection went back to the pool usable: the next batch is stored whole.
        assertThat(submit(rows(), false).status()).isEqualTo(201);
        assertThat(count("select count(*) from call")).isEqualTo(ROWS);
    }

    @Test
    void allow_partial_stores_the_valid_rows_of_every_chunk_and_lists_the_bad_ones() {
        List<Map<String, Object>> rows = rows();
        rows.set(0, Map.of("phone_number", "12", "variables", Map.of("name", "a")));
        rows.set(LAST, Map.of("phone_number", "13", "variables", Map.of("name", "b")));
        TestApi.Answer a = submit(rows, true);
        assertThat(a.status()).as(a.text()).isEqualTo(201);
        assertThat(a.json().at("/counts/total").asInt()).isEqualTo(ROWS - 2);
        assertThat(a.json().at("/rejected/0/index").asInt()).isZero();
        assertThat(a.json().at("/rejected/1/index").asInt()).isEqualTo(LAST);
        assertThat(count("select count(*) from call")).isEqualTo(ROWS - 2);
        assertThat(count("select count(*) from call where row_index in (0, " + LAST + ")")).isZero();
    }

    @Test
    void a_number_repeated_in_a_later_chunk_is_one_call_with_the_later_data_in_the_first_place() {
        List<Map<String, Object>> rows = rows();
        String number = (String) rows.get(5).get("phone_number");
        rows.set(LAST, Map.of("phone_number", number, "variables", Map.of("name", "later"), "timezone", "Europe/Paris"));
        TestApi.Answer a = submit(rows, false);
        assertThat(a.status()).as(a.text()).isEqualTo(201);
        assertThat(a.json().at("/counts/total").asInt()).isEqualTo(ROWS - 1);
        assertThat(a.json().at("/merged/0/index").asInt()).isEqualTo(LAST);
        assertThat(a.json().at("/merged/0/into").asInt()).isEqualTo(5);
        assertThat(count("select count(*) from call where destination = '" + number + "'")).isEqualTo(1);
        assertThat(f.sql("select row_index || ' ' || (variables->>'name') || ' ' || timezone from call where destination = '"
                + number + "'")).isEqualTo("5 later Europe/Paris");
        assertThat(count("select count(distinct row_index) from call")).isEqualTo(ROWS - 1);
    }

    @Test
    void listed_numbers_in_any_chunk_are_suppressed_and_announced() {
        List<Map<String, Object>> rows = rows();
        String early = (String) rows.get(1).get("phone_number");
        String late = (String) rows.get(LAST).get("phone_number");
        api.post("/v1/dnc/bulk", Map.of("phone_numbers", List.of(early, late)));
        TestApi.Answer a = submit(rows, false);
        assertThat(a.status()).as(a.text()).isEqualTo(201);
        assertThat(a.json().get("suppressed")).extracting(JsonNode::asInt).containsExactly(1, LAST);
        assertThat(a.json().at("/counts/by_outcome/suppressed").asInt()).isEqualTo(2);
        assertThat(count("select count(*) from outbox where type = 'call.finished' and payload->>'outcome' = 'suppressed'"))
                .isEqualTo(2);
        assertThat(f.sql("select payload->>'suppressed' from outbox where type = 'batch.created'")).isEqualTo("2");
    }

    @Test
    void with_dedup_across_batches_numbers_of_any_chunk_with_an_open_call_elsewhere_are_skipped() {
        api.patch("/v1/organization", Map.of("dedup_across_batches", true));
        List<Map<String, Object>> rows = rows();
        TestApi.Answer first = submit(List.of(rows.get(2), rows.get(LAST)), false);
        assertThat(first.status()).isEqualTo(201);
        TestApi.Answer a = submit(rows, false);
        assertThat(a.status()).as(a.text()).isEqualTo(201);
        assertThat(a.json().at("/counts/total").asInt()).isEqualTo(ROWS - 2);
        assertThat(a.json().get("duplicates")).extracting(d -> d.get("index").asInt()).containsExactly(2, LAST);
        assertThat(a.json().at("/duplicates/0/call_id").asText()).startsWith("cal_");
        assertThat(count("select count(*) from call")).isEqualTo(ROWS);
    }

    @Test
    void the_counters_answered_at_intake_are_the_ones_a_later_read_counts() {
        f.close();
        f = Fixture.manual(Clock.fixed(Instant.parse("2026-03-03T06:00:00Z"), ZoneOffset.UTC)); // 22:00 in San Francisco
        f.quietHours(true);
        api = f.api();
        agentId = f.agent();
        lineId = f.line(10, 5);
        api.patch("/v1/organization", Map.of("dedup_across_batches", true));
        List<Map<String, Object>> rows = rows();
        for (int i = 0; i < 10; i++) { // no window opens before 04:00 local: expired at intake
            Map<String, Object> r = new HashMap<>(rows.get(i));
            r.put("deadline", "2026-03-03T12:00:00Z");
            rows.set(i, r);
        }
        api.post("/v1/dnc/bulk", Map.of("phone_numbers", List.of(rows.get(1).get("phone_number"), rows.get(20).get("phone_number"))));
        assertThat(submit(List.of(rows.get(30), rows.get(LAST)), false).status()).isEqualTo(201);
        rows.set(LAST - 1, Map.of("phone_number", rows.get(40).get("phone_number"), "variables", Map.of("name", "again")));

        TestApi.Answer a = submit(rows, false);
        assertThat(a.status()).as(a.text()).isEqualTo(201);
        JsonNode counts = a.json().get("counts");
        assertThat(counts.get("total").asInt()).isEqualTo(ROWS - 3);          // one merged, two duplicates of the first batch
        assertThat(counts.at("/by_outcome/expired").asInt()).isEqualTo(9);     // row 1 is suppressed instead
        assertThat(counts.at("/by_outcome/suppressed").asInt()).isEqualTo(2);
        assertThat(counts.get("finished").asInt()).isEqualTo(11);
        assertThat(counts.get("scheduled").asInt()).isEqualTo(ROWS - 3 - 11);
        assertThat(counts).isEqualTo(api.get("/v1/batches/" + a.json().get("id").asText()).json().get("counts"));
    }
}
