package dev.outdial.api.dialect.happyrobot;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.outdial.CountingTelephony;
import dev.outdial.Fixture;
import dev.outdial.Outdial;
import dev.outdial.TestApi;
import dev.outdial.TestClock;
import dev.outdial.config.OutdialConfig.DispatchSettings;
import dev.outdial.telephony.simulated.SimulatedTelephony;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Contract tests from seeds 000 and 003: HappyRobot's dial API, on real HTTP and PostgreSQL. */
class HappyRobotDialectTest {
    private final TestClock clock = TestClock.at("2026-03-03T18:00:00Z");
    private Fixture f;
    private String agent;
    private String line;

    @AfterEach
    void tearDown() {
        if (f != null) f.close();
    }

    private void setUp() {
        f = Fixture.manual(clock);
        agent = f.agent(Map.of("name", "Kate", "prompt", "Hi {{name}}", "language", "en-US", "timezone", "America/Chicago",
                "max_duration_seconds", 300, "default_variables", Map.of("company", "Acme"),
                "calling_window", Map.of("mon", List.of(Map.of("start", "09:00", "end", "17:00")),
                        "tue", List.of(Map.of("start", "09:00", "end", "17:00"))),
                "variables", List.of(Map.of("name", "name", "type", "string", "required", true))));
        line = f.line(5, 5);
    }

    /** Every field of the seed's request. */
    private Map<String, Object> full(String phone) {
        Map<String, Object> m = new HashMap<>();
        m.put("assistant_id", "legacy-assistant");
        m.put("voice_id", "voice-7");
        m.put("model", "Fast");
        m.put("number_id", line);
        m.put("prompt_id", "prompt-1");
        m.put("use_case_id", agent);
        m.put("agent_id", agent);
        m.put("model_id", "mdl_aaaaaaaaaaaaaaaaaaaa");
        m.put("phone_number", phone);
        m.put("language", "es-MX");
        m.put("params", Map.of("name", "Ana"));
        m.put("metadata", Map.of("clientId", "123", "orderId", "456"));
        m.put("campaign_id", "spring");
        m.put("scheduled_for", "2026-03-03T19:00:00Z");
        m.put("max_duration_mins", 3);
        return m;
    }

    @Test
    void outbound_takes_every_field_of_the_seed_and_answers_the_call_object_with_its_use_case() {
        setUp();
        TestApi.Answer a = f.api().post("/api/v1/dial/outbound", full("+14155552670"));
        assertThat(a.status()).as(a.text()).isEqualTo(200);
        JsonNode call = a.json();
        assertThat(call.get("id").asText()).hasSize(24).startsWith("cal_");
        assertThat(call.get("organization_id").asText()).isEqualTo(f.orgId);
        assertThat(call.at("/metadata/from").asText()).isEqualTo("+14155552671");
        assertThat(call.at("/metadata/to").asText()).isEqualTo("+14155552670");
        assertThat(call.at("/metadata/tags").isArray()).isTrue();
        assertThat(call.at("/metadata/custom/orderId").asText()).isEqualTo("456");
        assertThat(call.get("metadata").has("call_sid")).isTrue();
        assertThat(call.at("/params/name").asText()).isEqualTo("Ana");
        assertThat(call.get("created").asText()).isEqualTo("2026-03-03T18:00:00Z");

        JsonNode uc = call.get("use_case");
        assertThat(uc.get("id").asText()).isEqualTo(agent);
        assertThat(uc.get("name").asText()).isEqualTo("Kate");
        assertThat(uc.get("language").asText()).isEqualTo("en-US");
        assertThat(uc.get("timezone").asText()).isEqualTo("America/Chicago");
        assertThat(uc.get("max_duration_mins").asInt()).isEqualTo(5);
        assertThat(uc.at("/params/company").asText()).isEqualTo("Acme");
        assertThat(uc.at("/detailed_work_hours/monday/start").asText()).isEqualTo("09:00");
        assertThat(uc.get("enable_detailed_work_hours").asBoolean()).isTrue();
        for (String list : List.of("extract_with_ai", "classification_tags", "keywords", "hooks", "sample_labels", "evaluation_models")) {
            assertThat(uc.get(list).isArray()).as(list).isTrue();
        }
        for (String flag : List.of("amd", "hidden", "recorded_message_inbound", "recorded_message_outbound", "show_original_caller_id",
                "disable_end_call_after_n_reminders")) {
            assertThat(uc.get(flag).isBoolean()).as(flag).isTrue();
        }

        JsonNode nativeCall = f.api().get("/v1/calls/" + call.get("id").asText()).json();
        assertThat(nativeCall.get("scheduled_at").asText()).isEqualTo("2026-03-03T19:00:00Z");
        assertThat(nativeCall.at("/overrides/language").asText()).isEqualTo("es-MX");
        assertThat(nativeCall.at("/overrides/voice").asText()).isEqualTo("voice-7");
        assertThat(nativeCall.at("/overrides/llm_model").asText()).isEqualTo("mdl_aaaaaaaaaaaaaaaaaaaa");
        assertThat(nativeCall.at("/overrides/max_duration_s").asInt()).isEqualTo(180);
        assertThat(nativeCall.at("/metadata/campaign_id").asText()).isEqualTo("spring");
    }

