package dev.outdial.api.dialect.elevenlabs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.outdial.Fixture;
import dev.outdial.Outdial;
import dev.outdial.TestApi;
import dev.outdial.TestClock;
import dev.outdial.config.OutdialConfig.DispatchSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Contract tests from seed 001: ElevenLabs-style batch calling at the vendor's paths, on real HTTP and PostgreSQL. */
class BatchCallingDialectTest {
    private static final String SEED = "/v1/voiceai/batch-calling";
    private static final String SDK = "/v1/convai/batch-calling";
    private final TestClock clock = TestClock.at("2026-03-03T18:00:00Z");
    private Fixture f;

    @AfterEach
    void tearDown() {
        if (f != null) f.close();
    }

    private TestApi xi() {
        return new TestApi(f.node().port(), f.key, "xi-api-key");
    }

    private String agent() {
        return f.agent(Map.of("name", "Reminder", "prompt", "Hi {{name}}",
                "variables", List.of(Map.of("name", "name", "type", "string", "required", true)),
                "retry_policy", Map.of("max_attempts", 1)));
    }

    /** The seed's request with every documented field. */
    private Map<String, Object> fullRequest(String agent, String line, long scheduledUnix) {
        Map<String, Object> override = Map.of(
                "turn", Map.of("soft_timeout_config", Map.of("message", "Are you there?")),
                "tts", Map.of("voice_id", "voice-42", "stability", 0.5, "speed", 1.1, "similarity_boost", 0.7),
                "conversation", Map.of("text_only", false),
                "agent", Map.of("first_message", "Hello {{name}}", "language", "es",
                        "prompt", Map.of("prompt", "You remind people kindly.", "llm", "gpt-4o-mini",
                                "native_mcp_server_ids", List.of("mcp-1"))));
        Map<String, Object> clientData = Map.of(
                "conversation_config_override", override,
                "custom_llm_extra_body", Map.of("temperature", 0.2),
                "user_id", "user-7",
                "source_info", Map.of("source", "unknown", "version", "1.0"),
                "dynamic_variables", Map.of("name", "Ana"));
        Map<String, Object> r1 = Map.of("id", "rec-1", "phone_number", "+14155552670", "whatsapp_user_id", "wa-1",
                "conversation_initiation_client_data", clientData);
        Map<String, Object> r2 = Map.of("id", "rec-2", "phone_number", "+14155552671",
                "conversation_initiation_client_data", Map.of("dynamic_variables", Map.of("name", "Bo")));
        Map<String, Object> req = new HashMap<>();
        req.put("call_name", "March reminders");
        req.put("agent_id", agent);
        req.put("recipients", List.of(r1, r2));
        req.put("scheduled_time_unix", scheduledUnix);
        req.put("agent_phone_number_id", line);
        req.put("whatsapp_params", Map.of("whatsapp_phone_number_id", "wa-num",
                "whatsapp_call_permission_request_template_name", "t", "whatsapp_call_permission_request_template_language_code", "en"));
        return req;
    }

