package dev.outdial.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.outdial.Fixture;
import dev.outdial.TestApi;
import dev.outdial.TestClock;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * /openapi.json against the real thing: every documented operation is called, and every answer
 * is validated against the schema the document gives for its path, method and status (strict:
 * an undocumented field fails).
 */
class OpenApiTest {
    private final TestClock clock = TestClock.at("2026-03-03T18:00:00Z");
    private final Set<String> exercised = new TreeSet<>();
    private final List<String> failures = new ArrayList<>();
    private Fixture f;
    private JsonNode doc;

    @AfterEach
    void tearDown() {
        if (f != null) f.close();
    }

    @Test
    void every_documented_operation_answers_as_documented() {
        f = Fixture.manual(clock);
        TestApi api = f.api();
        TestApi.Answer served = new TestApi(f.node().port(), null).get("/openapi.json");
        assertThat(served.status()).isEqualTo(200);
        doc = served.json();
        assertThat(doc.get("openapi").asText()).startsWith("3.1");

        check("get", "/health", new TestApi(f.node().port(), null).get("/health"));
        check("get", "/v1/organization", api.get("/v1/organization"));
        check("get", "/v1/organization", new TestApi(f.node().port(), null).get("/v1/organization"));
        check("patch", "/v1/organization", api.patch("/v1/organization", Map.of("timezone", "America/New_York")));

        Map<String, Object> agentSpec = new java.util.HashMap<>(Map.of("name", "Reminder", "prompt", "Hi {{name}}", "first_message", "Hello",
                "voice", "alloy", "timezone", "America/Chicago",
                "calling_window", Map.of("mon", List.of(Map.of("start", "08:00", "end", "20:00"))),
                "variables", List.of(Map.of("name", "name", "type", "string", "required", true)),
                "amd", Map.of("behavior", "leave_message", "message", "Hi {{name}}, please call back."), "record_calls", true));
        agentSpec.put("providers", Map.of("llm", Map.of("base_url", "http://127.0.0.1:9/v1", "model", "m", "api_key", "sk-x"),
                "tts", Map.of("base_url", "http://127.0.0.1:9/v1", "model", "tts-1", "voice", "alloy")));
        agentSpec.put("conversation", Map.of("talk_first", false, "silence_ms", 5000, "reminders", List.of("Hello?")));
        agentSpec.put("extraction", List.of(
                Map.of("name", "visit_date", "description", "the day of the visit", "type", "date", "example", "2026-03-09", "required", true),
                Map.of("name", "mood", "type", "enum", "values", List.of("happy", "upset"))));
        agentSpec.put("tags", List.of(Map.of("name", "confirmed", "description", "the callee confirmed"), Map.of("name", "no_show")));
        agentSpec.put("summarize", true);
        TestApi.Answer agent = api.post("/v1/agents", agentSpec);
        check("post", "/v1/agents", agent);
        String agentId = agent.json().get("id").asText();
        check("get", "/v1/agents", api.get("/v1/agents"));
        check("get", "/v1/agents/{id}", api.get("/v1/agents/" + agentId));
        check("patch", "/v1/agents/{id}", api.patch("/v1/agents/" + agentId, Map.of("name", "Reminder 2")));
        check("post", "/v1/agents", api.post("/v1/agents", Map.of("name", "Own bot", "providers", Map.of("bot", Map.of(
                "url", "wss://bot.example.com/media", "headers", Map.of("Authorization", "Bearer x"), "custom_parameters", Map.of("team", "a"))))));
        check("post", "/v1/agents", api.post("/v1/agents", Map.of("name", "")));
        String spareAgent = api.post("/v1/agents", Map.of("name", "Spare", "prompt", "Hi")).json().get("id").asText();
        check("delete", "/v1/agents/{id}", api.delete("/v1/agents/" + spareAgent));
        check("get", "/v1/agents/{id}", api.get("/v1/agents/" + spareAgent));

        TestApi.Answer line = api.post("/v1/lines", Map.of("name", "L", "phone_number", "+14155552671", "provider", "simulated",
                "max_concurrent", 5, "max_cps", 5));
        check("post", "/v1/lines", line);
        String lineId = line.json().get("id").asText();
        check("get", "/v1/lines", api.get("/v1/lines"));
        check("get", "/v1/lines/{id}", api.get("/v1/lines/" + lineId));
        check("patch", "/v1/lines/{id}", api.patch("/v1/lines/" + lineId, Map.of("max_cps", 10)));
        String spareLine = api.post("/v1/lines", Map.of("name", "S", "phone_number", "+14155552672", "provider", "simulated",
                "max_concurrent", 1, "max_cps", 1)).json().get("id").asText();
        check("delete", "/v1/lines/{id}", api.delete("/v1/lines/" + spareLine));

        TestApi.Answer hook = api.post("/v1/webhook-endpoints", Map.of("url", "http://127.0.0.1:9/hook", "description", "CRM",
                "event_types", List.of("call.finished", "batch.created")));
        check("post", "/v1/webhook-endpoints", hook);
        String hookId = hook.json().get("id").asText();
        check("post", "/v1/webhook-endpoints", api.post("/v1/webhook-endpoints", Map.of("url", "gopher://x")));
        check("get", "/v1/webhook-endpoints", api.get("/v1/webhook-endpoints"));
        check("get", "/v1/webhook-endpoints/{id}", api.get("/v1/webhook-endpoints/" + hookId));
        check("patch", "/v1/webhook-endpoints/{id}", api.patch("/v1/webhook-endpoints/" + hookId, Map.of("description", "CRM 2")));
        check("post", "/v1/webhook-endpoints/{id}/rotate-secret", api.post("/v1/webhook-endpoints/" + hookId + "/rotate-secret",
                Map.of("grace_seconds", 60)));
        check("post", "/v1/dnc", api.post("/v1/dnc", Map.of("phone_number", "+14155552679", "reason", "asked")));
        check("post", "/v1/dnc", api.post("/v1/dnc", Map.of("phone_number", "+14155552679")));
        check("post", "/v1/dnc/bulk", api.post("/v1/dnc/bulk", Map.of("phone_numbers", List.of("+14155552678"))));
        check("get", "/v1/dnc", api.get("/v1/dnc"));
        check("get", "/v1/dnc/{phone_number}", api.get("/v1/dnc/+14155552679"));
        check("delete", "/v1/dnc/{phone_number}", api.delete("/v1/dnc/+14155552678"));

        List<Map<String, Object>> recipients = List.of(
                Map.of("phone_number", "+14155552670", "variables", Map.of("name", "Ana"), "external_id", "crm-1",
                        "overrides", Map.of("language", "es", "max_duration_s", 120), "timezone", "America/Los_Angeles"),
                Map.of("phone_number", "+14155552679", "variables", Map.of("name", "Listed")),
                Map.of("phone_number", "+14155552670", "variables", Map.of("name", "Ana again")),
                Map.of("phone_number", "not a number", "variables", Map.of("name", "Bad")));
        TestApi.Answer batch = api.post("/v1/batches", Map.of("name", "March", "agent_id", agentId, "line_id", lineId,
                "allow_partial", true, "deadline", "2026-03-10T00:00:00Z", "recipients", recipients));
        check("post", "/v1/batches", batch);
        assertThat(batch.json().has("rejected") && batch.json().has("suppressed") && batch.json().has("merged")).isTrue();
        check("post", "/v1/batches", api.post("/v1/batches", Map.of()));
        String batchId = batch.json().get("id").asText();
        check("get", "/v1/batches", api.get("/v1/batches"));
        check("get", "/v1/batches/{id}", api.get("/v1/batches/" + batchId));
        check("get", "/v1/batches/{id}", api.get("/v1/batches/bat_aaaaaaaaaaaaaaaaaaaa"));
        check("post", "/v1/batches/{id}/recipients", api.post("/v1/batches/" + batchId + "/recipients",
                Map.of("recipients", List.of(Map.of("phone_number", "+14155552673", "variables", Map.of("name", "Cy"))))));
        clock.set(java.time.Instant.parse("2026-03-09T15:00:00Z")); // Monday 09:00 in Chicago
        f.node().dispatcher().claimDue();
        check("post", "/v1/batches/{id}/pause", api.post("/v1/batches/" + batchId + "/pause", Map.of()));
        check("post", "/v1/batches/{id}/resume", api.post("/v1/batches/" + batchId + "/resume", Map.of()));
        TestApi.Answer calls = api.get("/v1/batches/" + batchId + "/calls?limit=1");
        check("get", "/v1/batches/{id}/calls", calls);
        // One call as the agent leaves it after a conversation: its transcript and analysis, as CallAgents stores them.
        String talked = calls.json().at("/data/0/id").asText();
        Map<String, Object> transcript = Map.of("attempt", 1, "channel", "audio", "model", "m", "errors", List.of(),
                "entries", List.of(Map.of("speaker", "callee", "text", "Yes, Monday.", "start_ms", 10, "end_ms", 900)));
        Map<String, Object> analysis = Map.of("attempt", 1, "extracted", Map.of("visit_date", "2026-03-09"), "tags", List.of("confirmed"),
                "summary", "Ana confirmed Monday.", "model", "m",
                "errors", List.of(Map.of("pointer", "/extracted/mood", "message", "expected one of [happy, upset], got \"calm\"")));
        f.db.tx(c -> {
            try (var ps = c.prepareStatement("update call set transcript = ?::jsonb, analysis = ?::jsonb where id = ?")) {
                ps.setString(1, dev.outdial.store.Json.write(transcript));
                ps.setString(2, dev.outdial.store.Json.write(analysis));
                ps.setString(3, talked);
                return ps.executeUpdate();
            }
        });
        assertThat(api.get("/v1/calls/" + talked).json().at("/analysis/tags/0").asText()).isEqualTo("confirmed");
        for (JsonNode c : api.get("/v1/batches/" + batchId + "/calls").json().get("data")) {
            check("get", "/v1/calls/{id}", api.get("/v1/calls/" + c.get("id").asText()));
        }
        // No call here was answered on a recording agent's sip line: the recording is not found (200 is covered by SipDispatchTest).
        String someCall = api.get("/v1/batches/" + batchId + "/calls").json().at("/data/0/id").asText();
        check("get", "/v1/calls/{id}/attempts/{attempt}/recording", api.get("/v1/calls/" + someCall + "/attempts/1/recording"));
        check("post", "/v1/batches/{id}/retry", api.post("/v1/batches/" + batchId + "/retry", Map.of()));
        check("post", "/v1/batches/{id}/cancel", api.post("/v1/batches/" + batchId + "/cancel", Map.of()));
        check("post", "/v1/batches/{id}/retry", api.post("/v1/batches/" + batchId + "/retry", Map.of("outcomes", List.of("canceled"))));

        TestApi.Answer deliveries = api.get("/v1/webhook-endpoints/" + hookId + "/deliveries");
        check("get", "/v1/webhook-endpoints/{id}/deliveries", deliveries);
        assertThat(deliveries.json().get("data")).as("batch.created and call.finished events were delivered to the endpoint").isNotEmpty();
        check("post", "/v1/webhook-deliveries/{id}/resend",
                api.post("/v1/webhook-deliveries/" + deliveries.json().at("/data/0/id").asText() + "/resend", Map.of()));
        check("post", "/v1/webhook-endpoints/{id}/replay", api.post("/v1/webhook-endpoints/" + hookId + "/replay",
                Map.of("since", "2026-01-01T00:00:00Z")));
        check("delete", "/v1/webhook-endpoints/{id}", api.delete("/v1/webhook-endpoints/" + hookId));

        assertThat(failures).isEmpty();
        assertThat(exercised).as("every documented operation was called").containsAll(documentedOperations());
    }

