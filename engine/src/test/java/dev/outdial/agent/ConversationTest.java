package dev.outdial.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.outdial.FakeDeepgram;
import dev.outdial.FakeEngines;
import dev.outdial.TestTools;
import dev.outdial.agent.llm.OpenAiChat;
import dev.outdial.agent.speech.DeepgramTranscriber;
import dev.outdial.agent.speech.EspeakVoice;
import dev.outdial.agent.speech.OpenAiTranscriber;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The conversation loop with real clients against local servers speaking the providers' wire formats
 * (SSE chat completions with tool calls, multipart transcription), espeak-ng as the voice, and an
 * in-memory phone line standing in for the call's media (the SIP and simulated runs come with the runtime).
 */
class ConversationTest {
    FakeEngines engines;
    ConcurrentLinkedQueue<String> llmAnswers;
    ConcurrentLinkedQueue<String> sttAnswers;
    List<JsonNode> llmRequests;
    final MemoryLine line = new MemoryLine();
    final AtomicBoolean hungUp = new AtomicBoolean();
    final Random random = new Random(5);

    /** The far end of the agent's audio: records what is played; playback completes at once unless held. */
    @BeforeEach
    void start() throws Exception {
        TestTools.require("espeak-ng", "espeak-ng");
        engines = new FakeEngines();
        llmAnswers = engines.llmAnswers;
        sttAnswers = engines.sttAnswers;
        llmRequests = engines.llmRequests;
    }

    @AfterEach
    void stop() {
        engines.close();
    }

    static String text(String s) {
        return FakeEngines.text(s);
    }

    static final String END_CALL = FakeEngines.END_CALL;

    Conversation conversation(Conversation.Settings settings) {
        return conversation(settings, Duration.ofSeconds(5));
    }

    /** @param llmTimeout how long the model may take to its first byte, and between chunks */
    Conversation conversation(Conversation.Settings settings, Duration llmTimeout) {
        HttpClient http = HttpClient.newHttpClient();
        return new Conversation(settings,
                new OpenAiChat(http, engines.llm.baseUrl(), "sk", "test-model", llmTimeout, llmTimeout),
                new OpenAiTranscriber(http, engines.stt.baseUrl(), "sk", "whisper-1", Duration.ofSeconds(5)),
                new EspeakVoice(), new EspeakVoice(), line, () -> hungUp.set(true), System::currentTimeMillis);
    }

    /** A conversation whose callee is transcribed while they speak, by a Deepgram-compatible server. */
    Conversation streamingConversation(Conversation.Settings settings, FakeDeepgram stt) {
        HttpClient http = HttpClient.newHttpClient();
        return new Conversation(settings,
                new OpenAiChat(http, engines.llm.baseUrl(), "sk", "test-model", Duration.ofSeconds(5), Duration.ofSeconds(5)),
                new DeepgramTranscriber(http, stt.url(), "dg", "nova-2", Duration.ofSeconds(5)),
                new EspeakVoice(), new EspeakVoice(), line, () -> hungUp.set(true), System::currentTimeMillis);
    }

    /** The callee says something: 0.8 s of speech-like noise, then the silence that ends the turn. */
    void calleeSpeaks(Conversation c) {
        speech().forEach(c::audio);
        silence(c);
    }

