package dev.outdial.api.dialect.dasha;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.outdial.Fixture;
import dev.outdial.Outdial;
import dev.outdial.TestApi;
import dev.outdial.TestClock;
import dev.outdial.config.OutdialConfig.DispatchSettings;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Contract tests from seed 002: Dasha BlackBox calls at the vendor's paths, on real HTTP and PostgreSQL. */
class DashaCallsDialectTest {
    private final TestClock clock = TestClock.at("2026-03-03T18:00:00Z"); // 10:00 in San Francisco
    private Fixture f;

    @AfterEach
    void tearDown() {
        if (f != null) f.close();
    }

    private String agent() {
        return f.agent(Map.of("name", "Collections", "prompt", "Hi {{name}}", "timezone", "America/Los_Angeles",
                "variables", List.of(Map.of("name", "name", "type", "string", "required", true)),
                "retry_policy", Map.of("max_attempts", 1)));
    }

    @Test
    void one_call_takes_every_field_of_the_seed_and_answers_a_dasha_call() {
        f = Fixture.manual(clock);
        String agent = agent();
        String line = f.line(5, 5);
        Map<String, Object> outbound = Map.of("phoneNumber", "+14155552671", "credentialsId", line, "displayName", "Acme");
        TestApi.Answer a = f.api().post("/api/v1/calls?agentId=" + agent, Map.of("endpoint", "+14155552670",
                "additionalData", Map.of("name", "Ana"), "priority", 7, "callDeadline", "2026-03-04T12:00:00Z",
                "timezone", "America/New_York", "overrideOutboundConfig", outbound));
        assertThat(a.status()).as(a.text()).isEqualTo(200);
        JsonNode call = a.json();
        assertThat(call.get("endpoint").asText()).isEqualTo("+14155552670");
        assertThat(call.get("callId").asText()).startsWith("cal_");
        assertThat(call.get("orgId").asText()).isEqualTo(f.orgId);
        assertThat(call.get("agentId").asText()).isEqualTo(agent);
        assertThat(call.get("createdTime").asText()).isEqualTo("2026-03-03T18:00:00Z");
        assertThat(call.get("status").asText()).isEqualTo("Queued");
        assertThat(call.get("nextScheduleTime").asText()).isEqualTo("2026-03-03T18:00:00Z");
        assertThat(call.at("/additionalData/name").asText()).isEqualTo("Ana");
        assertThat(call.get("priority").asInt()).isEqualTo(7);
        assertThat(call.get("callDeadline").asText()).isEqualTo("2026-03-04T12:00:00Z");
        assertThat(call.get("timezone").asText()).isEqualTo("America/New_York");
        assertThat(call.at("/overrideOutboundConfig/displayName").asText()).isEqualTo("Acme");

        JsonNode again = f.api().get("/api/v1/calls/" + call.get("callId").asText()).json();
        assertThat(again.get("callId").asText()).isEqualTo(call.get("callId").asText());
        JsonNode nativeCall = f.api().get("/v1/calls/" + call.get("callId").asText()).json();
        assertThat(nativeCall.get("line_id").asText()).isEqualTo(line);
        assertThat(nativeCall.get("priority").asInt()).isEqualTo(7);
        assertThat(nativeCall.get("zones").get(0).asText()).isEqualTo("America/New_York");
    }

    @Test
    void bulk_applies_the_seeds_defaults_and_schedules_by_priority() {
        f = Fixture.manual(clock);
        String agent = agent();
        f.line(1, 5);
        List<Map<String, Object>> calls = List.of(
                Map.of("endpoint", "+14155552670", "additionalData", Map.of("name", "A")),
                Map.of("endpoint", "sip:bob@example.com", "additionalData", Map.of("name", "B"), "priority", 9));
        TestApi.Answer a = f.api().post("/api/v1/calls/bulk?agentId=" + agent, calls);
        assertThat(a.status()).as(a.text()).isEqualTo(200);
        assertThat(a.json()).hasSize(2);
        JsonNode first = a.json().get(0);
        assertThat(first.get("priority").asInt()).as("default priority").isEqualTo(1);
        assertThat(first.get("callDeadline").asText()).as("default deadline: now + 24 h").isEqualTo("2026-03-04T18:00:00Z");
        assertThat(first.get("timezone").isNull()).isTrue();
        assertThat(a.json().get(1).get("endpoint").asText()).isEqualTo("sip:bob@example.com");

        Outdial node = f.node();
        assertThat(node.dispatcher().claimDue()).as("one line slot").isEqualTo(1);
        String running = a.json().get(1).get("callId").asText();
        assertThat(f.api().get("/api/v1/calls/" + running).json().get("status").asText()).as("higher priority first").isEqualTo("Running");
    }

