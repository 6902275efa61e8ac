package dev.outdial.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outdial.Fixture;
import dev.outdial.TestApi;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Agents and lines over HTTP: defaults, validation with pointers, PATCH, paging, delete. */
class ResourceRoutesTest {

    @Test
    void agent_lifecycle_with_defaults_patch_and_delete() {
        try (Fixture f = Fixture.manual()) {
            TestApi api = f.api();
            TestApi.Answer a = api.post("/v1/agents", Map.of("name", "A", "prompt", "Hello {{name}}",
                    "variables", List.of(Map.of("name", "name"))));
            assertThat(a.status()).as(a.text()).isEqualTo(201);
            String id = a.json().get("id").asText();
            assertThat(id).startsWith("agt_").hasSize(24);
            assertThat(a.json().get("language").asText()).isEqualTo("en");
            assertThat(a.json().get("max_duration_seconds").asInt()).isEqualTo(600);
            assertThat(a.json().at("/retry_policy/max_attempts").asInt()).isEqualTo(3);
            assertThat(a.json().at("/variables/0/type").asText()).isEqualTo("string");
            assertThat(a.json().at("/variables/0/required").asBoolean()).isTrue();

            TestApi.Answer p = api.patch("/v1/agents/" + id, Map.of("max_duration_seconds", 120, "timezone", "Europe/Madrid"));
            assertThat(p.status()).as(p.text()).isEqualTo(200);
            assertThat(p.json().get("max_duration_seconds").asInt()).isEqualTo(120);
            assertThat(p.json().get("prompt").asText()).isEqualTo("Hello {{name}}");
            assertThat(p.json().get("timezone").asText()).isEqualTo("Europe/Madrid");

            TestApi.Answer unknown = api.patch("/v1/agents/" + id, Map.of("colour", "red"));
            assertThat(unknown.status()).isEqualTo(422);
            assertThat(unknown.json().findValuesAsText("pointer")).containsExactly("/colour");

            assertThat(api.delete("/v1/agents/" + id).status()).isEqualTo(204);
            assertThat(api.get("/v1/agents/" + id).status()).isEqualTo(404);
            assertThat(api.delete("/v1/agents/" + id).status()).isEqualTo(404);
        }
    }

    @Test
    void invalid_agent_and_line_fields_are_all_named() {
        try (Fixture f = Fixture.manual()) {
            TestApi api = f.api();
            TestApi.Answer a = api.post("/v1/agents", Map.of("prompt", 5, "timezone", "Nowhere/City", "max_duration_seconds", 1,
                    "variables", List.of(Map.of("name", "1bad", "type", "date")), "surprise", true,
                    "retry_policy", Map.of("max_attempts", 0)));
            assertThat(a.status()).isEqualTo(422);
            assertThat(a.json().findValuesAsText("pointer")).containsExactlyInAnyOrder("/name", "/prompt", "/timezone",
                    "/max_duration_seconds", "/variables/0/name", "/variables/0/type", "/surprise", "/retry_policy");

            TestApi.Answer l = api.post("/v1/lines", Map.of("phone_number", "12345", "provider", "carrier-pigeon",
                    "max_concurrent", 0, "max_cps", -1));
            assertThat(l.status()).isEqualTo(422);
            assertThat(l.json().findValuesAsText("pointer")).containsExactlyInAnyOrder("/phone_number", "/provider",
                    "/max_concurrent", "/max_cps");
            assertThat(api.get("/v1/agents").json().get("data")).isEmpty();
            assertThat(api.get("/v1/lines").json().get("data")).isEmpty();
        }
    }