    /** 0.8 s of speech-like noise, to be fed. */
    List<short[]> speech() {
        List<short[]> fed = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            short[] f = new short[160];
            for (int j = 0; j < f.length; j++) f[j] = (short) (random.nextGaussian() * 3000);
            fed.add(f);
        }
        return fed;
    }

    /** The silence that ends the turn. */
    void silence(Conversation c) {
        for (int i = 0; i < 35; i++) c.audio(new short[160]);
    }

    CompletableFuture<Transcript> runAsync(Conversation c) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return c.run();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }, java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
    }

    static Conversation.Settings settings(Duration silence, List<String> reminders) {
        return settings(true, silence, reminders, null);
    }

    static Conversation.Settings settings(boolean talkFirst, Duration silence, List<String> reminders, Duration maxDuration) {
        return new Conversation.Settings("You confirm appointments. Be brief.", "Hi Ana, this is Acme Clinic about your visit on Monday.",
                talkFirst, "en", silence, reminders, "Thank you, goodbye.", "Sorry, could you say that again?", maxDuration,
                "We're out of time, goodbye.");
    }

    void awaitPlayed(int n) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (line.played.size() < n && System.nanoTime() < until) Thread.sleep(10);
        assertThat(line.played.size()).isGreaterThanOrEqualTo(n);
    }

    @Test
    void aWholeConversationEndsWithTheEndCallToolAndLeavesATranscript() throws Exception {
        sttAnswers.add("Yes, I will be there.");
        llmAnswers.add(text("Great, see you on Monday. ") + "\n" + text("Goodbye!") + "\n" + END_CALL);
        Conversation c = conversation(settings(Duration.ofSeconds(30), List.of()));
        CompletableFuture<Transcript> done = runAsync(c);
        awaitPlayed(1); // the first message
        calleeSpeaks(c);
        Transcript t = done.get(20, TimeUnit.SECONDS);
        assertThat(hungUp).isTrue();
        assertThat(t.entries()).extracting(Transcript.Entry::speaker, Transcript.Entry::text).containsExactly(
                org.assertj.core.groups.Tuple.tuple("agent", "Hi Ana, this is Acme Clinic about your visit on Monday."),
                org.assertj.core.groups.Tuple.tuple("callee", "Yes, I will be there."),
                org.assertj.core.groups.Tuple.tuple("agent", "Great, see you on Monday."),
                org.assertj.core.groups.Tuple.tuple("agent", "Goodbye!"));
        assertThat(t.errors()).isEmpty();
        JsonNode asked = llmRequests.get(0).get("messages");
        assertThat(asked.get(0).get("role").asText()).isEqualTo("system");
        assertThat(asked.get(1).get("content").asText()).startsWith("Hi Ana");
        assertThat(asked.get(2).get("content").asText()).isEqualTo("Yes, I will be there.");
        assertThat(llmRequests.get(0).at("/tools/0/function/name").asText()).isEqualTo("end_call");
        assertThat(line.played).hasSize(3);
    }

    @Test
    void whenTheCalleeTalksOverTheAgentPlaybackStopsAndTheHistoryKeepsOnlyWhatWasHeard() throws Exception {
        sttAnswers.add("Can I move it?");
        sttAnswers.add("Wait, sorry.");
        llmAnswers.add(text("Of course, which day suits you better? ") + "\n" + text("We have Tuesday and Thursday open."));
        llmAnswers.add(text("Sure, take your time. ") + "\n" + END_CALL);
        Conversation c = conversation(settings(Duration.ofSeconds(30), List.of()));
        CompletableFuture<Transcript> done = runAsync(c);
        awaitPlayed(1);
        line.hold = true; // from now on playback lasts until the test or a barge-in ends it
        calleeSpeaks(c);
        awaitPlayed(2); // the answer's first sentence is playing…
        line.hold = false; // (what is played from now on completes at once; the first sentence is still playing)
        assertThat(line.playing()).isTrue();
        calleeSpeaks(c); // …and the callee talks over it
        assertThat(line.playing()).as("playback stopped at the barge-in").isFalse();
        Transcript t = done.get(20, TimeUnit.SECONDS);
        JsonNode second = llmRequests.get(1).get("messages");
        String all = second.toString();
        assertThat(all).doesNotContain("which day suits you").doesNotContain("Tuesday and Thursday");
        assertThat(second.get(second.size() - 1).get("content").asText()).isEqualTo("Wait, sorry.");
        assertThat(t.entries()).extracting(Transcript.Entry::text).doesNotContain("Of course, which day suits you better?");
        assertThat(hungUp).isTrue();
    }

    @Test
    void silenceGetsRemindersThenGoodbyeAndAHangUp() throws Exception {
        Conversation c = conversation(settings(Duration.ofMillis(300), List.of("Hello, are you there?", "I'll try again later.")));
        Transcript t = runAsync(c).get(20, TimeUnit.SECONDS);
        assertThat(t.entries()).extracting(Transcript.Entry::text).containsExactly(
                "Hi Ana, this is Acme Clinic about your visit on Monday.", "Hello, are you there?", "I'll try again later.", "Thank you, goodbye.");
        assertThat(hungUp).isTrue();
        assertThat(llmRequests).isEmpty();
    }

    @Test
    void aFailingModelCostsOneTurnWithASpokenFallbackAndARecordedError() throws Exception {
        sttAnswers.add("What time is it?");
        llmAnswers.add("HTTP 500");
        Conversation c = conversation(settings(Duration.ofSeconds(30), List.of()));
        CompletableFuture<Transcript> done = runAsync(c);
        awaitPlayed(1);
        calleeSpeaks(c);
        awaitPlayed(2); // the fallback line
        c.callEnded(); // the callee hangs up
        Transcript t = done.get(20, TimeUnit.SECONDS);
        assertThat(t.errors()).singleElement().asString().contains("500").contains("model overloaded");
        assertThat(hungUp).as("the callee hung up, not the agent").isFalse();
        assertThat(line.played).hasSize(2);
    }

    @Test
    void aListeningAgentAnswersTheCalleesHelloWithItsFirstMessage() throws Exception {
        sttAnswers.add("Hello?");
        sttAnswers.add("Yes, I will be there.");
        llmAnswers.add(text("Great, see you then. Goodbye!") + "\n" + END_CALL);
        Conversation c = conversation(settings(false, Duration.ofSeconds(30), List.of(), null));
        CompletableFuture<Transcript> done = runAsync(c);
        Thread.sleep(300);
        assertThat(line.played).as("the agent waits for the callee").isEmpty();
        calleeSpeaks(c);
        awaitPlayed(1);
        calleeSpeaks(c);
        Transcript t = done.get(20, TimeUnit.SECONDS);
        assertThat(t.entries()).extracting(Transcript.Entry::speaker, Transcript.Entry::text).containsExactly(
                org.assertj.core.groups.Tuple.tuple("callee", "Hello?"),
                org.assertj.core.groups.Tuple.tuple("agent", "Hi Ana, this is Acme Clinic about your visit on Monday."),
                org.assertj.core.groups.Tuple.tuple("callee", "Yes, I will be there."),
                org.assertj.core.groups.Tuple.tuple("agent", "Great, see you then."),
                org.assertj.core.groups.Tuple.tuple("agent", "Goodbye!"));
        assertThat(llmRequests).as("the hello is answered by the first message, not the model").hasSize(1);
        JsonNode asked = llmRequests.get(0).get("messages");
        assertThat(asked.get(1).get("content").asText()).isEqualTo("Hello?");
        assertThat(asked.get(2).get("content").asText()).startsWith("Hi Ana");
    }

    @Test
    void aListeningAgentWhoseCalleeSaysNothingSpeaksFirstAfterOneSilence() throws Exception {
        Conversation c = conversation(settings(false, Duration.ofMillis(300), List.of("Hello?"), null));
        Transcript t = runAsync(c).get(20, TimeUnit.SECONDS);
        assertThat(t.entries()).extracting(Transcript.Entry::text).containsExactly(
                "Hi Ana, this is Acme Clinic about your visit on Monday.", "Hello?", "Thank you, goodbye.");
        assertThat(hungUp).isTrue();
    }

    @Test
    void nearItsMaximumDurationTheAgentSaysItsTimeUpLineAndHangsUp() throws Exception {
        // 2 s maximum: the agent wraps up a tenth early (1.8 s), while the callee is still talking at length.
        Conversation c = conversation(settings(true, Duration.ofSeconds(30), List.of(), Duration.ofSeconds(2)));
        long start = System.nanoTime();
        CompletableFuture<Transcript> done = runAsync(c);
        Transcript t = done.get(20, TimeUnit.SECONDS);
        long tookMs = (System.nanoTime() - start) / 1_000_000;
        assertThat(t.entries()).extracting(Transcript.Entry::text).containsExactly(
                "Hi Ana, this is Acme Clinic about your visit on Monday.", "We're out of time, goodbye.");
        assertThat(hungUp).isTrue();
        assertThat(tookMs).as("wrapped up before the 2 s maximum, not after the 30 s silence").isLessThan(10_000);
        assertThat(llmRequests).isEmpty();
    }

    @Test
    void inTextTheCalleesWordsNeedNoEnginesAndEachAgentTurnReachesThemWhole() throws Exception {
        List<String> heardByCallee = new CopyOnWriteArrayList<>();
        java.util.concurrent.atomic.AtomicReference<java.util.function.Consumer<String>> reply = new java.util.concurrent.atomic.AtomicReference<>();
        dev.outdial.telephony.TextCallee callee = new dev.outdial.telephony.TextCallee() {
            @Override
            public void replyTo(java.util.function.Consumer<String> replies) {
                reply.set(replies);
            }

            @Override
            public void heard(String agentTurn) {
                heardByCallee.add(agentTurn);
                if (heardByCallee.size() == 1) reply.get().accept("Actually, I can't make it. Could we move it?");
                if (heardByCallee.size() == 2) reply.get().accept("Thursday at 3 pm would be perfect.");
            }
        };
        Conversation c = Conversation.inText(settings(Duration.ofSeconds(30), List.of()), new dev.outdial.agent.llm.RuleBasedLlm(),
                callee, () -> hungUp.set(true), System::currentTimeMillis);
        Transcript t = runAsync(c).get(20, TimeUnit.SECONDS);
        assertThat(t.entries()).extracting(Transcript.Entry::speaker, Transcript.Entry::text).containsExactly(
                org.assertj.core.groups.Tuple.tuple("agent", "Hi Ana, this is Acme Clinic about your visit on Monday."),
                org.assertj.core.groups.Tuple.tuple("callee", "Actually, I can't make it. Could we move it?"),
                org.assertj.core.groups.Tuple.tuple("agent", "Of course. Which day and time would suit you better?"),
                org.assertj.core.groups.Tuple.tuple("callee", "Thursday at 3 pm would be perfect."),
                org.assertj.core.groups.Tuple.tuple("agent", "Great, I've noted Thursday 3 pm."),
                org.assertj.core.groups.Tuple.tuple("agent", "Thank you, goodbye!"));
        assertThat(heardByCallee).hasSize(3);
        assertThat(hungUp).as("the rules ended the call with end_call").isTrue();
        assertThat(line.played).as("no audio in text mode").isEmpty();
        assertThat(engines.sttRequestBytes).isEmpty();
    }

    @Test
    void aMalformedOrSilentModelAnswerEndsTheTurnWithTheFallbackAndTheCallGoesOn() throws Exception {
        sttAnswers.add("What time is it?");
        sttAnswers.add("Hello?");
        sttAnswers.add("Are you there?");
        llmAnswers.add("{\"choices\": [not json");
        llmAnswers.add("SLOW 3000");
        llmAnswers.add(text("Yes, sorry about that. Goodbye!") + "\n" + END_CALL);
        Conversation c = conversation(settings(Duration.ofSeconds(30), List.of()), Duration.ofMillis(500));
        CompletableFuture<Transcript> done = runAsync(c);
        awaitPlayed(1);
        calleeSpeaks(c);
        awaitPlayed(2); // the fallback line after the malformed answer
        calleeSpeaks(c);
        awaitPlayed(3); // the fallback line after the model said nothing for 500 ms
        calleeSpeaks(c);
        Transcript t = done.get(20, TimeUnit.SECONDS);
        assertThat(t.errors()).hasSize(2);
        assertThat(t.errors().get(0)).startsWith("llm: ");
        assertThat(t.errors().get(1)).startsWith("llm: ");
        assertThat(t.entries()).extracting(Transcript.Entry::text).containsSubsequence(
                "What time is it?", "Sorry, could you say that again?", "Hello?", "Sorry, could you say that again?", "Are you there?",
                "Yes, sorry about that.");
        assertThat(hungUp).as("the third turn ended the call normally").isTrue();
    }

    @Test
    void aFailingTranscriberCostsOneTurnWithAFallbackAndARecordedError() throws Exception {
        engines.sttFailures.add(1);
        sttAnswers.add("Yes.");
        llmAnswers.add(text("Great. Goodbye!") + "\n" + END_CALL);
        Transcript t = firstTurnLostToTheTranscriber(conversation(settings(Duration.ofSeconds(30), List.of())));
        assertThat(t.errors().get(0)).contains("503");
    }

    /** Two turns ("Yes." the second), the first lost by the transcriber: the fallback line, then the call goes on to its end. */
    Transcript firstTurnLostToTheTranscriber(Conversation c) throws Exception {
        CompletableFuture<Transcript> done = runAsync(c);
        awaitPlayed(1);
        calleeSpeaks(c);
        awaitPlayed(2); // the fallback
        calleeSpeaks(c);
        Transcript t = done.get(20, TimeUnit.SECONDS);
        assertThat(t.errors()).singleElement().asString().startsWith("stt: ");
        assertThat(t.entries()).extracting(Transcript.Entry::text).containsExactly(
                "Hi Ana, this is Acme Clinic about your visit on Monday.", "Sorry, could you say that again?", "Yes.", "Great. Goodbye!");
        return t;
    }

    @Test
    void theTransferToolHandsTheCalleeToThePersonAndTheConversationEndsWithoutAHangUp() throws Exception {
        sttAnswers.add("Can I talk to a person?");
        llmAnswers.add(text("Of course, transferring you now.") + "\n" + FakeEngines.TRANSFER_CALL);
        List<String> targets = new CopyOnWriteArrayList<>();
        Conversation c = conversation(settings(Duration.ofSeconds(30), List.of())).transferringTo("+14155550100", target -> {
            targets.add(target);
            return CompletableFuture.completedFuture(dev.outdial.telephony.Transfer.transferred());
        });
        CompletableFuture<Transcript> done = runAsync(c);
        awaitPlayed(1);
        calleeSpeaks(c);
        Transcript t = done.get(20, TimeUnit.SECONDS);
        assertThat(targets).containsExactly("+14155550100");
        assertThat(hungUp).as("the transferred leg has ended by itself").isFalse();
        assertThat(t.entries()).extracting(Transcript.Entry::text).containsExactly(
                "Hi Ana, this is Acme Clinic about your visit on Monday.", "Can I talk to a person?", "Of course, transferring you now.");
        assertThat(llmRequests.get(0).get("tools").findValuesAsText("name")).containsExactly("end_call", "transfer_call");
    }

    @Test
    void aRefusedTransferIsToldToTheModelWhichTellsTheCallee() throws Exception {
        sttAnswers.add("Can I talk to a person?");
        llmAnswers.add(text("Of course, transferring you now.") + "\n" + FakeEngines.TRANSFER_CALL);
        llmAnswers.add(text("Sorry, everyone is busy right now. We will call you back. Goodbye!") + "\n" + END_CALL);
        Conversation c = conversation(settings(Duration.ofSeconds(30), List.of())).transferringTo("+14155550106",
                target -> CompletableFuture.completedFuture(dev.outdial.telephony.Transfer.refused(486, "busy")));
        CompletableFuture<Transcript> done = runAsync(c);
        awaitPlayed(1);
        calleeSpeaks(c);
        Transcript t = done.get(20, TimeUnit.SECONDS);
        assertThat(hungUp).isTrue();
        JsonNode second = llmRequests.get(1);
        JsonNode last = second.get("messages").get(second.get("messages").size() - 1);
        assertThat(last.get("role").asText()).isEqualTo("tool");
        assertThat(last.get("content").asText()).contains("\"transferred\":false").contains("busy").contains("486");
        assertThat(second.get("tools").findValuesAsText("name")).as("one transfer per call").containsExactly("end_call");
        assertThat(t.errors()).singleElement().asString().startsWith("transfer: ");
        assertThat(t.entries()).extracting(Transcript.Entry::text).contains("Sorry, everyone is busy right now.");
    }

    @Test
    void withAStreamingTranscriberTheCalleesTurnReachesItWhileTheySpeakAndItsFinalTextIsTheirTurn() throws Exception {
        llmAnswers.add(text("Great, see you on Monday. Goodbye!") + "\n" + END_CALL);
        try (FakeDeepgram stt = new FakeDeepgram()) {
            stt.finals.add("Yes, I will|be there.");
            Conversation c = streamingConversation(settings(Duration.ofSeconds(30), List.of()), stt);
            CompletableFuture<Transcript> done = runAsync(c);
            stt.awaitHandshake(); // one stream, opened when the conversation starts
            awaitPlayed(1);
            List<short[]> speech = speech();
            speech.forEach(c::audio);
            FakeDeepgram.Received first;
            do {
                first = stt.next();
            } while (first.type().equals("KeepAlive"));
            assertThat(first.audio()).as("the turn's audio reaches the server while the callee is still speaking").isEqualTo(speech.get(0));
            silence(c);
            Transcript t = done.get(20, TimeUnit.SECONDS);
            assertThat(t.errors()).isEmpty();
            assertThat(t.entries()).extracting(Transcript.Entry::text).containsExactly(
                    "Hi Ana, this is Acme Clinic about your visit on Monday.", "Yes, I will be there.", "Great, see you on Monday.", "Goodbye!");
            assertThat(stt.awaitClosed()).as("the stream is closed at the end of the call").isTrue();
            List<String> types = stt.all.stream().map(FakeDeepgram.Received::type).filter(type -> !type.equals("KeepAlive")).toList();
            int finalize = types.indexOf("Finalize");
            assertThat(types.subList(finalize, types.size())).containsExactly("Finalize", "CloseStream");
            List<short[]> audio = stt.all.stream().filter(FakeDeepgram.Received::isAudio).map(FakeDeepgram.Received::audio).toList();
            assertThat(audio).as("the pre-roll, then all the speech").startsWith(speech.toArray(new short[0][]));
            assertThat(audio.subList(speech.size(), audio.size())).as("then the silence that ended the turn")
                    .isNotEmpty().allSatisfy(f -> assertThat(f).containsOnly((short) 0));
            assertThat(engines.sttRequestBytes).as("no per-utterance transcription").isEmpty();
        }
    }

    @Test
    void aStreamingTranscriberThatDropsTheStreamCostsOneTurnAndTheNextTurnReconnects() throws Exception {
        llmAnswers.add(text("Great. Goodbye!") + "\n" + END_CALL);
        try (FakeDeepgram stt = new FakeDeepgram()) {
            stt.finals.add("CLOSE 1011 NET-0000 internal error");
            stt.finals.add("Yes.");
            Transcript t = firstTurnLostToTheTranscriber(streamingConversation(settings(Duration.ofSeconds(30), List.of()), stt));
            assertThat(t.errors().get(0)).contains("closed the stream (1011");
            assertThat(stt.handshakes).as("a second stream for the second turn").hasSize(2);
        }
    }
}
