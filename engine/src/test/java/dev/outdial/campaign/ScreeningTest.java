package dev.outdial.campaign;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.outdial.Fixture;
import dev.outdial.TestApi;
import dev.outdial.TestClock;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Do-not-call and dedup: at intake, right before dialing, within a batch and across batches. */
class ScreeningTest {
    private final TestClock clock = TestClock.at("2026-03-03T18:00:00Z");
    private Fixture f;
    private TestApi api;
    private String agent;
    private String line;

    @BeforeEach
    void setUp() {
        f = Fixture.manual(clock);
        api = f.api();
        agent = f.agent();
        line = f.line(20, 20);
    }

    @AfterEach
    void tearDown() {
        f.close();
    }

    private TestApi.Answer submit(List<Map<String, Object>> recipients) {
        Map<String, Object> b = new HashMap<>();
        b.put("name", "B");
        b.put("agent_id", agent);
        b.put("line_id", line);
        b.put("recipients", recipients);
        return api.post("/v1/batches", b);
    }

    private static Map<String, Object> person(String number, String name) {
        return Map.of("phone_number", number, "variables", Map.of("name", name));
    }

    private String sql(String q) {
        return f.db.read(c -> {
            try (ResultSet rs = c.createStatement().executeQuery(q)) {
                return rs.next() ? rs.getString(1) : null;
            }
        });
    }

    @Test
    void the_do_not_call_list_is_managed_through_the_api_in_e164() {
        assertThat(api.post("/v1/dnc", Map.of("phone_number", "(415) 555-2671", "default_country", "US", "reason", "asked")).status())
                .isEqualTo(201);
        assertThat(api.post("/v1/dnc", Map.of("phone_number", "+14155552671")).status()).as("already listed").isEqualTo(200);
        JsonNode check = api.get("/v1/dnc/+14155552671").json();
        assertThat(check.get("listed").asBoolean()).isTrue();
        assertThat(check.get("reason").asText()).isEqualTo("asked");
        assertThat(api.get("/v1/dnc/+14155552672").json().get("listed").asBoolean()).isFalse();

        TestApi.Answer bulk = api.post("/v1/dnc/bulk", Map.of("phone_numbers", List.of("+14155552672", "+14155552673", "+14155552671")));
        assertThat(bulk.json().get("added").asInt()).isEqualTo(2);
        assertThat(bulk.json().get("already_listed").asInt()).isEqualTo(1);
        TestApi.Answer bad = api.post("/v1/dnc/bulk", Map.of("phone_numbers", List.of("+14155552674", "nope")));
        assertThat(bad.status()).isEqualTo(422);
        assertThat(bad.json().at("/errors/0/pointer").asText()).isEqualTo("/phone_numbers/1");
        assertThat(api.get("/v1/dnc/+14155552674").json().get("listed").asBoolean()).as("all or nothing").isFalse();

        assertThat(api.get("/v1/dnc").json().get("data")).hasSize(3);
        assertThat(api.delete("/v1/dnc/+14155552673").status()).isEqualTo(204);
        assertThat(api.delete("/v1/dnc/+14155552673").status()).isEqualTo(404);
    }

    @Test
    void a_listed_number_is_suppressed_at_intake_and_reported() {
        api.post("/v1/dnc", Map.of("phone_number", "+14155552671"));
        TestApi.Answer a = submit(List.of(person("+14155552670", "a"), person("+14155552671", "b")));
        assertThat(a.status()).as(a.text()).isEqualTo(201);
        assertThat(a.json().get("suppressed")).hasSize(1);
        assertThat(a.json().get("suppressed").get(0).asInt()).isEqualTo(1);
        assertThat(a.json().at("/counts/by_outcome/suppressed").asInt()).isEqualTo(1);
        assertThat(sql("select count(*) from outbox where type = 'call.finished' and payload->>'outcome' = 'suppressed'"))
                .as("announced like any other end").isEqualTo("1");
        assertThat(f.node().dispatcher().claimDue()).isEqualTo(1);
    }

