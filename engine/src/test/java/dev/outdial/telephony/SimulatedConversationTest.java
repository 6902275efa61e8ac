package dev.outdial.telephony;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.outdial.FakeBot;
import dev.outdial.Fixture;
import dev.outdial.TestApi;
import dev.outdial.agent.llm.RuleBasedLlm;
import dev.outdial.config.OutdialConfig.DispatchSettings;
import dev.outdial.config.OutdialConfig.SimulatedSettings;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The demo's conversations: an agent without any engine on the simulated carrier, whose answered
 * callees are scripted personas talking in words, answered by the built-in rules. Every transcript
 * is real (stored on the call, announced, labelled) and follows from the documented persona table.
 */
class SimulatedConversationTest {
    Fixture f;
    TestApi api;
    dev.outdial.Outdial talker;

    static final DispatchSettings RUNNING = DispatchSettings.defaults().withPollInterval(Duration.ofMillis(20));

    @BeforeEach
    void start(org.junit.jupiter.api.TestInfo test) {
        f = Fixture.manual(Clock.systemUTC());
        // Personas pause a quarter of the talk time (100 ms) before each line. (The regression test brings its own carrier.)
        if (!test.getTags().contains("own-carrier")) talker = f.startNode("talker", RUNNING, new SimulatedSettings(Duration.ZERO, Duration.ofMillis(400), true));
        api = f.api();
    }

    @AfterEach
    void stop() {
        f.close();
    }

    /** A number answered by a person (last digit 1) whose second-to-last digit picks the persona. */
    static String number(int i, int persona) {
        return String.format("+14152%02d00%d1", i, persona);
    }