    @Test
    void outcomes_read_as_dashas_words_and_a_missed_deadline_is_canceled() throws Exception {
        f = Fixture.manual(clock);
        Outdial node = f.startNode("dialer", DispatchSettings.defaults().withEnabled(false), Fixture.instantCalls());
        TestApi api = new TestApi(node.port(), f.key);
        String agent = agent();
        f.line(10, 100);
        List<Map<String, Object>> calls = new ArrayList<>();
        for (String n : List.of("+14155552670", "+14155552676", "+14155552678")) { // completed, busy, voicemail
            calls.add(Map.of("endpoint", n, "additionalData", Map.of("name", "P")));
        }
        calls.add(Map.of("endpoint", "+14155552675", "additionalData", Map.of("name", "Late"), "callDeadline", "2026-03-03T18:00:01Z"));
        JsonNode made = api.post("/api/v1/calls/bulk?agentId=" + agent, calls).json();
        clock.advance(Duration.ofSeconds(2)); // the fourth call's deadline passes before it is claimed
        node.dispatcher().housekeep();
        assertThat(node.dispatcher().claimDue()).isEqualTo(3);
        clock.advance(Duration.ofMillis(50));
        assertThat(node.dispatcher().startDue()).isEqualTo(3);
        f.awaitSql("select count(*) from call where state <> 'finished'", "0");
        List<String> statuses = new ArrayList<>();
        for (JsonNode c : made) statuses.add(api.get("/api/v1/calls/" + c.get("callId").asText()).json().get("status").asText());
        assertThat(statuses).containsExactly("Completed", "Failed", "Completed", "Canceled");
    }

    @Test
    void errors_are_problem_details_with_dashas_field_names_and_store_nothing() {
        f = Fixture.manual(clock);
        String agent = agent();
        f.line(5, 5);
        TestApi.Answer noAgent = f.api().post("/api/v1/calls", Map.of("endpoint", "+14155552670"));
        assertThat(noAgent.status()).isEqualTo(400);
        assertThat(noAgent.json().at("/errors/agentId/0").asText()).contains("required");

        TestApi.Answer bad = f.api().post("/api/v1/calls/bulk?agentId=" + agent, List.of(
                Map.of("endpoint", "+14155552670", "additionalData", Map.of("name", "A")),
                Map.of("endpoint", "12", "additionalData", Map.of("name", "B")),
                Map.of("endpoint", "+14155552672", "timezone", "Mars/Olympus", "additionalData", Map.of())));
        assertThat(bad.status()).as(bad.text()).isEqualTo(400);
        assertThat(bad.header("Content-Type")).startsWith("application/problem+json");
        assertThat(bad.json().get("title").asText()).isEqualTo("One or more validation errors occurred.");
        List<String> keys = new ArrayList<>();
        bad.json().get("errors").fieldNames().forEachRemaining(keys::add);
        assertThat(keys).containsExactlyInAnyOrder("[1].endpoint", "[2].timezone", "[2].additionalData.name");

        TestApi.Answer wrongTypes = f.api().post("/api/v1/calls?agentId=" + agent, Map.of("priority", "high", "callDeadline", "tomorrow"));
        assertThat(wrongTypes.status()).isEqualTo(400);
        List<String> wrong = new ArrayList<>();
        wrongTypes.json().get("errors").fieldNames().forEachRemaining(wrong::add);
        assertThat(wrong).containsExactlyInAnyOrder("endpoint", "priority", "callDeadline");

        f.line(5, 5);
        TestApi.Answer ambiguous = f.api().post("/api/v1/calls?agentId=" + agent,
                Map.of("endpoint", "+14155552670", "additionalData", Map.of("name", "A")));
        assertThat(ambiguous.status()).isEqualTo(400);
        assertThat(ambiguous.json().at("/errors/overrideOutboundConfig/0").asText()).contains("2 lines");

        TestApi.Answer farDeadline = f.api().post("/api/v1/calls?agentId=" + agent, Map.of("endpoint", "+14155552670",
                "additionalData", Map.of("name", "A"), "callDeadline", "+999999999-12-31T23:59:59Z"));
        assertThat(farDeadline.status()).as(farDeadline.text()).isEqualTo(400);
        assertThat(f.api().get("/api/v1/calls/cal_aaaaaaaaaaaaaaaaaaaa").status()).isEqualTo(404);
        assertThat(new TestApi(f.node().port(), null).get("/api/v1/calls/cal_aaaaaaaaaaaaaaaaaaaa").status()).isEqualTo(401);
        assertThat(f.sql("select count(*) from call")).isEqualTo("0");
    }

    @Test
    void another_organizations_call_is_not_found() {
        f = Fixture.manual(clock);
        String agent = agent();
        f.line(5, 5);
        String id = f.api().post("/api/v1/calls?agentId=" + agent, Map.of("endpoint", "+14155552670",
                "additionalData", Map.of("name", "A"))).json().get("callId").asText();
        String otherOrg = f.node().organizations().createOrganization("intruder");
        TestApi other = f.api(f.node().organizations().createKey(otherOrg, "x").secret());
        assertThat(other.get("/api/v1/calls/" + id).status()).isEqualTo(404);
        assertThat(other.post("/api/v1/calls?agentId=" + agent, Map.of("endpoint", "+14155552670")).status())
                .as("another organization's agent").isEqualTo(400);
    }

    @Test
    void status_words_follow_one_table() {
        Instant now = Instant.parse("2026-03-03T18:00:00Z");
        assertThat(DashaViews.status("scheduled", null, now.plusSeconds(60), now)).isEqualTo("Pending");
        assertThat(DashaViews.status("scheduled", null, now, now)).isEqualTo("Queued");
        for (String s : List.of("dialing", "ringing", "in_progress")) assertThat(DashaViews.status(s, null, null, now)).isEqualTo("Running");
        for (String o : List.of("completed", "voicemail")) assertThat(DashaViews.status("finished", o, null, now)).isEqualTo("Completed");
        for (String o : List.of("canceled", "expired", "suppressed")) assertThat(DashaViews.status("finished", o, null, now)).isEqualTo("Canceled");
        for (String o : List.of("busy", "no_answer", "failed")) assertThat(DashaViews.status("finished", o, null, now)).isEqualTo("Failed");
    }
}