    @Test
    void sip_trunks_and_amd_settings_are_checked_field_by_field_and_the_password_is_never_shown() {
        try (Fixture f = Fixture.manual()) {
            TestApi api = f.api();
            TestApi.Answer noTrunk = api.post("/v1/lines", Map.of("phone_number", "+14155550100", "provider", "sip"));
            assertThat(noTrunk.status()).isEqualTo(422);
            assertThat(noTrunk.json().findValuesAsText("pointer")).containsExactly("/sip");
            TestApi.Answer bad = api.post("/v1/lines", Map.of("phone_number", "+14155550100", "provider", "sip",
                    "sip", Map.of("host", "bad host!", "port", 70000, "transport", "sctp", "codecs", List.of("G729"),
                            "ring_timeout_s", 0, "outbound_proxy", "x y", "colour", "red")));
            assertThat(bad.status()).isEqualTo(422);
            assertThat(bad.json().findValuesAsText("pointer")).containsExactlyInAnyOrder("/sip/host", "/sip/port", "/sip/transport",
                    "/sip/codecs", "/sip/ring_timeout_s", "/sip/outbound_proxy", "/sip/colour");
            TestApi.Answer onSimulated = api.post("/v1/lines", Map.of("phone_number", "+14155550100", "sip", Map.of("host", "x")));
            assertThat(onSimulated.json().findValuesAsText("pointer")).containsExactly("/sip");

            TestApi.Answer line = api.post("/v1/lines", Map.of("phone_number", "+14155550100", "provider", "sip",
                    "sip", Map.of("host", "sip.carrier.example", "username", "alice", "password", "s3cret", "transport", "TCP")));
            assertThat(line.status()).as(line.text()).isEqualTo(201);
            assertThat(line.text()).doesNotContain("s3cret");
            assertThat(line.json().get("sip").get("transport").asText()).isEqualTo("tcp");
            String id = line.json().get("id").asText();
            // A PATCH that does not repeat the password keeps it; a new user name without a password drops it.
            assertThat(api.patch("/v1/lines/" + id, Map.of("max_cps", 3)).status()).isEqualTo(200);
            assertThat(f.sql("select sip->>'password' from line where id = '" + id + "'")).isEqualTo("s3cret");
            assertThat(api.patch("/v1/lines/" + id, Map.of("sip", Map.of("host", "sip.carrier.example", "username", "bob"))).status()).isEqualTo(200);
            assertThat(f.sql("select sip->>'password' from line where id = '" + id + "'")).isNull();

            TestApi.Answer typo = api.post("/v1/agents", Map.of("name", "T", "prompt", "Call {{nmae}} at {{local_time}} about {{clinic}}",
                    "first_message", "Hi {{name}}, {{greeting}}", "variables", List.of(Map.of("name", "name", "type", "string")),
                    "default_variables", Map.of("clinic", "Main")));
            assertThat(typo.status()).isEqualTo(422);
            assertThat(typo.json().findValuesAsText("pointer")).containsExactlyInAnyOrder("/prompt", "/first_message");
            assertThat(typo.text()).contains("{{nmae}}").contains("{{greeting}}").doesNotContain("{{clinic}}");

            TestApi.Answer amd = api.post("/v1/agents", Map.of("name", "A", "record_calls", "yes",
                    "amd", Map.of("behavior", "leave_message", "decision_ms", 50, "beep", true)));
            assertThat(amd.status()).isEqualTo(422);
            assertThat(amd.json().findValuesAsText("pointer")).containsExactlyInAnyOrder("/record_calls", "/amd/message",
                    "/amd/decision_ms", "/amd/beep");
        }
    }

    @Test
    void engine_keys_are_write_only_kept_on_patch_and_settings_checked() {
        try (Fixture f = Fixture.manual()) {
            TestApi api = f.api();
            TestApi.Answer bad = api.post("/v1/agents", Map.of("name", "A",
                    "providers", Map.of("llm", Map.of("base_url", "ftp://x", "voice", "v"), "tts", Map.of("base_url", "http://t/v1", "model", "m"),
                            "asr", Map.of()),
                    "conversation", Map.of("silence_ms", 10, "reminders", List.of("a", "b", "c", "d", "e", "f"), "mood", "x")));
            assertThat(bad.status()).isEqualTo(422);
            assertThat(bad.json().findValuesAsText("pointer")).containsExactlyInAnyOrder("/providers/llm/base_url", "/providers/llm/model",
                    "/providers/llm/voice", "/providers/tts/voice", "/providers/asr", "/conversation/silence_ms", "/conversation/reminders",
                    "/conversation/mood");

            TestApi.Answer ws = api.post("/v1/agents", Map.of("name", "A", "providers", Map.of(
                    "llm", Map.of("base_url", "wss://llm.example/v1", "model", "gpt"), "stt", Map.of("base_url", "ftp://stt.example", "model", "m"))));
            assertThat(ws.json().findValuesAsText("pointer")).containsExactlyInAnyOrder("/providers/llm/base_url", "/providers/stt/base_url");
            assertThat(ws.text()).contains("wss://api.deepgram.com/v1");
            TestApi.Answer streaming = api.post("/v1/agents", Map.of("name", "A", "providers", Map.of(
                    "stt", Map.of("base_url", "wss://api.deepgram.com/v1", "model", "nova-2", "api_key", "dg-secret"))));
            assertThat(streaming.status()).as("a ws(s) transcriber streams: " + streaming.text()).isEqualTo(201);
            assertThat(streaming.json().at("/providers/stt/base_url").asText()).isEqualTo("wss://api.deepgram.com/v1");

            TestApi.Answer ok = api.post("/v1/agents", Map.of("name", "A", "providers", Map.of(
                    "llm", Map.of("base_url", "https://api.example/v1", "model", "gpt", "api_key", "sk-secret"))));
            assertThat(ok.status()).as(ok.text()).isEqualTo(201);
            assertThat(ok.text()).doesNotContain("sk-secret");
            assertThat(ok.json().at("/providers/llm/api_key_set").asBoolean()).isTrue();
            String id = ok.json().get("id").asText();
            assertThat(api.patch("/v1/agents/" + id, Map.of("prompt", "Be brief.")).status()).isEqualTo(200);
            assertThat(f.sql("select providers->'llm'->>'api_key' from agent where id = '" + id + "'")).isEqualTo("sk-secret");
            assertThat(api.patch("/v1/agents/" + id, Map.of("providers", Map.of("llm", Map.of("base_url", "https://other.example/v1", "model", "x"))))
                    .json().at("/providers/llm/api_key_set").asBoolean()).as("a new server does not get the old key").isFalse();
        }
    }

