package dev.outdial.telephony.sip;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.outdial.FakeEngines;
import dev.outdial.Fixture;
import dev.outdial.TestApi;
import dev.outdial.config.SipSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The AI agent on a real SIP call through the dispatcher: sipp answers and, after the agent's first
 * message, says a sentence (espeak-ng speech over RTP); the agent hears it, has it transcribed, asks
 * the model, speaks the answer and hangs up with the end_call tool. The transcript lands on the call
 * with a {@code call.transcript.ready} event, then its analysis with {@code call.analysis.ready}, and the
 * recording proves the audio went both ways.
 */
class SipConversationTest {
    @TempDir
    Path data;
    Fixture f;
    FakeEngines engines;
    TestApi api;

    @BeforeEach
    void start() throws Exception {
        f = SipNodes.start("sip-agent-node", SipSettings.loopback(25180, 25199, 32000, 32998), data);
        api = f.api();
        engines = new FakeEngines();
    }

    @AfterEach
    void stop() {
        f.close();
        engines.close();
    }

    @Test
    void theAgentHoldsAConversationOverSipAndTheTranscriptIsStored(@TempDir Path dir) throws Exception {
        // The callee listens to the first message, then answers 3.5 s after the answer, then waits for the BYE.
        Speech.file(dir, "speech.ulaw", "ul", "Yes, I will be there on Monday.", 3.5, 4);
        engines.sttAnswers.add("Yes, I will be there on Monday.");
        engines.llmAnswers.add(FakeEngines.text("Wonderful, see you on Monday. ") + "\n" + FakeEngines.text("Goodbye!") + "\n" + FakeEngines.END_CALL);
        Map<String, Object> spec = new java.util.HashMap<>(Map.of("name", "Clinic", "prompt", "You confirm {{name}}'s appointment on {{day}}. Be brief.",
                "first_message", "Hi {{name}}, this is Acme Clinic.", "max_duration_seconds", 60,
                "retry_policy", Map.of("max_attempts", 1), "record_calls", true,
                "variables", List.of(Map.of("name", "name", "type", "string", "required", true)),
                "default_variables", Map.of("day", "Monday"),
                "providers", engines.providers(), "conversation", Map.of("silence_ms", 10_000)));
        spec.put("extraction", List.of(Map.of("name", "attends", "type", "boolean", "required", true)));
        spec.put("tags", List.of(Map.of("name", "confirmed")));
        String agent = f.agent(spec);
        engines.analysisAnswers.add("{\"extracted\": {\"attends\": true}, \"tags\": [\"confirmed\"], \"summary\": \"Ana will come on Monday.\"}");
        try (Sipp callee = Sipp.start(dir, "answer-play-wait-bye.xml", 1)) {
            String callId = SipNodes.callAna(api, agent, callee.port);

            JsonNode call = awaitTranscript(callId);
            assertThat(callee.awaitExit(Duration.ofSeconds(20))).as("sipp got the agent's BYE: " + callee.log()).isZero();
            JsonNode t = call.get("transcript");
            assertThat(t.get("attempt").asInt()).isEqualTo(1);
            assertThat(t.get("errors")).isEmpty();
            assertThat(t.get("entries").findValuesAsText("speaker")).containsExactly("agent", "callee", "agent", "agent");
            assertThat(t.get("entries").findValuesAsText("text")).containsExactly("Hi Ana, this is Acme Clinic.",
                    "Yes, I will be there on Monday.", "Wonderful, see you on Monday.", "Goodbye!");
            JsonNode callee1 = t.get("entries").get(1);
            assertThat(callee1.get("start_ms").asLong()).as("the callee spoke 3.5 s after the answer").isBetween(3000L, 4500L);
            assertThat(callee1.get("end_ms").asLong()).isGreaterThan(callee1.get("start_ms").asLong() + 1000);

            // The model got the rendered prompt, the first message as said, and the callee's words; the transcriber real audio.
            JsonNode asked = engines.llmRequests.get(0).get("messages");
            assertThat(asked.get(0).get("content").asText()).isEqualTo("You confirm Ana's appointment on Monday. Be brief.");
            assertThat(asked.get(1).get("content").asText()).isEqualTo("Hi Ana, this is Acme Clinic.");
            assertThat(asked.get(2).get("content").asText()).isEqualTo("Yes, I will be there on Monday.");
            assertThat(engines.llmRequests.get(0).get("model").asText()).isEqualTo("test-model");
            assertThat(engines.sttRequestBytes).singleElement().asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.INTEGER)
                    .as("about 2 s of 8 kHz speech as WAV").isGreaterThan(16_000);

            f.awaitSql("select outcome from call where id = '" + callId + "'", "completed");
            f.awaitSql("select reason from call_attempt where call_id = '" + callId + "'", "agent_hangup");
            f.awaitSql("select count(*) from outbox where type = 'call.transcript.ready' and subject_id = '" + callId + "'", "1");
            // After the transcript, its analysis: one structured request to the same model.
            f.awaitSql("select count(*) from outbox where type = 'call.analysis.ready' and subject_id = '" + callId + "'", "1");
            JsonNode analysis = api.get("/v1/calls/" + callId).json().get("analysis");
            assertThat(analysis.at("/extracted/attends").asBoolean()).as(analysis.toString()).isTrue();
            assertThat(analysis.get("tags")).extracting(JsonNode::asText).containsExactly("confirmed");
            assertThat(analysis.get("summary").asText()).isEqualTo("Ana will come on Monday.");
            assertThat(engines.llmRequests.get(engines.llmRequests.size() - 1).at("/messages/1/content").asText())
                    .contains("callee: Yes, I will be there on Monday.");
            String payload = f.sql("select payload::text from outbox where type = 'call.transcript.ready' and subject_id = '" + callId + "'");
            assertThat(payload).contains("Yes, I will be there on Monday.").contains("\"attempt\":1");

            // The recording: the callee on the left, the agent's voice on the right, from its first message on.
            f.awaitSql("select recording is not null from call_attempt where call_id = '" + callId + "'", "t");
            short[][] wav = AudioChecks.stereo(Path.of(f.sql("select recording from call_attempt where call_id = '" + callId + "'")));
            assertThat(AudioChecks.firstSpeechAfter(wav[1], 0)).as("the first message is spoken at once").isBetween(0, 1000);
            assertThat(AudioChecks.firstSpeechAfter(wav[0], 0)).as("the callee speaks at 3.5 s").isBetween(3300, 3900);
            // (Transcript offsets count from the agent's start, a few ms after the answer; the recording from the answer:
            // compare the recording with itself.)
            int calleeStarts = AudioChecks.firstSpeechAfter(wav[0], 0);
            int calleeEnds = AudioChecks.lastSpeechBetween(wav[0], calleeStarts, calleeStarts + 3500);
            int answerAt = AudioChecks.firstSpeechAfter(wav[1], calleeStarts);
            assertThat(answerAt - calleeEnds).as("the agent answers once the callee's turn has ended (600 ms of silence)")
                    .isBetween(500, 1500);
        }
    }

    @Test
    void whenTheCalleeTalksOverTheAgentItsVoiceStopsWithin200MsAndTheCutSentenceIsNotHistory(@TempDir Path dir) throws Exception {
        // The agent's first message lasts several seconds; 2 s into it the callee starts talking over it.
        Speech.file(dir, "speech.ulaw", "ul", "Sorry, can I stop you there? I need to move it.", 2.0, 5);
        engines.sttAnswers.add("Sorry, can I stop you there? I need to move it.");
        engines.llmAnswers.add(FakeEngines.text("Of course, we will call you back to move it. Goodbye!") + "\n" + FakeEngines.END_CALL);
        String agent = f.agent(Map.of("name", "Talker", "prompt", "You remind people. Be brief.",
                "first_message", "Hi Ana, this is Acme Clinic calling about your appointment next Monday morning at nine thirty "
                        + "with doctor Smith at our downtown office on Main Street, right next to the pharmacy.",
                "max_duration_seconds", 60, "retry_policy", Map.of("max_attempts", 1), "record_calls", true,
                "variables", List.of(Map.of("name", "name", "type", "string", "required", true)),
                "providers", engines.providers(), "conversation", Map.of("silence_ms", 10_000)));
        try (Sipp callee = Sipp.start(dir, "answer-play-wait-bye.xml", 1)) {
            String callId = SipNodes.callAna(api, agent, callee.port);
            JsonNode t = awaitTranscript(callId).get("transcript");
            assertThat(callee.awaitExit(Duration.ofSeconds(20))).as(callee.log()).isZero();
            assertThat(t.get("entries").findValuesAsText("text")).as("the talked-over first message was not heard whole")
                    .containsExactly("Sorry, can I stop you there? I need to move it.", "Of course, we will call you back to move it.", "Goodbye!");
            JsonNode asked = engines.llmRequests.get(0).get("messages");
            assertThat(asked.toString()).doesNotContain("downtown office");

            f.awaitSql("select recording is not null from call_attempt where call_id = '" + callId + "'", "t");
            short[][] wav = AudioChecks.stereo(Path.of(f.sql("select recording from call_attempt where call_id = '" + callId + "'")));
            int calleeStarts = AudioChecks.firstSpeechAfter(wav[0], 0);
            assertThat(calleeStarts).as("the callee starts 2 s after the answer").isBetween(1800, 2600);
            assertThat(AudioChecks.lastSpeechBetween(wav[1], calleeStarts - 400, calleeStarts)).as("the agent was speaking then").isPositive();
            // Until the callee's turn has ended and been answered (over a second later), the agent is silent from the stop on.
            int agentStops = AudioChecks.lastSpeechBetween(wav[1], calleeStarts, calleeStarts + 1500);
            System.out.println("barge-in over SIP: the agent's voice stopped " + (agentStops - calleeStarts) + " ms after the callee's first word");
            assertThat(agentStops - calleeStarts).as("ms from the callee's first word to the agent's last sound").isBetween(0, 200);
        }
    }

    private JsonNode awaitTranscript(String callId) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(40).toNanos();
        while (true) {
            JsonNode call = api.get("/v1/calls/" + callId).json();
            if (call.has("transcript")) return call;
            assertThat(System.nanoTime()).as("call " + callId + " got its transcript: " + call).isLessThan(deadline);
            Thread.sleep(100);
        }
    }
}