    @Test
    void a_number_listed_after_intake_is_not_dialed() {
        submit(List.of(person("+14155552670", "a"), person("+14155552671", "b")));
        assertThat(f.node().dispatcher().claimDue()).isEqualTo(2);
        api.post("/v1/dnc", Map.of("phone_number", "+14155552671"));
        clock.advance(Duration.ofSeconds(1));
        f.node().dispatcher().startDue();
        assertThat(f.node().dispatcher().startedCalls()).isEqualTo(1);
        assertThat(sql("select outcome from call where destination = '+14155552671'")).isEqualTo("suppressed");
        assertThat(sql("select a.outcome from call_attempt a join call c on c.id = a.call_id where c.destination = '+14155552671'"))
                .isEqualTo("suppressed");
        assertThat(sql("select count(*) from outbox where type = 'call.finished' and payload->>'outcome' = 'suppressed'")).isEqualTo("1");
    }

    @Test
    void one_number_twice_in_a_request_is_one_call_with_the_later_data() {
        TestApi.Answer a = submit(List.of(person("+14155552670", "first"), person("+14155552671", "other"),
                person("+1 415 555 2670", "second")));
        assertThat(a.status()).as(a.text()).isEqualTo(201);
        assertThat(a.json().at("/counts/total").asInt()).isEqualTo(2);
        assertThat(a.json().at("/merged/0/index").asInt()).isEqualTo(2);
        assertThat(a.json().at("/merged/0/into").asInt()).isEqualTo(0);
        assertThat(sql("select variables->>'name' from call where row_index = 0")).isEqualTo("second");
    }

    @Test
    void adding_a_pending_number_to_a_batch_updates_its_call_instead_of_adding_one() {
        String batch = submit(List.of(person("+14155552670", "old"))).json().get("id").asText();
        TestApi.Answer added = api.post("/v1/batches/" + batch + "/recipients", Map.of("recipients",
                List.of(person("+14155552670", "new"), person("+14155552672", "third"))));
        assertThat(added.status()).as(added.text()).isEqualTo(200);
        assertThat(added.json().at("/counts/total").asInt()).isEqualTo(2);
        assertThat(added.json().at("/merged/0/index").asInt()).isEqualTo(0);
        assertThat(sql("select variables->>'name' from call where destination = '+14155552670'")).isEqualTo("new");
        assertThat(sql("select row_index from call where destination = '+14155552672'")).isEqualTo("2");

        // Once dialed, the same number is a new call: the first one is no longer pending.
        f.node().dispatcher().claimDue();
        TestApi.Answer again = api.post("/v1/batches/" + batch + "/recipients", Map.of("recipients", List.of(person("+14155552670", "x"))));
        assertThat(again.json().at("/counts/total").asInt()).isEqualTo(3);
    }

    @Test
    void dedup_across_batches_is_off_by_default_and_skips_when_on() {
        submit(List.of(person("+14155552670", "a")));
        assertThat(submit(List.of(person("+14155552670", "a"))).json().at("/counts/total").asInt()).isEqualTo(1);
        assertThat(sql("select count(*) from call")).isEqualTo("2");

        api.patch("/v1/organization", Map.of("dedup_across_batches", true));
        TestApi.Answer third = submit(List.of(person("+14155552670", "a"), person("+14155552671", "b")));
        assertThat(third.json().at("/counts/total").asInt()).isEqualTo(1);
        assertThat(third.json().at("/duplicates/0/index").asInt()).isEqualTo(0);
        assertThat(third.json().at("/duplicates/0/call_id").asText()).startsWith("cal_");
    }

    @Test
    void a_listed_number_added_to_a_batch_is_suppressed_and_reported_at_its_place_in_the_request() {
        String batch = submit(List.of(person("+14155552670", "a"))).json().get("id").asText();
        api.post("/v1/dnc", Map.of("phone_number", "+14155552673"));
        TestApi.Answer added = api.post("/v1/batches/" + batch + "/recipients", Map.of("recipients",
                List.of(person("+14155552672", "b"), person("+14155552673", "c"))));
        assertThat(added.status()).as(added.text()).isEqualTo(200);
        assertThat(added.json().get("suppressed")).hasSize(1);
        assertThat(added.json().at("/suppressed/0").asInt()).as("index within the request").isEqualTo(1);
        assertThat(sql("select outcome || ' ' || row_index from call where destination = '+14155552673'")).isEqualTo("suppressed 2");
        assertThat(sql("select count(*) from outbox where type = 'call.finished' and payload->>'outcome' = 'suppressed'")).isEqualTo("1");
    }
}