    @Test
    void a_bot_is_checked_field_by_field_and_its_headers_are_write_only() {
        try (Fixture f = Fixture.manual()) {
            TestApi api = f.api();
            TestApi.Answer bad = api.post("/v1/agents", Map.of("name", "A", "providers", Map.of("bot", Map.of(
                    "url", "https://bot.example.com", "headers", Map.of("Host", "x", "X-Token", 5, "bad name", "v", "a/b~c", "v", "X-Bell", "ring\u0007"),
                    "custom_parameters", Map.of("n", List.of(1), "greeting", "Hi {{nobody}}"), "model", "m"))));
            assertThat(bad.status()).isEqualTo(422);
            assertThat(bad.json().findValuesAsText("pointer")).containsExactlyInAnyOrder("/providers/bot/url", "/providers/bot/headers/Host",
                    "/providers/bot/headers/X-Token", "/providers/bot/headers/bad name", "/providers/bot/headers/a~1b~0c",
                    "/providers/bot/headers/X-Bell", "/providers/bot/custom_parameters/n",
                    "/providers/bot/custom_parameters/greeting", "/providers/bot/model");
            assertThat(api.post("/v1/agents", Map.of("name", "A", "providers", Map.of("bot", Map.of()))).json()
                    .findValuesAsText("pointer")).containsExactly("/providers/bot/url");

            TestApi.Answer ok = api.post("/v1/agents", Map.of("name", "A", "providers", Map.of("bot", Map.of("url", "wss://bot.example.com/media",
                    "headers", Map.of("Authorization", "Bearer s3cret"), "custom_parameters", Map.of("greeting", "Hi {{recipient_number}}")))));
            assertThat(ok.status()).as(ok.text()).isEqualTo(201);
            assertThat(ok.text()).doesNotContain("s3cret");
            assertThat(ok.json().at("/providers/bot/header_names").get(0).asText()).isEqualTo("Authorization");
            assertThat(ok.json().at("/providers/bot/custom_parameters/greeting").asText()).isEqualTo("Hi {{recipient_number}}");
            String id = ok.json().get("id").asText();
            assertThat(api.patch("/v1/agents/" + id, Map.of("prompt", "Be brief.")).status()).isEqualTo(200);
            assertThat(f.sql("select providers->'bot'->'headers'->>'Authorization' from agent where id = '" + id + "'")).isEqualTo("Bearer s3cret");
            assertThat(api.patch("/v1/agents/" + id, Map.of("providers", Map.of("bot", Map.of("url", "wss://other.example.com/media"))))
                    .json().at("/providers/bot/header_names").isMissingNode()).as("a new address does not get the old headers").isTrue();
        }
    }

    @Test
    void a_line_with_unfinished_calls_cannot_be_deleted() {
        try (Fixture f = Fixture.manual()) {
            TestApi api = f.api();
            String line = f.line(1, 1);
            String batch = api.post("/v1/batches", Map.of("name", "b", "agent_id", f.agent(), "line_id", line,
                    "recipients", Fixture.recipients(2, 0))).json().get("id").asText();
            assertThat(api.delete("/v1/lines/" + line).status()).isEqualTo(409);
            assertThat(api.post("/v1/batches/" + batch + "/cancel", Map.of()).status()).isEqualTo(200);
            assertThat(api.delete("/v1/lines/" + line).status()).isEqualTo(204);
        }
    }

    @Test
    void lists_page_through_every_object_once() {
        try (Fixture f = Fixture.manual()) {
            TestApi api = f.api();
            for (int i = 0; i < 7; i++) f.line(1, 1);
            Set<String> seen = new HashSet<>();
            String cursor = null;
            int pages = 0;
            do {
                TestApi.Answer page = api.get("/v1/lines?limit=3" + (cursor == null ? "" : "&cursor=" + cursor));
                page.json().get("data").forEach(l -> assertThat(seen.add(l.get("id").asText())).isTrue());
                cursor = page.json().get("has_more").asBoolean() ? page.json().get("next_cursor").asText() : null;
                pages++;
            } while (cursor != null);
            assertThat(seen).hasSize(7);
            assertThat(pages).isEqualTo(3);
            assertThat(api.get("/v1/lines?limit=0").status()).isEqualTo(422);
            TestApi.Answer missing = api.get("/v1/nothing-here");
            assertThat(missing.status()).isEqualTo(404);
            assertThat(missing.header("content-type")).startsWith("application/problem+json");
            TestApi.Answer wrongMethod = api.delete("/v1/batches");
            assertThat(wrongMethod.status()).isEqualTo(405);
            assertThat(wrongMethod.header("content-type")).startsWith("application/problem+json");
        }
    }
}
