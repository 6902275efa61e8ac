package dev.outdial.campaign;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.outdial.Fixture;
import dev.outdial.TestApi;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Intake through the real HTTP API: what is accepted is stored whole, what is rejected leaves nothing. */
class IntakeTest {
    private Fixture f;
    private TestApi api;
    private String agentId;
    private String lineId;

    @BeforeEach
    void setUp() {
        f = Fixture.manual();
        api = f.api();
        agentId = f.agent(Map.of("name", "Reminder", "prompt", "Hi {{name}}", "variables", List.of(
                Map.of("name", "name", "type", "string", "required", true),
                Map.of("name", "age", "type", "integer", "required", false))));
        lineId = f.line(10, 5);
    }

    @AfterEach
    void tearDown() {
        f.close();
    }

    private Map<String, Object> batch(List<?> recipients) {
        Map<String, Object> b = new HashMap<>();
        b.put("name", "B");
        b.put("agent_id", agentId);
        b.put("line_id", lineId);
        b.put("recipients", recipients);
        return b;
    }

    private long count(String sql) {
        return f.db.read(c -> {
            try (ResultSet rs = c.createStatement().executeQuery(sql)) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    @Test
    void valid_batch_is_stored_with_every_call_scheduled() {
        TestApi.Answer a = api.post("/v1/batches", batch(List.of(
                Map.of("phone_number", "+14155552671", "variables", Map.of("name", "Ada", "age", 36), "external_id", "crm-1"),
                Map.of("phone_number", "(415) 555-2672", "variables", Map.of("name", "Alan")),
                Map.of("phone_number", "sip:bob@pbx.example.com", "variables", Map.of("name", "Bob")))));
        // (415) 555-2672 has no country code: without default_country it is an error, so resubmit with one.
        assertThat(a.status()).isEqualTo(422);
        assertThat(a.json().get("errors").get(0).get("index").asInt()).isEqualTo(1);

        Map<String, Object> b = batch(List.of(
                Map.of("phone_number", "+14155552671", "variables", Map.of("name", "Ada", "age", 36), "external_id", "crm-1"),
                Map.of("phone_number", "(415) 555-2672", "variables", Map.of("name", "Alan")),
                Map.of("phone_number", "sip:bob@pbx.example.com", "variables", Map.of("name", "Bob"), "timezone", "Europe/Madrid")));
        b.put("default_country", "US");
        a = api.post("/v1/batches", b);
        assertThat(a.status()).as(a.text()).isEqualTo(201);
        String id = a.json().get("id").asText();
        assertThat(id).startsWith("bat_").hasSize(24);
        assertThat(a.json().get("status").asText()).isEqualTo("pending");
        assertThat(a.json().at("/counts/total").asInt()).isEqualTo(3);
        assertThat(a.json().at("/counts/scheduled").asInt()).isEqualTo(3);

        JsonNode calls = api.get("/v1/batches/" + id + "/calls").json().get("data");
        assertThat(calls).hasSize(3);
        assertThat(calls.get(0).get("phone_number").asText()).isEqualTo("+14155552671");
        assertThat(calls.get(0).get("external_id").asText()).isEqualTo("crm-1");
        assertThat(calls.get(0).at("/variables/age").asInt()).isEqualTo(36);
        assertThat(calls.get(1).get("phone_number").asText()).isEqualTo("+14155552672");
        assertThat(calls.get(2).get("phone_number").asText()).isEqualTo("sip:bob@pbx.example.com");
        assertThat(calls.get(0).get("zones").get(0).asText()).isEqualTo("America/Los_Angeles");
        assertThat(calls.get(0).get("zone_reason").asText()).isEqualTo("phone_number");
        assertThat(calls.get(2).get("zones").get(0).asText()).isEqualTo("Europe/Madrid");
        assertThat(calls.get(2).get("zone_reason").asText()).isEqualTo("explicit");
        assertThat(calls.get(0).get("state").asText()).isEqualTo("scheduled");
        assertThat(count("select count(*) from outbox where type = 'batch.created'")).isEqualTo(1);
    }

    @Test
    void bad_rows_are_all_reported_with_index_field_and_reason_and_nothing_is_stored() {
        List<Object> rows = new ArrayList<>();
        rows.add(Map.of("phone_number", "+14155552671", "variables", Map.of("name", "ok")));
        rows.add(Map.of("phone_number", "not a number", "variables", Map.of("name", "x")));
        rows.add(Map.of("phone_number", "+14155552673"));                                        // missing required variable
        rows.add(Map.of("phone_number", "+14155552674", "variables", Map.of("name", "y", "age", "old"))); // wrong type
        rows.add(Map.of("phone_number", "+14155552675", "variables", Map.of("name", "z"), "timezone", "Mars/Olympus"));
        rows.add(Map.of("phone_number", "+14155552676", "variables", Map.of("name", "w"), "colour", "blue")); // unknown field
        rows.add(Map.of("phone_number", "+14155552677", "variables", Map.of("name", "v"), "deadline", "2001-01-01T00:00:00Z"));
        rows.add("just a string");
        TestApi.Answer a = api.post("/v1/batches", batch(rows));

        assertThat(a.status()).isEqualTo(422);
        assertThat(a.header("content-type")).startsWith("application/problem+json");
        assertThat(a.json().get("type").asText()).endsWith("/invalid-request");
        List<String> seen = new ArrayList<>();
        for (JsonNode e : a.json().get("errors")) {
            seen.add(e.get("index").asInt() + " " + e.get("field").asText() + " " + e.get("pointer").asText());
            assertThat(e.get("reason").asText()).isNotBlank();
        }
        assertThat(seen).containsExactlyInAnyOrder(
                "1 phone_number /recipients/1/phone_number",
                "2 variables.name /recipients/2/variables/name",
                "3 variables.age /recipients/3/variables/age",
                "4 timezone /recipients/4/timezone",
                "5 colour /recipients/5/colour",
                "6 deadline /recipients/6/deadline",
                "7  /recipients/7");
        assertThat(count("select count(*) from batch")).isZero();
        assertThat(count("select count(*) from call")).isZero();
        assertThat(count("select count(*) from outbox")).isZero();
    }

    @Test
    void allow_partial_stores_the_valid_rows_and_lists_the_rest() {
        Map<String, Object> b = batch(List.of(
                Map.of("phone_number", "+14155552671", "variables", Map.of("name", "ok")),
                Map.of("phone_number", "12", "variables", Map.of("name", "bad")),
                Map.of("phone_number", "+14155552673", "variables", Map.of("name", "ok2"))));
        b.put("allow_partial", true);
        TestApi.Answer a = api.post("/v1/batches", b);
        assertThat(a.status()).as(a.text()).isEqualTo(201);
        assertThat(a.json().at("/counts/total").asInt()).isEqualTo(2);
        assertThat(a.json().get("rejected")).hasSize(1);
        assertThat(a.json().at("/rejected/0/index").asInt()).isEqualTo(1);
        assertThat(a.json().at("/rejected/0/field").asText()).isEqualTo("phone_number");
        assertThat(count("select count(*) from call")).isEqualTo(2);
    }

    @Test
    void batch_level_errors_name_their_fields() {
        TestApi.Answer a = api.post("/v1/batches", Map.of("name", "", "agent_id", "agt_aaaaaaaaaaaaaaaaaaaa",
                "line_id", lineId, "recipients", List.of(), "priority", "high"));
        assertThat(a.status()).isEqualTo(422);
        assertThat(a.json().findValuesAsText("pointer")).contains("/priority");
        a = api.post("/v1/batches", Map.of("name", "", "agent_id", "agt_aaaaaaaaaaaaaaaaaaaa", "line_id", lineId,
                "recipients", List.of()));
        assertThat(a.json().findValuesAsText("pointer")).containsExactlyInAnyOrder("/name", "/agent_id", "/recipients");
        assertThat(api.post("/v1/batches", "{not json").status()).isEqualTo(400);
        assertThat(count("select count(*) from batch")).isZero();
    }

    @Test
    void idempotency_key_returns_the_first_response_and_stores_once() {
        Map<String, Object> b = batch(List.of(Map.of("phone_number", "+14155552671", "variables", Map.of("name", "A"))));
        TestApi.Answer first = api.post("/v1/batches", b, "key-1");
        TestApi.Answer again = api.post("/v1/batches", b, "key-1");
        assertThat(first.status()).isEqualTo(201);
        assertThat(again.status()).isEqualTo(201);
        assertThat(again.header("Idempotent-Replayed")).isEqualTo("true");
        assertThat(again.json().get("id").asText()).isEqualTo(first.json().get("id").asText());
        assertThat(count("select count(*) from batch")).isEqualTo(1);

        Map<String, Object> other = batch(List.of(Map.of("phone_number", "+14155552672", "variables", Map.of("name", "B"))));
        assertThat(api.post("/v1/batches", other, "key-1").status()).isEqualTo(422);
        assertThat(count("select count(*) from batch")).isEqualTo(1);
    }

    @Test
    void one_hundred_thousand_recipients_are_accepted_in_one_request() {
        TestApi.Answer a = api.post("/v1/batches", batch(Fixture.recipients(100_000, -1)));
        assertThat(a.status()).as(a.text().substring(0, Math.min(500, a.text().length()))).isEqualTo(201);
        assertThat(a.json().at("/counts/total").asInt()).isEqualTo(100_000);
        assertThat(count("select count(*) from call")).isEqualTo(100_000);
        assertThat(count("select count(distinct row_index) from call")).isEqualTo(100_000);
        assertThat(api.post("/v1/batches", batch(Fixture.recipients(100_001, 1))).status()).isEqualTo(422);
    }
}
