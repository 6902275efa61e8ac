package dev.outdial.api.dialect.weya;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.outdial.Fixture;
import dev.outdial.TestApi;
import dev.outdial.TestClock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Contract tests from seed 004: Weya's createBatch and addCallsToBatch, on real HTTP and PostgreSQL. */
class WeyaDialectTest {
    private final TestClock clock = TestClock.at("2026-03-03T18:00:00Z");
    private Fixture f;
    private TestApi api;

    @AfterEach
    void tearDown() {
        if (f != null) f.close();
    }

    private String setUp() {
        f = Fixture.manual(clock);
        api = new TestApi(f.node().port(), f.key, "x-api-key");
        String agent = f.agent(Map.of("name", "Orders", "prompt", "Hi {{name}}, about order {{order_amount}}",
                "variables", List.of(Map.of("name", "name", "type", "string", "required", true),
                        Map.of("name", "order_amount", "type", "number", "required", false))));
        f.line(5, 5);
        TestApi.Answer created = api.post("/api/call/createBatch", Map.of("name", "orders", "agentId", agent,
                "callingNumber", "+14155552671"));
        assertThat(created.status()).as(created.text()).isEqualTo(200);
        assertThat(created.json().get("status").asBoolean()).isTrue();
        assertThat(created.json().get("code").asInt()).isEqualTo(200);
        assertThat(created.json().at("/data/status").asText()).isEqualTo("pending");
        return created.json().at("/data/batchId").asText();
    }

    private static Map<String, Object> record(String phone, String name) {
        Map<String, Object> m = new HashMap<>();
        m.put("phoneNumber", phone);
        if (name != null) m.put("name", name);
        return m;
    }

    @Test
    void records_become_calls_with_their_fields_as_variables_and_a_pending_number_is_updated_not_duplicated() {
        String batch = setUp();
        Map<String, Object> first = record("+14155552670", "Ana");
        first.put("order_amount", 42.5);
        first.put("custom_field_1", "vip");
        first.put("timezone", "America/Chicago");
        TestApi.Answer a = api.post("/api/call/addCallsToBatch", Map.of("batchId", batch,
                "call_data", List.of(first, record("+14155552672", "Bo"))));
        assertThat(a.status()).as(a.text()).isEqualTo(200);
        assertThat(a.json().get("status").asBoolean()).isTrue();
        assertThat(a.json().at("/data/inserted").asInt()).isEqualTo(2);

        JsonNode calls = f.api().get("/v1/batches/" + batch + "/calls").json().get("data");
        assertThat(calls).hasSize(2);
        JsonNode ana = calls.get(0);
        assertThat(ana.at("/variables/order_amount").asDouble()).isEqualTo(42.5);
        assertThat(ana.at("/variables/custom_field_1").asText()).isEqualTo("vip");
        assertThat(ana.get("timezone").asText()).isEqualTo("America/Chicago");
        assertThat(calls.get(1).get("zones").get(0).asText()).as("a missing timezone is filled in from the number")
                .isEqualTo("America/Los_Angeles");

        TestApi.Answer again = api.post("/api/call/addCallsToBatch", Map.of("batchId", batch,
                "call_data", List.of(record("+14155552670", "Ana María"), record("+14155552673", "Cy"))));
        assertThat(again.status()).as(again.text()).isEqualTo(200);
        assertThat(again.json().at("/data/updated").asInt()).isEqualTo(1);
        assertThat(again.json().at("/data/inserted").asInt()).isEqualTo(1);
        assertThat(f.sql("select count(*) from call where destination = '+14155552670'")).isEqualTo("1");
        assertThat(f.sql("select variables->>'name' from call where destination = '+14155552670'")).isEqualTo("Ana María");
        assertThat(f.node().dispatcher().claimDue()).as("dialing starts after insertion").isEqualTo(3);
    }