    @Test
    void eachPersonaHoldsItsScriptedConversationWithTheBuiltInRules() throws Exception {
        String agent = f.agent(Map.of("name", "Demo", "prompt", "You confirm {{name}}'s appointment.",
                "first_message", "Hi {{name}}, this is Acme Clinic about your appointment on Monday.",
                "variables", List.of(Map.of("name", "name", "type", "string", "required", true)),
                "conversation", Map.of("silence_ms", 2000, "reminders", List.of("Are you still there?")),
                "retry_policy", Map.of("max_attempts", 1),
                "extraction", List.of(Map.of("name", "confirmed", "description", "Whether the callee confirmed", "type", "boolean"),
                        Map.of("name", "new_time", "description", "The day and time asked for", "type", "string"),
                        Map.of("name", "outcome", "type", "enum", "values", List.of("confirmed", "reschedule", "declined"))),
                "tags", List.of(Map.of("name", "confirmed"), Map.of("name", "reschedule"), Map.of("name", "not_interested")),
                "summarize", true));
        int[] personas = {0, 1, 2, 5};
        List<Map<String, Object>> recipients = new ArrayList<>();
        for (int i = 0; i < personas.length; i++) {
            recipients.add(Map.of("phone_number", number(i, personas[i]), "variables", Map.of("name", "Ana")));
        }
        TestApi.Answer b = api.post("/v1/batches", Map.of("name", "demo", "agent_id", agent, "line_id", f.line(10, 50),
                "recipients", recipients));
        assertThat(b.status()).as(b.text()).isEqualTo(201);
        String batch = b.json().get("id").asText();
        JsonNode calls = api.get("/v1/batches/" + batch + "/calls").json().get("data");
        String first = "Hi Ana, this is Acme Clinic about your appointment on Monday.";

        assertThat(texts(awaitTranscript(calls.get(0).get("id").asText()))).containsExactly(
                "agent: " + first,
                "callee: Yes, that works for me. I'll be there.",
                "agent: Wonderful, thank you.",
                "agent: Goodbye!");
        assertThat(texts(awaitTranscript(calls.get(1).get("id").asText()))).containsExactly(
                "agent: " + first,
                "callee: Actually, I can't make it. Could we move it to Thursday afternoon?",
                "agent: Of course. Which day and time would suit you better?",
                "callee: Thursday at 3 pm would be perfect.",
                "agent: Great, I've noted Thursday 3 pm.",
                "agent: Thank you, goodbye!");
        assertThat(texts(awaitTranscript(calls.get(2).get("id").asText()))).containsExactly(
                "agent: " + first,
                "callee: I'm not interested. Please don't call me again.",
                "agent: Understood, we won't call you again.",
                "agent: Goodbye.");
        JsonNode silent = awaitTranscript(calls.get(3).get("id").asText());
        assertThat(texts(silent)).containsExactly("agent: " + first, "agent: Are you still there?", "agent: Thank you, goodbye.");

        assertThat(silent.get("channel").asText()).isEqualTo("text");
        assertThat(silent.get("model").asText()).isEqualTo(RuleBasedLlm.NAME);
        // The built-in analyst draws the fields, tags and a summary from each conversation by the same rules.
        assertThat(awaitAnalysis(calls.get(0)).toString()).contains("\"confirmed\":true", "\"outcome\":\"confirmed\"",
                "\"tags\":[\"confirmed\"]", "\"summary\":\"The callee confirmed.\"");
        JsonNode moved = awaitAnalysis(calls.get(1));
        assertThat(moved.at("/extracted/confirmed").asBoolean(true)).isFalse();
        assertThat(moved.at("/extracted/new_time").asText()).isEqualTo("Thursday 3 pm");
        assertThat(moved.at("/extracted/outcome").asText()).isEqualTo("reschedule");
        assertThat(moved.get("tags").toString()).isEqualTo("[\"reschedule\"]");
        assertThat(moved.get("summary").asText()).isEqualTo("The callee asked to reschedule, to Thursday 3 pm.");
        assertThat(moved.get("model").asText()).isEqualTo(RuleBasedLlm.NAME);
        assertThat(awaitAnalysis(calls.get(2)).get("tags").toString()).isEqualTo("[\"not_interested\"]");
        assertThat(awaitAnalysis(calls.get(3)).get("errors").toString()).as("the silent callee").contains("said nothing");
        for (JsonNode c : calls) {
            String id = c.get("id").asText();
            f.awaitSql("select count(*) from outbox where type = 'call.analysis.ready' and subject_id = '" + id + "'", "1");
            f.awaitSql("select outcome || ' ' || (select reason from call_attempt where call_id = c.id) from call c where id = '" + id + "'",
                    "completed agent_hangup");
            f.awaitSql("select count(*) from outbox where type = 'call.transcript.ready' and subject_id = '" + id + "'", "1");
        }
    }

    @Test
    void aCalleesQuestionIsAnsweredByTheRulesWithTheFirstMessageAgain() throws Exception {
        String agent = f.agent(Map.of("name", "Chatty", "prompt", "Chat.", "first_message", "Hello there, how are you doing today?",
                "retry_policy", Map.of("max_attempts", 1)));
        String id = callOne(agent, number(0, 4));
        // Persona 4 asks a question (the rules repeat the first message), then confirms (the rules end the call).
        assertThat(texts(awaitTranscript(id))).containsExactly(
                "agent: Hello there, how are you doing today?",
                "callee: Sure. What time was it again?",
                "agent: Let me repeat: Hello there, how are you doing today?",
                "agent: Does that still work for you?",
                "callee: Okay, great, I'll be there. Thank you.",
                "agent: Wonderful, thank you.",
                "agent: Goodbye!");
    }