    @Test
    void submit_accepts_every_field_of_the_seed_and_answers_the_job_object_on_both_paths() {
        f = Fixture.manual(clock);
        String agent = agent();
        String line = f.line(5, 5);
        long at = clock.instant().getEpochSecond() + 3600;
        for (String prefix : List.of(SEED, SDK)) {
            TestApi.Answer a = xi().post(prefix + "/submit", fullRequest(agent, line, at));
            assertThat(a.status()).as(a.text()).isEqualTo(200);
            JsonNode job = a.json();
            assertThat(job.get("id").asText()).startsWith("bat_").hasSize(24);
            assertThat(job.get("name").asText()).isEqualTo("March reminders");
            assertThat(job.get("agent_id").asText()).isEqualTo(agent);
            assertThat(job.get("created_at_unix").isIntegralNumber()).isTrue();
            assertThat(job.get("created_at_unix").asLong()).isEqualTo(clock.instant().getEpochSecond());
            assertThat(job.get("scheduled_time_unix").asLong()).isEqualTo(at);
            assertThat(job.get("last_updated_at_unix").isIntegralNumber()).isTrue();
            assertThat(job.get("status").asText()).isEqualTo("pending");
            assertThat(job.get("agent_name").asText()).isEqualTo("Reminder");
            assertThat(job.get("phone_number_id").asText()).isEqualTo(line);
            assertThat(job.get("phone_provider").isNull()).as("the simulated carrier has no word in the vendor's enum").isTrue();
            assertThat(job.at("/whatsapp_params/whatsapp_phone_number_id").asText()).isEqualTo("wa-num");
            assertThat(job.get("total_calls_dispatched").asInt()).isZero();
            assertThat(job.get("total_calls_scheduled").asInt()).isEqualTo(2);
            assertThat(job.get("total_calls_finished").asInt()).isZero();
            assertThat(job.get("retry_count").asInt()).isZero();

            // The same calls in the native API, with the recipient's overrides and variables.
            JsonNode got = xi().get(prefix + "/" + job.get("id").asText()).json();
            JsonNode first = got.get("recipients").get(0);
            assertThat(first.get("id").asText()).isEqualTo("rec-1");
            assertThat(first.get("status").asText()).isEqualTo("pending");
            assertThat(first.at("/conversation_initiation_client_data/user_id").asText()).isEqualTo("user-7");
            JsonNode call = f.api().get("/v1/calls/" + first.get("conversation_id").asText()).json();
            assertThat(call.get("external_id").asText()).isEqualTo("rec-1");
            assertThat(call.at("/variables/name").asText()).isEqualTo("Ana");
            assertThat(call.at("/overrides/prompt").asText()).isEqualTo("You remind people kindly.");
            assertThat(call.at("/overrides/llm_model").asText()).isEqualTo("gpt-4o-mini");
            assertThat(call.at("/overrides/first_message").asText()).isEqualTo("Hello {{name}}");
            assertThat(call.at("/overrides/language").asText()).isEqualTo("es");
            assertThat(call.at("/overrides/voice").asText()).isEqualTo("voice-42");
            assertThat(call.get("due_at").asText()).isEqualTo(java.time.Instant.ofEpochSecond(at).toString());
        }
    }

    @Test
    void without_a_phone_number_id_the_workspaces_only_number_is_used_and_the_list_pages() {
        f = Fixture.manual(clock);
        String agent = agent();
        String line = f.line(5, 5);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            TestApi.Answer a = xi().post(SEED + "/submit", Map.of("call_name", "job " + i, "agent_id", agent,
                    "recipients", List.of(Map.of("phone_number", "+1415555267" + i,
                            "conversation_initiation_client_data", Map.of("dynamic_variables", Map.of("name", "P"))))));
            assertThat(a.status()).as(a.text()).isEqualTo(200);
            assertThat(a.json().get("phone_number_id").asText()).isEqualTo(line);
            assertThat(a.json().get("scheduled_time_unix").asLong()).as("immediate: the creation time")
                    .isEqualTo(a.json().get("created_at_unix").asLong());
            ids.add(a.json().get("id").asText());
        }
        JsonNode page1 = xi().get(SDK + "/workspace?limit=2").json();
        assertThat(page1.get("batch_calls")).hasSize(2);
        assertThat(page1.get("has_more").asBoolean()).isTrue();
        JsonNode page2 = xi().get(SDK + "/workspace?limit=2&last_doc=" + page1.get("next_doc").asText()).json();
        assertThat(page2.get("batch_calls")).hasSize(1);
        assertThat(page2.get("has_more").asBoolean()).isFalse();
        List<String> listed = new ArrayList<>();
        for (JsonNode j : page1.get("batch_calls")) listed.add(j.get("id").asText());
        listed.add(page2.get("batch_calls").get(0).get("id").asText());
        assertThat(listed).containsExactlyInAnyOrderElementsOf(ids);