    @Test
    void the_use_case_shows_the_agents_extraction_fields_and_classification_tags_in_happyrobots_shape() {
        setUp();
        String clinic = f.agent(Map.of("name", "Clinic", "prompt", "Hi {{name}}",
                "variables", List.of(Map.of("name", "name", "type", "string", "required", true)),
                "extraction", List.of(Map.of("name", "visit_date", "description", "the day of the visit", "type", "date",
                                "example", "2026-03-09", "required", true),
                        Map.of("name", "mood", "type", "enum", "values", List.of("happy", "upset"))),
                "tags", List.of(Map.of("name", "confirmed", "description", "the callee confirmed"), Map.of("name", "no_show"))));
        Map<String, Object> request = full("+14155552670");
        request.put("use_case_id", clinic);
        request.put("agent_id", clinic);
        TestApi.Answer a = f.api().post("/api/v1/dial/outbound", request);
        assertThat(a.status()).as(a.text()).isEqualTo(200);
        JsonNode uc = a.json().get("use_case");

        JsonNode date = uc.at("/extract_with_ai/0");
        assertThat(date.get("name").asText()).isEqualTo("visit_date");
        assertThat(date.get("description").asText()).isEqualTo("the day of the visit");
        assertThat(date.get("type").asText()).isEqualTo("date");
        assertThat(date.get("example").asText()).isEqualTo("2026-03-09");
        assertThat(date.get("required").asBoolean()).isTrue();
        JsonNode mood = uc.at("/extract_with_ai/1");
        assertThat(mood.get("description").asText()).as("the seed has no place for the values").isEqualTo("(one of: happy, upset)");
        assertThat(mood.get("example").isTextual()).as("the seed's strings are never null").isTrue();
        assertThat(mood.get("required").asBoolean()).isFalse();
        for (JsonNode field : uc.get("extract_with_ai")) {
            assertThat(field.properties()).extracting(Map.Entry::getKey).containsExactly("name", "description", "type", "example", "required");
        }
        assertThat(uc.get("classification_tags").findValuesAsText("name")).containsExactly("confirmed", "no_show");
        assertThat(uc.get("classification_tags").findValuesAsText("description")).containsExactly("the callee confirmed", "");
        assertThat(a.json().at("/metadata/tags")).as("no analysis yet").isEmpty();
    }