    @Test
    void aCalleeWhoWantsAPersonIsTransferredToTheAgentsTransferNumber() throws Exception {
        String agent = f.agent(Map.of("name", "Transfers", "prompt", "Help.", "first_message", "Hello, this is Acme Clinic.",
                "retry_policy", Map.of("max_attempts", 1), "conversation", Map.of("transfer_number", "+1 415 555 0100")));
        assertThat(api.get("/v1/agents/" + agent).json().at("/conversation/transfer_number").asText()).isEqualTo("+14155550100");
        String id = callOne(agent, number(0, 7));
        assertThat(texts(awaitTranscript(id))).containsExactly(
                "agent: Hello, this is Acme Clinic.",
                "callee: Can I speak to a real person, please?",
                "agent: Of course, let me transfer you to a member of our team.");
        f.awaitSql("select outcome || ' ' || (select reason from call_attempt where call_id = c.id) from call c where id = '" + id + "'",
                "completed transferred");
    }

    @Test
    void aTransferNumberThatIsNoNumberIsRefusedNamingTheField() {
        TestApi.Answer a = api.post("/v1/agents", Map.of("name", "Bad", "prompt", "Hi", "conversation", Map.of("transfer_number", "front desk")));
        assertThat(a.status()).isEqualTo(422);
        assertThat(a.json().findValuesAsText("pointer")).containsExactly("/conversation/transfer_number");
    }

    /**
     * Regression: a carrier that answers before {@code originate} has returned (the simulated one with 0 s of ringing
     * does, now and then) used to leave the call without its agent, because the runner did not have the leg yet.
     */
    @Test
    @org.junit.jupiter.api.Tag("own-carrier")
    void anAnswerBeforeOriginateReturnsStillGetsTheAgent() throws Exception {
        Telephony eager = new Telephony() {
            @Override
            public String provider() {
                return "simulated";
            }

            @Override
            public CallLeg originate(CallRequest request, CallListener listener) {
                java.util.concurrent.atomic.AtomicBoolean ended = new java.util.concurrent.atomic.AtomicBoolean();
                CallLeg leg = new CallLeg() {
                    @Override
                    public void hangup() {
                        if (ended.compareAndSet(false, true)) listener.ended(new EndCause(EndCause.Kind.HANGUP, 200, "agent_hangup"));
                    }

                    @Override
                    public TextCallee textCallee() {
                        return new TextCallee() {
                            java.util.function.Consumer<String> replies;

                            @Override
                            public void replyTo(java.util.function.Consumer<String> r) {
                                replies = r;
                            }

                            @Override
                            public void heard(String agentTurn) {
                                if (agentTurn.startsWith("Hello")) replies.accept("Yes, that works for me.");
                            }
                        };
                    }
                };
                listener.ringing();
                listener.answered(false); // before the leg is returned
                return leg;
            }
        };
        f.startNode("eager", RUNNING, new SimulatedSettings(Duration.ZERO, Duration.ofMillis(400), true), Map.of("simulated", eager));
        String agent = f.agent(Map.of("name", "Eager", "prompt", "Hi.", "first_message", "Hello, this is Acme Clinic.",
                "retry_policy", Map.of("max_attempts", 1)));
        String id = callOne(agent, number(0, 0));
        assertThat(texts(awaitTranscript(id))).containsExactly("agent: Hello, this is Acme Clinic.", "callee: Yes, that works for me.",
                "agent: Wonderful, thank you.", "agent: Goodbye!");
    }

    /** Regression: an agent with a model and a transcriber used to talk (paid speech) to simulated machines, over no audio. */
    @Test
    void anAgentWithEnginesDoesNotTalkToASimulatedMachine() throws Exception {
        try (dev.outdial.FakeEngines engines = new dev.outdial.FakeEngines()) {
            String agent = f.agent(Map.of("name", "Engines", "prompt", "Hi.", "first_message", "Hello, this is Acme Clinic.",
                    "retry_policy", Map.of("max_attempts", 1), "providers", engines.providers()));
            String id = callOne(agent, "+14152000018");
            f.awaitSql("select outcome from call where id = '" + id + "'", "voicemail");
            f.awaitSql("select answered_by from call_attempt where call_id = '" + id + "'", "machine");
            Thread.sleep(300); // an agent, had one started, would have asked its model by now
            assertThat(engines.llmRequests).isEmpty();
            assertThat(f.sql("select transcript is null from call where id = '" + id + "'")).isEqualTo("t");
        }
    }