    @Test
    void chunks_of_1000_succeed_or_fail_alone_with_207_and_failed_chunks() {
        String batch = setUp();
        List<Map<String, Object>> records = new ArrayList<>();
        for (int i = 0; i < 2_500; i++) {
            String phone = String.format("+1415%03d%04d", 200 + i / 1000, i % 1000 + 1000);
            records.add(record(phone, i == 1_234 ? null : "P" + i)); // one record in the second chunk lacks its name
        }
        TestApi.Answer a = api.post("/api/call/addCallsToBatch", Map.of("batchId", batch, "call_data", records));
        assertThat(a.status()).as(a.text()).isEqualTo(207);
        assertThat(a.json().get("status").asBoolean()).isFalse();
        assertThat(a.json().get("code").asInt()).isEqualTo(207);
        assertThat(a.json().at("/data/inserted").asInt()).isEqualTo(1_500);
        JsonNode failed = a.json().get("failedChunks");
        assertThat(failed).hasSize(1);
        assertThat(failed.get(0).get("chunk").asInt()).isEqualTo(1);
        assertThat(failed.get(0).get("startIndex").asInt()).isEqualTo(1_000);
        assertThat(failed.get(0).get("endIndex").asInt()).isEqualTo(1_999);
        assertThat(failed.get(0).at("/errors/0/index").asInt()).isEqualTo(1_234);
        assertThat(failed.get(0).at("/errors/0/field").asText()).isEqualTo("name");
        assertThat(f.sql("select count(*) from call")).isEqualTo("1500");
    }

    @Test
    void bad_requests_get_weyas_status_codes() {
        String batch = setUp();
        TestApi.Answer noBatch = api.post("/api/call/addCallsToBatch", Map.of("call_data", List.of(record("+14155552670", "A"))));
        assertThat(noBatch.status()).isEqualTo(400);
        assertThat(noBatch.json().get("status").asBoolean()).isFalse();
        assertThat(noBatch.json().get("message").asText()).contains("batchId");
        assertThat(api.post("/api/call/addCallsToBatch", Map.of("batchId", batch, "call_data", List.of())).status()).isEqualTo(400);
        TestApi.Answer invalid = api.post("/api/call/addCallsToBatch", Map.of("batchId", batch,
                "call_data", List.of(Map.of("name", "no number"))));
        assertThat(invalid.status()).as("validation failure in the only chunk").isEqualTo(400);
        assertThat(invalid.json().at("/failedChunks/0/errors/0/field").asText()).isEqualTo("phoneNumber");
        assertThat(api.post("/api/call/addCallsToBatch", Map.of("batchId", "bat_aaaaaaaaaaaaaaaaaaaa",
                "call_data", List.of(record("+14155552670", "A")))).status()).isEqualTo(404);

        TestApi.Answer noKey = new TestApi(f.node().port(), null).post("/api/call/addCallsToBatch", Map.of("batchId", batch));
        assertThat(noKey.status()).isEqualTo(403);
        String otherOrg = f.node().organizations().createOrganization("intruder");
        TestApi other = new TestApi(f.node().port(), f.node().organizations().createKey(otherOrg, "x").secret(), "x-api-key");
        TestApi.Answer foreign = other.post("/api/call/addCallsToBatch", Map.of("batchId", batch,
                "call_data", List.of(record("+14155552670", "A"))));
        assertThat(foreign.status()).as("the key does not own the batch").isEqualTo(403);
        assertThat(foreign.text()).doesNotContain("orders");
        assertThat(f.sql("select count(*) from call")).isEqualTo("0");

        TestApi.Answer noAgent = api.post("/api/call/createBatch", Map.of("name", "x", "agentId", "agt_aaaaaaaaaaaaaaaaaaaa"));
        assertThat(noAgent.status()).isEqualTo(404);
        TestApi.Answer noName = api.post("/api/call/createBatch", Map.of("agentId", "agt_aaaaaaaaaaaaaaaaaaaa"));
        assertThat(noName.status()).isEqualTo(400);
    }

    @Test
    void an_empty_batch_waits_for_its_calls_instead_of_completing() {
        String batch = setUp();
        f.node().dispatcher().housekeep();
        assertThat(f.api().get("/v1/batches/" + batch).json().get("status").asText()).isEqualTo("pending");
    }
}
