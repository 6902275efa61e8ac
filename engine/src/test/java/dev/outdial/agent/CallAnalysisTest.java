package dev.outdial.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.outdial.FakeEngines;
import dev.outdial.FakeProvider;
import dev.outdial.agent.CallAnalysis.Problem;
import dev.outdial.campaign.ClassificationTag;
import dev.outdial.campaign.ExtractionField;
import dev.outdial.campaign.Providers;
import dev.outdial.store.Json;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The analysis after the call against a local server speaking OpenAI's chat completions: the request is
 * one structured-output request built from the agent's fields and tags, the answer is checked against the
 * types field by field, and a failing, malformed or slow model gives a result with an error, in time.
 */
class CallAnalysisTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final List<Transcript.Entry> CONVERSATION = List.of(
            new Transcript.Entry("agent", "Hi Ana, this is Acme Clinic. Can you come on Monday?", 0, 2_500),
            new Transcript.Entry("callee", "Yes, Monday the 9th at ten works. We will be three people.", 3_400, 6_000));
    private static final List<ExtractionField> FIELDS = List.of(
            new ExtractionField("confirmed", "did the callee confirm the appointment", "boolean", "true", true, null),
            new ExtractionField("visit_date", "the day of the visit", "date", "2026-03-09", true, null),
            new ExtractionField("party_size", "how many people come", "integer", "2", false, null),
            new ExtractionField("budget", "what the callee is ready to pay", "number", null, false, null),
            new ExtractionField("mood", "how the callee felt", "enum", null, false, List.of("happy", "neutral", "upset")),
            new ExtractionField("callback_at", "when to call back", "datetime", null, false, null),
            new ExtractionField("notes", null, "string", null, false, null));
    private static final List<ClassificationTag> TAGS = List.of(new ClassificationTag("confirmed", "the callee confirmed"),
            new ClassificationTag("wants_callback", null));
    private static final CallAnalysis.Plan PLAN = new CallAnalysis.Plan(FIELDS, TAGS, true, "en");

    private FakeProvider server;

    @AfterEach
    void stop() {
        if (server != null) server.close();
    }

    /** A server that answers every request with {@code content} as the model's message. */
    private Analyst answering(String content) throws Exception {
        return serving(ex -> FakeProvider.answer(ex, 200, "application/json", FakeEngines.completion(content).getBytes(StandardCharsets.UTF_8)));
    }

    private Analyst serving(FakeProvider.Handler h) throws Exception {
        server = FakeProvider.serve("/v1/chat/completions", h);
        return analysis(Duration.ofSeconds(5)).analystFor(providers());
    }

    private Providers providers() {
        return new Providers(new Providers.Endpoint(server.baseUrl(), "test-model", null, "sk-analysis", null), null, null, null);
    }

    private static CallAnalysis analysis(Duration timeout) {
        return new CallAnalysis(HTTP, timeout, null);
    }

    @Test
    void extraction_is_typed_and_validated_from_one_structured_request() throws Exception {
        Analyst analyst = answering("""
                {"extracted": {"confirmed": true, "visit_date": "2026-03-09", "party_size": "3", "budget": 120.5, "mood": "Happy",
                               "callback_at": "2026-03-10T09:30:00-05:00", "notes": "  Brings her daughter. "},
                 "tags": ["confirmed"], "summary": "Ana confirmed Monday at ten for three people."}""");
        CallAnalysis.Result r = analysis(Duration.ofSeconds(5)).analyze(PLAN, CONVERSATION, analyst);

        assertThat(r.errors()).isEmpty();
        assertThat(r.extracted()).containsExactly(Map.entry("confirmed", true), Map.entry("visit_date", "2026-03-09"),
                Map.entry("party_size", BigInteger.valueOf(3)), Map.entry("budget", new BigDecimal("120.5")), Map.entry("mood", "happy"),
                Map.entry("callback_at", "2026-03-10T09:30:00-05:00"), Map.entry("notes", "Brings her daughter."));
        assertThat(r.tags()).containsExactly("confirmed");
        assertThat(r.summary()).isEqualTo("Ana confirmed Monday at ten for three people.");
        assertThat(r.model()).isEqualTo("test-model");

        JsonNode asked = Json.MAPPER.readTree(server.lastBody.get());
        assertThat(server.lastHeaders.get().getFirst("Authorization")).isEqualTo("Bearer sk-analysis");
        assertThat(asked.get("model").asText()).isEqualTo("test-model");
        assertThat(asked.get("stream").asBoolean()).isFalse();
        JsonNode format = asked.get("response_format");
        assertThat(format.get("type").asText()).isEqualTo("json_schema");
        assertThat(format.at("/json_schema/name").asText()).isEqualTo("call_analysis");
        assertThat(format.at("/json_schema/strict").asBoolean()).isTrue();
        JsonNode schema = format.at("/json_schema/schema");
        assertThat(schema.get("required")).extracting(JsonNode::asText).containsExactly("extracted", "tags", "summary");
        assertThat(schema.get("additionalProperties").asBoolean()).isFalse();
        JsonNode extracted = schema.at("/properties/extracted");
        assertThat(extracted.get("required")).hasSize(FIELDS.size());
        assertThat(extracted.at("/properties/party_size/type")).extracting(JsonNode::asText).containsExactly("integer", "null");
        assertThat(extracted.at("/properties/visit_date/format").asText()).isEqualTo("date");
        assertThat(extracted.at("/properties/mood/enum")).extracting(JsonNode::asText).containsExactly("happy", "neutral", "upset", "null");
        assertThat(schema.at("/properties/tags/items/enum")).extracting(JsonNode::asText).containsExactly("confirmed", "wants_callback");
        JsonNode messages = asked.get("messages");
        assertThat(messages.get(0).get("role").asText()).isEqualTo("system");
        assertThat(messages.get(0).get("content").asText()).contains("- confirmed: the callee confirmed").contains("mood (enum: one of happy, neutral, upset)");
        assertThat(messages.get(1).get("content").asText()).contains("[00:03] callee: Yes, Monday the 9th at ten works.");
    }

    @Test
    void wrong_types_cost_only_their_own_fields() throws Exception {
        Analyst analyst = answering("""
                {"extracted": {"confirmed": "perhaps", "visit_date": "next Monday", "party_size": 2.5, "budget": "a lot",
                               "mood": "furious", "callback_at": "tomorrow", "notes": "Call after 5."},
                 "tags": ["confirmed", "vip", "CONFIRMED"], "summary": 42}""");
        CallAnalysis.Result r = analysis(Duration.ofSeconds(5)).analyze(PLAN, CONVERSATION, analyst);

        assertThat(r.extracted()).containsExactly(Map.entry("notes", "Call after 5."));
        assertThat(r.tags()).containsExactly("confirmed");
        assertThat(r.summary()).isNull();
        assertThat(r.errors()).extracting(Problem::pointer).containsExactly("/extracted/confirmed", "/extracted/visit_date",
                "/extracted/party_size", "/extracted/budget", "/extracted/mood", "/extracted/callback_at", "/tags/1", "/summary");
        assertThat(r.errors()).extracting(Problem::message).contains("expected true or false, got \"perhaps\"",
                "expected a date as YYYY-MM-DD, got \"next Monday\"", "expected an integer, got 2.5", "expected a number, got \"a lot\"",
                "expected one of [happy, neutral, upset], got \"furious\"", "expected text, got 42");
    }

    @Test
    void a_required_field_the_call_did_not_give_is_an_error_and_the_rest_is_kept() throws Exception {
        Analyst analyst = answering("""
                {"extracted": {"confirmed": true, "visit_date": null, "party_size": null, "budget": null, "mood": null,
                               "callback_at": null, "notes": null}, "tags": [], "summary": "Ana confirmed."}""");
        CallAnalysis.Result r = analysis(Duration.ofSeconds(5)).analyze(PLAN, CONVERSATION, analyst);

        assertThat(r.extracted()).containsExactly(Map.entry("confirmed", true));
        assertThat(r.tags()).isEmpty();
        assertThat(r.errors()).containsExactly(new Problem("/extracted/visit_date", "required, but the conversation did not give it"));
    }

    @Test
    void a_malformed_answer_is_a_recorded_error() throws Exception {
        Analyst notJson = answering("Sure! Ana confirmed Monday.");
        CallAnalysis.Result r = analysis(Duration.ofSeconds(5)).analyze(PLAN, CONVERSATION, notJson);
        assertThat(r.extracted()).isEmpty();
        assertThat(r.errors()).singleElement().satisfies(p -> {
            assertThat(p.pointer()).isNull();
            assertThat(p.message()).isEqualTo("llm: the model's answer is not a JSON object: Sure! Ana confirmed Monday.");
        });
        server.close();

        Analyst brokenBody = serving(ex -> FakeProvider.answer(ex, 200, "application/json", "{\"choices\": [".getBytes()));
        assertThat(analysis(Duration.ofSeconds(5)).analyze(PLAN, CONVERSATION, brokenBody).errors())
                .singleElement().extracting(Problem::message).asString().startsWith("llm: the answer is not JSON");
        server.close();

        Analyst refusing = serving(ex -> FakeProvider.answer(ex, 200, "application/json", ("{\"choices\":[{\"index\":0,\"message\":"
                + "{\"role\":\"assistant\",\"content\":null,\"refusal\":\"I can't help with that.\"},\"finish_reason\":\"stop\"}]}").getBytes()));
        assertThat(analysis(Duration.ofSeconds(5)).analyze(PLAN, CONVERSATION, refusing).errors())
                .singleElement().extracting(Problem::message).isEqualTo("llm: the model refused: I can't help with that.");
    }

    @Test
    void an_error_status_is_a_recorded_error() throws Exception {
        Analyst failing = serving(ex -> FakeProvider.answer(ex, 500, "application/json", "{\"error\":\"model overloaded\"}".getBytes()));
        CallAnalysis.Result r = analysis(Duration.ofSeconds(5)).analyze(PLAN, CONVERSATION, failing);
        assertThat(r.model()).isEqualTo("test-model");
        assertThat(r.errors()).singleElement().extracting(Problem::message).asString()
                .contains("answered 500").contains("model overloaded");
    }

    @Test
    void a_slow_model_gives_a_recorded_error_when_the_time_is_up() throws Exception {
        serving(ex -> {
            Thread.sleep(10_000); // far beyond the analysis's time
            FakeProvider.answer(ex, 200, "application/json", FakeEngines.completion("{}").getBytes());
        });
        CallAnalysis quick = analysis(Duration.ofMillis(500));
        long start = System.nanoTime();
        CallAnalysis.Result r = quick.analyze(PLAN, CONVERSATION, quick.analystFor(providers()));
        long tookMs = (System.nanoTime() - start) / 1_000_000;

        assertThat(tookMs).as("the analysis gives up at its timeout").isBetween(400L, 3_000L);
        assertThat(r.errors()).singleElement().extracting(Problem::message).asString().contains("500 ms");
    }

    @Test
    void an_analyst_that_ignores_its_time_is_cut_off_all_the_same() {
        Analyst stubborn = new Analyst() {
            @Override
            public String name() {
                return "rules";
            }

            @Override
            public Map<String, Object> answer(Question q) {
                long until = System.nanoTime() + Duration.ofSeconds(2).toNanos();
                while (System.nanoTime() < until) Thread.onSpinWait(); // deaf to interrupts
                return Map.of();
            }
        };
        CallAnalysis.Result r = analysis(Duration.ofMillis(300)).analyze(PLAN, CONVERSATION, stubborn);
        assertThat(r.model()).isEqualTo("rules");
        assertThat(r.errors()).singleElement().extracting(Problem::message).isEqualTo("analysis: rules gave no answer within 300 ms");
    }

    @Test
    void a_call_where_the_callee_said_nothing_is_not_sent_to_the_model() throws Exception {
        AtomicInteger asked = new AtomicInteger();
        Analyst analyst = serving(ex -> {
            asked.incrementAndGet();
            FakeProvider.answer(ex, 200, "application/json", FakeEngines.completion("{}").getBytes());
        });
        CallAnalysis.Result r = analysis(Duration.ofSeconds(5)).analyze(PLAN, List.of(CONVERSATION.get(0)), analyst);
        assertThat(asked).hasValue(0);
        assertThat(r.errors()).extracting(Problem::message).containsExactly("the callee said nothing: there was nothing to analyse");
    }

    @Test
    void a_plan_asks_for_a_summary_by_default_only_when_the_agent_has_a_model() {
        assertThat(CallAnalysis.Plan.of(List.of(), List.of(), null, true, null).asksNothing()).isFalse();
        assertThat(CallAnalysis.Plan.of(List.of(), List.of(), null, false, null).asksNothing()).isTrue();
        assertThat(CallAnalysis.Plan.of(List.of(), List.of(), false, true, null).asksNothing()).isTrue();
        assertThat(CallAnalysis.Plan.of(List.of(), TAGS, false, true, "es").asksNothing()).isFalse();
        assertThat(analysis(Duration.ofSeconds(1)).analystFor(null)).as("no model and no fallback: no analyst").isNull();
    }
}
