package dev.outdial.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.outdial.FakeEngines;
import dev.outdial.FakeProvider;
import dev.outdial.Fixture;
import dev.outdial.agent.CallAnalysis;
import dev.outdial.agent.Transcript;
import dev.outdial.store.Json;
import java.net.http.HttpClient;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * After the call, on a real database: the transcript is stored, then the analysis of it, each with its
 * event and fenced by the attempt; a failing or slow model leaves an analysis with an error, never none.
 */
class CallAnalysisStoredTest {
    /** Short, so the slow-model cases finish quickly; production uses CallAnalysis.DEFAULT_TIMEOUT. */
    private static final Duration TIMEOUT = Duration.ofMillis(800);

    private Fixture f;
    private FakeEngines engines;
    private CallAgents agents;
    private CallAnalyses analyses;

    @BeforeEach
    void start() throws Exception {
        f = Fixture.manual();
        engines = new FakeEngines();
        analyses = new CallAnalyses(f.db, f.clock, new CallAnalysis(HttpClient.newHttpClient(), TIMEOUT, null));
        agents = new CallAgents(f.db, f.clock, null, analyses);
    }

    @AfterEach
    void stop() {
        f.close();
        engines.close();
    }

    private ClaimedCall call(Map<String, Object> providers, Map<String, Object> analysisSettings) {
        Map<String, Object> spec = new HashMap<>(Map.of("name", "Clinic", "prompt", "Confirm the visit.", "providers", providers));
        spec.putAll(analysisSettings);
        String agent = f.agent(spec);
        String line = f.line(1, 1);
        var b = f.api().post("/v1/batches", Map.of("name", "b", "agent_id", agent, "line_id", line,
                "recipients", List.of(Map.of("phone_number", "+14155550101"))));
        assertThat(b.status()).as(b.text()).isEqualTo(201);
        String id = f.sql("select id from call where batch_id = '" + b.json().get("id").asText() + "'");
        int attempt = Integer.parseInt(f.sql("select attempt from call where id = '" + id + "'"));
        return new ClaimedCall(id, f.orgId, b.json().get("id").asText(), line, "simulated", "+14155552671", "+14155550101", attempt,
                Instant.now(), Instant.now(), Duration.ofMillis(1), Duration.ofMinutes(5), null, null, false, false, null);
    }

    private static Map<String, Object> clinicSettings() {
        return Map.of("extraction", List.of(
                        Map.of("name", "confirmed", "type", "boolean", "required", true),
                        Map.of("name", "visit_date", "type", "date", "required", true),
                        Map.of("name", "party_size", "type", "integer")),
                "tags", List.of(Map.of("name", "confirmed"), Map.of("name", "wants_callback")));
    }

    private static Transcript conversation() {
        Transcript t = new Transcript();
        t.add("agent", "Hi Ana, can you come on Monday?", 0, 2_000);
        t.add("callee", "Yes, Monday the 9th, the two of us.", 2_800, 5_000);
        return t;
    }

    private JsonNode awaitAnalysis(String callId) throws InterruptedException {
        f.awaitSql("select count(*) from outbox where type = 'call.analysis.ready' and subject_id = '" + callId + "'", "1");
        return f.api().get("/v1/calls/" + callId).json();
    }

    @Test
    void the_analysis_is_stored_on_the_call_with_its_event_after_the_transcript() throws Exception {
        ClaimedCall c = call(engines.providers(), clinicSettings());
        engines.analysisAnswers.add("""
                {"extracted": {"confirmed": true, "visit_date": "2026-03-09", "party_size": "two"},
                 "tags": ["confirmed"], "summary": "Ana confirmed Monday the 9th for two."}""");
        agents.save(c, conversation(), "test-model", false);

        JsonNode analysis = awaitAnalysis(c.callId()).get("analysis");
        assertThat(analysis.get("attempt").asInt()).isEqualTo(c.attempt());
        assertThat(analysis.at("/extracted/confirmed").asBoolean()).isTrue();
        assertThat(analysis.at("/extracted/visit_date").asText()).isEqualTo("2026-03-09");
        assertThat(analysis.get("extracted").has("party_size")).as("the wrong type is left out").isFalse();
        assertThat(analysis.get("tags")).extracting(JsonNode::asText).containsExactly("confirmed");
        assertThat(analysis.get("summary").asText()).isEqualTo("Ana confirmed Monday the 9th for two.");
        assertThat(analysis.get("model").asText()).isEqualTo("test-model");
        assertThat(analysis.get("errors")).singleElement().satisfies(e -> {
            assertThat(e.get("pointer").asText()).isEqualTo("/extracted/party_size");
            assertThat(e.get("message").asText()).isEqualTo("expected an integer, got \"two\"");
        });

        JsonNode payload = Json.MAPPER.readTree(f.sql(
                "select payload::text from outbox where type = 'call.analysis.ready' and subject_id = '" + c.callId() + "'"));
        assertThat(payload.get("call_id").asText()).isEqualTo(c.callId());
        assertThat(payload.get("batch_id").asText()).isEqualTo(c.batchId());
        assertThat(payload.get("extracted")).isEqualTo(analysis.get("extracted"));
        assertThat(payload.get("tags")).isEqualTo(analysis.get("tags"));
        assertThat(payload.get("errors")).isEqualTo(analysis.get("errors"));
        assertThat(f.sql("select string_agg(type, ',' order by seq) from outbox where subject_id = '" + c.callId() + "'"))
                .isEqualTo("call.transcript.ready,call.analysis.ready");

        JsonNode asked = engines.llmRequests.get(0);
        assertThat(asked.at("/response_format/json_schema/strict").asBoolean()).isTrue();
        assertThat(asked.at("/messages/1/content").asText()).contains("callee: Yes, Monday the 9th, the two of us.");
    }