    /** Regression: a stopping node closed its database while agents of hung-up calls still held their transcripts. */
    @Test
    void aStoppingNodeWaitsForItsAgentsToStoreTheirTranscripts() throws Exception {
        try (dev.outdial.FakeEngines engines = new dev.outdial.FakeEngines()) {
            engines.llmAnswers.add("SLOW 30000"); // the model is thinking when the node stops (the client gives up after 10 s)
            String agent = f.agent(Map.of("name", "Slow", "prompt", "Hi.", "first_message", "Hello, this is Acme Clinic.",
                    "retry_policy", Map.of("max_attempts", 1), "providers", Map.of("llm", Map.of("base_url", engines.llm.baseUrl(), "model", "m"))));
            String id = callOne(agent, number(0, 0));
            long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (engines.llmRequests.isEmpty()) {
                assertThat(System.nanoTime()).as("the callee answered and the model was asked").isLessThan(until);
                Thread.sleep(20);
            }
            talker.stop(Duration.ZERO); // hangs the call up at once; the agent is still waiting for its model
            assertThat(f.sql("select transcript->'entries'->1->>'text' from call where id = '" + id + "'"))
                    .as("stored before stop returned").isEqualTo("Yes, that works for me. I'll be there.");
            assertThat(f.sql("select transcript->'errors'->>0 from call where id = '" + id + "'")).startsWith("llm: ");
        }
    }

    @Test
    @org.junit.jupiter.api.Tag("own-carrier")
    void aBotTakesAnsweredSimulatedCallsWithoutPersonasToo() throws Exception {
        // No persona and no media on these legs: only a bot can take them, and the claim says whether the agent has one.
        f.startNode("plain", RUNNING, new SimulatedSettings(Duration.ZERO, Duration.ofMillis(400)));
        try (FakeBot bot = new FakeBot()) {
            String agent = f.agent(Map.of("name", "Own bot", "retry_policy", Map.of("max_attempts", 1),
                    "providers", Map.of("bot", Map.of("url", bot.url()))));
            String id = callOne(agent, number(0, 0));
            bot.awaitHandshake();
            assertThat(bot.next().get("event").asText()).isEqualTo("connected");
            assertThat(bot.next().get("start").get("callSid").asText()).isEqualTo(id);
        }
    }

    /** Submits a batch of one call to {@code number} on a new simulated line; returns the call's id. */
    private String callOne(String agent, String number) {
        TestApi.Answer b = api.post("/v1/batches", Map.of("name", "one", "agent_id", agent, "line_id", f.line(1, 50),
                "recipients", List.of(Map.of("phone_number", number))));
        assertThat(b.status()).as(b.text()).isEqualTo(201);
        return api.get("/v1/batches/" + b.json().get("id").asText() + "/calls").json().get("data").get(0).get("id").asText();
    }

    private static List<String> texts(JsonNode transcript) {
        List<String> out = new ArrayList<>();
        for (JsonNode e : transcript.get("entries")) out.add(e.get("speaker").asText() + ": " + e.get("text").asText());
        return out;
    }

    private JsonNode awaitAnalysis(JsonNode call) throws InterruptedException {
        String callId = call.get("id").asText();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            JsonNode c = api.get("/v1/calls/" + callId).json();
            if (c.has("analysis")) return c.get("analysis");
            assertThat(System.nanoTime()).as("call " + callId + " got its analysis: " + c).isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    private JsonNode awaitTranscript(String callId) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            JsonNode call = api.get("/v1/calls/" + callId).json();
            if (call.has("transcript")) return call.get("transcript");
            assertThat(System.nanoTime()).as("call " + callId + " got its transcript: " + call).isLessThan(deadline);
            Thread.sleep(50);
        }
    }
}