    @Test
    void the_carrier_gets_the_calls_own_max_duration_and_otherwise_the_use_cases() {
        setUp();
        CountingTelephony carrier = new CountingTelephony(new SimulatedTelephony(Fixture.instantCalls()));
        Outdial node = f.startNode("dialer", DispatchSettings.defaults().withEnabled(false), Fixture.instantCalls(),
                Map.of("simulated", carrier));
        String shortCall = f.api().post("/api/v1/dial/outbound", full("+14155552670")).json().get("id").asText();
        Map<String, Object> plain = new HashMap<>(Map.of("use_case_id", agent, "number_id", line, "phone_number", "+14155552672",
                "params", Map.of("name", "Bo")));
        String agentDefault = f.api().post("/api/v1/dial/outbound", plain).json().get("id").asText();
        clock.set(java.time.Instant.parse("2026-03-03T19:00:00Z"));
        assertThat(node.dispatcher().claimDue()).isEqualTo(2);
        clock.advance(java.time.Duration.ofSeconds(1));
        assertThat(node.dispatcher().startDue()).isEqualTo(2);
        assertThat(carrier.requests.get(shortCall).maxDuration()).isEqualTo(java.time.Duration.ofMinutes(3));
        assertThat(carrier.requests.get(agentDefault).maxDuration()).isEqualTo(java.time.Duration.ofSeconds(300));
    }

    @Test
    void outbound_batched_answers_an_array_in_request_order() {
        setUp();
        List<Map<String, Object>> calls = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            calls.add(Map.of("use_case_id", agent, "number_id", line, "phone_number", "+1415555267" + i, "params", Map.of("name", "P" + i)));
        }
        TestApi.Answer a = f.api().post("/api/v1/dial/outbound-batched", calls);
        assertThat(a.status()).as(a.text()).isEqualTo(200);
        assertThat(a.json()).hasSize(3);
        for (int i = 0; i < 3; i++) assertThat(a.json().get(i).at("/metadata/to").asText()).isEqualTo("+1415555267" + i);
    }

    @Test
    void bad_input_is_refused_whole_with_every_problem() {
        setUp();
        Map<String, Object> badLanguage = new HashMap<>(full("+14155552670"));
        badLanguage.put("language", "xx-XX");
        badLanguage.put("number_id", "short");
        Map<String, Object> noName = Map.of("use_case_id", agent, "number_id", line, "phone_number", "+14155552671");
        TestApi.Answer a = f.api().post("/api/v1/dial/outbound-batched", List.of(badLanguage, noName));
        assertThat(a.status()).isEqualTo(400);
        List<String> paths = new ArrayList<>();
        for (JsonNode e : a.json().get("errors")) paths.add(e.get("path").asText());
        assertThat(paths).contains("[0].language", "[0].number_id");

        TestApi.Answer missingParam = f.api().post("/api/v1/dial/outbound", noName);
        assertThat(missingParam.status()).isEqualTo(400);
        assertThat(missingParam.json().at("/errors/0/path").asText()).isEqualTo("params.name");

        Map<String, Object> mixed = new HashMap<>(noName);
        mixed.put("params", Map.of("name", "X"));
        Map<String, Object> otherLine = new HashMap<>(mixed);
        otherLine.put("number_id", f.line(1, 1));
        otherLine.put("phone_number", "+14155552679");
        assertThat(f.api().post("/api/v1/dial/outbound-batched", List.of(mixed, otherLine)).status()).isEqualTo(400);

        Map<String, Object> unknownUseCase = new HashMap<>(mixed);
        unknownUseCase.put("use_case_id", "agt_aaaaaaaaaaaaaaaaaaaa");
        TestApi.Answer nf = f.api().post("/api/v1/dial/outbound", unknownUseCase);
        assertThat(nf.status()).isEqualTo(404);
        assertThat(nf.json().get("statusCode").asInt()).isEqualTo(404);

        Map<String, Object> ancient = new HashMap<>(mixed);
        ancient.put("scheduled_for", "-5000-01-01T00:00:00Z");
        assertThat(f.api().post("/api/v1/dial/outbound", ancient).status()).isEqualTo(400);
        Map<String, Object> endless = new HashMap<>(mixed);
        endless.put("max_duration_mins", 71_582_789);
        assertThat(f.api().post("/api/v1/dial/outbound", endless).status()).as("no overflow to a short call").isEqualTo(400);

        assertThat(new TestApi(f.node().port(), null).post("/api/v1/dial/outbound", mixed).status()).isEqualTo(401);
        assertThat(f.sql("select count(*) from call")).isEqualTo("0");
    }
}