    @Test
    void a_failing_model_leaves_an_analysis_with_the_error() throws Exception {
        ClaimedCall c = call(engines.providers(), clinicSettings());
        engines.analysisAnswers.add("HTTP 500");
        agents.save(c, conversation(), "test-model", false);

        JsonNode analysis = awaitAnalysis(c.callId()).get("analysis");
        assertThat(analysis.get("extracted")).isEmpty();
        assertThat(analysis.get("tags")).isEmpty();
        assertThat(analysis.at("/errors/0/message").asText()).contains("answered 500");
        assertThat(analysis.at("/errors/0").has("pointer")).isFalse();
        assertThat(f.api().get("/v1/calls/" + c.callId()).json().at("/transcript/entries")).hasSize(2);
    }

    @Test
    void a_slow_model_leaves_an_analysis_with_the_error_and_a_superseded_attempt_none() throws Exception {
        try (FakeProvider slow = FakeProvider.serve("/v1/chat/completions", ex -> {
            Thread.sleep(10_000);
            FakeProvider.answer(ex, 200, "application/json", FakeEngines.completion("{}").getBytes());
        })) {
            Map<String, Object> providers = Map.of("llm", Map.of("base_url", slow.baseUrl(), "model", "slow-model"));
            ClaimedCall c = call(providers, clinicSettings());
            long start = System.nanoTime();
            agents.save(c, conversation(), "test-model", false);
            JsonNode analysis = awaitAnalysis(c.callId()).get("analysis");
            assertThat((System.nanoTime() - start) / 1_000_000).as("stored once the time was up").isLessThan(5_000);
            assertThat(analysis.at("/errors/0/message").asText()).isEqualTo("analysis: slow-model gave no answer within 800 ms");
            assertThat(analysis.get("model").asText()).isEqualTo("slow-model");

            // The next attempt begins while the model thinks about this one: its analysis is history, not stored.
            ClaimedCall other = call(providers, clinicSettings());
            agents.save(other, conversation(), "test-model", false);
            f.db.tx(x -> x.createStatement().executeUpdate("update call set attempt = attempt + 1 where id = '" + other.callId() + "'"));
            Thread.sleep(TIMEOUT.toMillis() + 1_000);
            assertThat(f.sql("select analysis is null from call where id = '" + other.callId() + "'")).isEqualTo("t");
            assertThat(f.sql("select count(*) from outbox where type = 'call.analysis.ready' and subject_id = '" + other.callId() + "'"))
                    .isEqualTo("0");
        }
    }

    @Test
    void a_call_where_the_callee_said_nothing_gets_an_analysis_saying_so_without_asking_the_model() throws Exception {
        ClaimedCall c = call(engines.providers(), clinicSettings());
        Transcript t = new Transcript();
        t.add("agent", "Hi Ana, can you come on Monday?", 0, 2_000);
        agents.save(c, t, "test-model", false);

        JsonNode analysis = awaitAnalysis(c.callId()).get("analysis");
        assertThat(analysis.at("/errors/0/message").asText()).isEqualTo("the callee said nothing: there was nothing to analyse");
        assertThat(analysis.has("model")).isFalse();
        assertThat(engines.llmRequests).isEmpty();
    }

    @Test
    void an_agent_that_asks_nothing_after_the_call_gets_no_analysis() {
        ClaimedCall c = call(engines.providers(), Map.of("summarize", false));
        analyses.analyze(AttemptRef.of(c), conversation().entries()); // what save runs on its own thread, here on the test's
        assertThat(f.sql("select analysis is null from call where id = '" + c.callId() + "'")).isEqualTo("t");
        assertThat(f.sql("select count(*) from outbox where type = 'call.analysis.ready'")).isEqualTo("0");
        assertThat(engines.llmRequests).isEmpty();

        ClaimedCall summarized = call(engines.providers(), Map.of());
        engines.analysisAnswers.add("{\"summary\": \"Ana will come on Monday.\"}");
        analyses.analyze(AttemptRef.of(summarized), conversation().entries());
        JsonNode analysis = f.api().get("/v1/calls/" + summarized.callId()).json().get("analysis");
        assertThat(analysis.get("summary").asText()).as("a summary by default when the agent has a model").isEqualTo("Ana will come on Monday.");
        assertThat(analysis.get("errors")).isEmpty();
        assertThat(engines.llmRequests.get(0).at("/response_format/json_schema/schema/required"))
                .extracting(JsonNode::asText).containsExactly("summary");
    }