        f.line(5, 5); // a second number: now the job must say which
        TestApi.Answer ambiguous = xi().post(SEED + "/submit", Map.of("call_name", "x", "agent_id", agent,
                "recipients", List.of(Map.of("phone_number", "+14155552679"))));
        assertThat(ambiguous.status()).isEqualTo(422);
        assertThat(ambiguous.json().at("/detail/0/loc").toString()).isEqualTo("[\"body\",\"agent_phone_number_id\"]");
    }

    @Test
    void a_dialed_job_reports_recipient_outcomes_then_retry_calls_the_unreached_again_and_cancel_stops_it() throws Exception {
        f = Fixture.manual(clock);
        Outdial node = f.startNode("dialer", DispatchSettings.defaults().withEnabled(false), Fixture.instantCalls());
        TestApi api = new TestApi(node.port(), f.key, "x-api-key");
        String agent = agent();
        String line = f.line(10, 100);
        List<Map<String, Object>> recipients = new ArrayList<>();
        for (String n : List.of("+14155552670", "+14155552676", "+14155552678")) { // completed, busy, voicemail
            recipients.add(Map.of("phone_number", n, "conversation_initiation_client_data", Map.of("dynamic_variables", Map.of("name", "P"))));
        }
        String id = api.post(SEED + "/submit", Map.of("call_name", "dial", "agent_id", agent, "agent_phone_number_id", line,
                "recipients", recipients)).json().get("id").asText();

        assertThat(node.dispatcher().claimDue()).isEqualTo(3);
        clock.advance(Duration.ofMillis(20)); // slots are 1/cps = 10 ms apart
        assertThat(node.dispatcher().startDue()).isEqualTo(3);
        f.awaitSql("select count(*) from call where state <> 'finished'", "0");
        node.dispatcher().housekeep();
        JsonNode job = api.get(SEED + "/" + id).json();
        assertThat(job.get("status").asText()).isEqualTo("completed");
        assertThat(job.get("total_calls_dispatched").asInt()).isEqualTo(3);
        assertThat(job.get("total_calls_finished").asInt()).isEqualTo(3);
        assertThat(statuses(job)).containsExactly("completed", "failed", "voicemail");

        TestApi.Answer retried = api.post(SDK + "/" + id + "/retry", Map.of());
        assertThat(retried.status()).as(retried.text()).isEqualTo(200);
        assertThat(retried.json().get("retry_count").asInt()).isEqualTo(1);
        assertThat(retried.json().get("status").asText()).isEqualTo("in_progress");
        assertThat(statuses(api.get(SEED + "/" + id).json())).containsExactly("completed", "pending", "pending");

        TestApi.Answer cancelled = api.post(SEED + "/" + id + "/cancel", Map.of());
        assertThat(cancelled.status()).as(cancelled.text()).isEqualTo(200);
        assertThat(cancelled.json().get("status").asText()).isEqualTo("cancelled");
        assertThat(statuses(api.get(SEED + "/" + id).json())).containsExactly("completed", "cancelled", "cancelled");
        assertThat(node.dispatcher().claimDue()).as("a cancelled job dials nothing").isZero();
    }

    @Test
    void errors_come_in_the_vendors_shape_and_never_store_anything() {
        f = Fixture.manual(clock);
        String agent = agent();
        String line = f.line(5, 5);
        TestApi.Answer noKey = new TestApi(f.node().port(), null).post(SEED + "/submit", Map.of());
        assertThat(noKey.status()).isEqualTo(401);
        assertThat(noKey.json().at("/detail/status").asText()).isEqualTo("invalid_api_key");

        TestApi.Answer missing = xi().post(SEED + "/submit", Map.of("recipients", List.of(Map.of("id", "r"))));
        assertThat(missing.status()).isEqualTo(422);
        assertThat(locs(missing)).containsExactlyInAnyOrder("[\"body\",\"call_name\"]", "[\"body\",\"agent_id\"]",
                "[\"body\",\"recipients\",0,\"phone_number\"]");

        TestApi.Answer bad = xi().post(SEED + "/submit", Map.of("call_name", "x", "agent_id", agent, "agent_phone_number_id", line,
                "recipients", List.of(
                        Map.of("phone_number", "not a number", "conversation_initiation_client_data", Map.of("dynamic_variables", Map.of("name", "A"))),
                        Map.of("phone_number", "+14155552671"),
                        Map.of("phone_number", "+14155552672", "conversation_initiation_client_data", Map.of("conversation_config_override",
                                Map.of("agent", Map.of("language", 7)))))));
        assertThat(bad.status()).isEqualTo(422);
        assertThat(locs(bad)).contains("[\"body\",\"recipients\",2,\"conversation_initiation_client_data\",\"conversation_config_override\",\"agent\",\"language\"]");
        TestApi.Answer bad2 = xi().post(SEED + "/submit", Map.of("call_name", "x", "agent_id", agent, "agent_phone_number_id", line,
                "recipients", List.of(
                        Map.of("phone_number", "not a number", "conversation_initiation_client_data", Map.of("dynamic_variables", Map.of("name", "A"))),
                        Map.of("phone_number", "+14155552671"))));
        assertThat(bad2.status()).isEqualTo(422);
        assertThat(locs(bad2)).containsExactlyInAnyOrder("[\"body\",\"recipients\",0,\"phone_number\"]",
                "[\"body\",\"recipients\",1,\"conversation_initiation_client_data\",\"dynamic_variables\",\"name\"]");

        List<Map<String, Object>> tooMany = new ArrayList<>();
        for (int i = 0; i < 10_001; i++) tooMany.add(Map.of("phone_number", "+14155552671"));
        TestApi.Answer big = xi().post(SEED + "/submit", Map.of("call_name", "x", "agent_id", agent, "recipients", tooMany));
        assertThat(big.status()).isEqualTo(422);
        assertThat(locs(big)).containsExactly("[\"body\",\"recipients\"]");

        TestApi.Answer farFuture = xi().post(SEED + "/submit", Map.of("call_name", "x", "agent_id", agent,
                "scheduled_time_unix", Long.MAX_VALUE, "recipients", List.of(Map.of("phone_number", "+14155552671"))));
        assertThat(farFuture.status()).as(farFuture.text()).isEqualTo(422);
        TestApi.Answer farPast = xi().post(SEED + "/submit", Map.of("call_name", "x", "agent_id", agent, "agent_phone_number_id", line,
                "scheduled_time_unix", -30_000_000_000L, "recipients", List.of(Map.of("phone_number", "+14155552671",
                        "conversation_initiation_client_data", Map.of("dynamic_variables", Map.of("name", "A"))))));
        assertThat(farPast.status()).as(farPast.text()).isEqualTo(422);

        TestApi.Answer garbage = xi().post(SEED + "/submit", "{not json");
        assertThat(garbage.status()).isEqualTo(422);
        assertThat(garbage.json().at("/detail/0/type").asText()).isEqualTo("json_invalid");

        TestApi.Answer unknown = xi().get(SEED + "/bat_aaaaaaaaaaaaaaaaaaaa");
        assertThat(unknown.status()).as(unknown.text()).isEqualTo(404);
        assertThat(unknown.json().at("/detail/status").asText()).isEqualTo("batch_call_not_found");
        assertThat(f.sql("select count(*) from call")).as("nothing stored").isEqualTo("0");

        String id = xi().post(SEED + "/submit", Map.of("call_name", "x", "agent_id", agent, "recipients",
                List.of(Map.of("phone_number", "+14155552671", "conversation_initiation_client_data",
                        Map.of("dynamic_variables", Map.of("name", "A")))))).json().get("id").asText();
        TestApi.Answer early = xi().post(SEED + "/" + id + "/retry", Map.of());
        assertThat(early.status()).as("a pending job cannot be retried").isEqualTo(409);
        assertThat(early.json().at("/detail/status").asText()).isEqualTo("invalid_batch_state");
        String otherOrg = f.node().organizations().createOrganization("intruder");
        TestApi other = new TestApi(f.node().port(), f.node().organizations().createKey(otherOrg, "x").secret(), "xi-api-key");
        assertThat(other.get(SEED + "/" + id).status()).isEqualTo(404);
        assertThat(other.post(SEED + "/" + id + "/cancel", Map.of()).status()).isEqualTo(404);
        assertThat(other.get(SEED + "/workspace").json().get("batch_calls")).isEmpty();
    }

    @Test
    void status_words_follow_one_table() {
        Map<String, String> expected = new java.util.LinkedHashMap<>();
        expected.put("scheduled/", "pending");
        expected.put("dialing/", "initiated");
        expected.put("ringing/", "initiated");
        expected.put("in_progress/", "in_progress");
        expected.put("finished/completed", "completed");
        expected.put("finished/voicemail", "voicemail");
        expected.put("finished/canceled", "cancelled");
        for (String o : List.of("busy", "no_answer", "failed", "expired", "suppressed")) expected.put("finished/" + o, "failed");
        expected.forEach((k, v) -> {
            String[] p = k.split("/", -1);
            assertThat(BatchCallingViews.recipientStatus(p[0], p[1].isEmpty() ? null : p[1])).as(k).isEqualTo(v);
        });
        assertThat(BatchCallingViews.phoneProvider("sip")).isEqualTo("sip_trunk");
        assertThat(BatchCallingViews.phoneProvider("twilio")).isEqualTo("twilio");
        assertThat(BatchCallingViews.phoneProvider("simulated")).isNull();
    }

    private static List<String> statuses(JsonNode job) {
        List<String> out = new ArrayList<>();
        for (JsonNode r : job.get("recipients")) out.add(r.get("status").asText());
        return out;
    }

    private static List<String> locs(TestApi.Answer a) {
        List<String> out = new ArrayList<>();
        for (JsonNode d : a.json().get("detail")) out.add(d.get("loc").toString());
        return out;
    }
}