    private Set<String> documentedOperations() {
        Set<String> out = new TreeSet<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = doc.get("paths").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> p = it.next();
            for (String m : List.of("get", "post", "patch", "delete")) {
                if (p.getValue().has(m)) out.add(m + " " + p.getKey());
            }
        }
        return out;
    }

    /** Validates one answer against the schema the document gives for it; an undocumented status is a failure too. */
    private void check(String method, String path, TestApi.Answer a) {
        exercised.add(method + " " + path);
        String where = method.toUpperCase() + " " + path + " → " + a.status();
        JsonNode op = doc.at("/paths/" + escape(path) + "/" + method);
        assertThat(op.isMissingNode()).as(where + ": not documented").isFalse();
        JsonNode response = op.at("/responses/" + a.status());
        if (response.isMissingNode()) {
            failures.add(where + ": status not documented; body " + a.text());
            return;
        }
        String base = "#/paths/" + escape(path) + "/" + method + "/responses/" + a.status();
        if (response.has("$ref")) {
            base = response.get("$ref").asText();
            response = doc.at(base.substring(1));
        }
        JsonNode content = response.get("content");
        if (content == null) {
            if (a.text() != null && !a.text().isEmpty()) failures.add(where + ": documented without a body, got " + a.text());
            return;
        }
        String type = a.header("Content-Type") == null ? "" : a.header("Content-Type").split(";")[0].trim();
        if (!content.has(type)) {
            failures.add(where + ": content type " + type + " not documented");
            return;
        }
        ObjectNode root = doc.deepCopy();
        root.put("$schema", "https://json-schema.org/draft/2020-12/schema");
        root.put("$ref", base + "/content/" + escape(type) + "/schema");
        Set<ValidationMessage> errors = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(root).validate(a.json());
        if (!errors.isEmpty()) failures.add(where + ": " + errors + " in " + a.text());
    }

    private static String escape(String s) {
        return s.replace("~", "~0").replace("/", "~1");
    }
}