    @Test
    void an_analysis_whose_node_died_is_made_by_another_nodes_housekeeper_once_overdue() throws Exception {
        ClaimedCall c = call(engines.providers(), clinicSettings());
        ClaimedCall fresh = call(engines.providers(), clinicSettings());
        // As a node leaves it when it dies right after storing the transcript: due, and never made.
        String transcript = dev.outdial.store.Json.write(Map.of("attempt", c.attempt(), "channel", "audio", "model", "test-model",
                "errors", List.of(), "entries", List.of(Map.of("speaker", "agent", "text", "Can you come on Monday?", "start_ms", 0, "end_ms", 900),
                        Map.of("speaker", "callee", "text", "Yes, Monday the 9th.", "start_ms", 1200, "end_ms", 2500))));
        f.db.tx(conn -> {
            try (var ps = conn.prepareStatement("update call set transcript = ?::jsonb, analysis_pending_since = now() - ?::interval where id = ?")) {
                ps.setString(1, transcript);
                ps.setString(2, "3 minutes");
                ps.setString(3, c.callId());
                ps.executeUpdate();
                ps.setString(2, "10 seconds"); // not overdue: its node may still be making it
                ps.setString(3, fresh.callId());
                return ps.executeUpdate();
            }
        });
        engines.analysisAnswers.add("""
                {"extracted": {"confirmed": true, "visit_date": "2026-03-09", "party_size": null}, "tags": ["confirmed"]}""");

        assertThat(analyses.catchUp()).as("only the overdue call").isEqualTo(1);
        assertThat(analyses.catchUp()).as("taking it moved its mark: no second node takes it meanwhile").isZero();
        JsonNode analysis = awaitAnalysis(c.callId()).get("analysis");
        assertThat(analysis.at("/extracted/visit_date").asText()).isEqualTo("2026-03-09");
        assertThat(engines.llmRequests.get(0).toString()).as("the stored transcript was sent").contains("Yes, Monday the 9th.");
        f.awaitSql("select analysis_pending_since is null from call where id = '" + c.callId() + "'", "t");
        assertThat(f.sql("select analysis_pending_since is not null from call where id = '" + fresh.callId() + "'")).isEqualTo("t");
    }

    @Test
    void a_stored_transcript_marks_the_analysis_due_until_it_is_stored() throws Exception {
        // An analyst that answers only when the test lets it: meanwhile the call must show as due.
        java.util.concurrent.Semaphore go = new java.util.concurrent.Semaphore(0);
        dev.outdial.agent.Analyst held = new dev.outdial.agent.Analyst() {
            @Override
            public String name() {
                return "held";
            }

            @Override
            public Map<String, Object> answer(Question q) {
                try {
                    go.acquire();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return Map.of("extracted", Map.of("confirmed", true, "visit_date", "2026-03-09"), "tags", List.of());
            }
        };
        CallAgents withHeld = new CallAgents(f.db, f.clock, null,
                new CallAnalyses(f.db, f.clock, new CallAnalysis(HttpClient.newHttpClient(), Duration.ofSeconds(20), held)));
        ClaimedCall c = call(Map.of(), clinicSettings()); // no model: the fallback analyst answers
        withHeld.save(c, conversation(), "rules", true);
        assertThat(f.sql("select analysis_pending_since is not null and transcript is not null from call where id = '" + c.callId() + "'"))
                .as("stored with the transcript, in its transaction").isEqualTo("t");
        go.release();
        assertThat(awaitAnalysis(c.callId()).at("/analysis/model").asText()).isEqualTo("held");
        f.awaitSql("select analysis_pending_since is null from call where id = '" + c.callId() + "'", "t");

        // A second attempt's conversation: the first attempt's analysis goes with the new transcript, not when the new one lands.
        f.db.tx(conn -> conn.createStatement().executeUpdate("update call set attempt = attempt + 1 where id = '" + c.callId() + "'"));
        ClaimedCall second = new ClaimedCall(c.callId(), c.orgId(), c.batchId(), c.lineId(), c.provider(), c.from(), c.destination(),
                c.attempt() + 1, Instant.now(), Instant.now(), c.spacing(), c.maxDuration(), null, null, false, false, null);
        withHeld.save(second, conversation(), "rules", true);
        assertThat(f.sql("select (transcript->>'attempt') || ' ' || coalesce(analysis::text, 'none') from call where id = '" + c.callId() + "'"))
                .isEqualTo((c.attempt() + 1) + " none");
        go.release();
        f.awaitSql("select analysis->>'attempt' from call where id = '" + c.callId() + "'", Integer.toString(c.attempt() + 1));

        ClaimedCall nothing = call(engines.providers(), Map.of("summarize", false));
        agents.save(nothing, conversation(), "test-model", false);
        f.awaitSql("select analysis_pending_since is null and transcript is not null from call where id = '" + nothing.callId() + "'", "t");
    }
}
