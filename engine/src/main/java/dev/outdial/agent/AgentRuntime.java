package dev.outdial.agent;

import dev.outdial.agent.llm.Llm;
import dev.outdial.agent.llm.OpenAiChat;
import dev.outdial.agent.llm.RuleBasedLlm;
import dev.outdial.agent.speech.OpenAiSpeech;
import dev.outdial.agent.speech.OpenAiTranscriber;
import dev.outdial.agent.speech.Voice;
import dev.outdial.campaign.ConversationSettings;
import dev.outdial.campaign.Providers;
import dev.outdial.media.AnsweringMachineDetector;
import dev.outdial.telephony.CallLeg;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent runtime's front door: puts an AI agent on an answered call, whatever the carrier. It
 * builds the agent's engines (OpenAI-compatible model, transcriber and voice; espeak-ng when no voice
 * is configured), waits for answering-machine detection where it runs, and holds the
 * {@link Conversation} on its own virtual thread until the call ends; then hands over the transcript.
 * A leg whose callee talks in words (the simulated carrier's personas) gets a conversation in text:
 * no speech engines, and the built-in {@link RuleBasedLlm} when the agent has no model.
 */
public final class AgentRuntime {
    private static final Logger log = LoggerFactory.getLogger(AgentRuntime.class);
    /** The model's first byte, and any gap in its stream, may take this long before the turn falls back. */
    static final Duration LLM_FIRST_BYTE = Duration.ofSeconds(10);
    static final Duration LLM_IDLE = Duration.ofSeconds(5);
    /** A transcription or a sentence of speech may take this long. */
    static final Duration SPEECH_TIMEOUT = Duration.ofSeconds(10);
    /** The longest wait for answering-machine detection (its decision time is at most 10 s). */
    static final Duration AMD_WAIT = Duration.ofSeconds(12);

    private final HttpClient http;
    private final Voice offlineVoice;

    public AgentRuntime(HttpClient http, Voice offlineVoice) {
        this.http = http;
        this.offlineVoice = offlineVoice;
    }

    /**
     * What the agent needs for one call, templates already rendered.
     *
     * @param talkToMachines true when the agent's answering-machine behaviour is to carry on
     */
    public record CallSetup(String callId, String prompt, String firstMessage, String language, Providers providers,
                            ConversationSettings conversation, boolean talkToMachines, Duration maxDuration) {
    }

    /**
     * Whether an agent with these engines can hold a conversation on {@code leg}: in words with any agent
     * (a model or the built-in rules), in audio only with a model and a transcriber.
     */
    public static boolean canConverse(Providers p, CallLeg leg) {
        return leg.textCallee() != null || (p != null && p.llm() != null && p.stt() != null);
    }

    /** The name of the model that speaks for an agent with these engines, for the transcript. */
    public static String modelName(Providers p) {
        return p == null || p.llm() == null ? RuleBasedLlm.NAME : p.llm().model();
    }

    /** Starts the agent on an answered call; {@code done} gets the transcript when the conversation is over. */
    public Session start(CallSetup setup, CallLeg leg, Consumer<Transcript> done) {
        Providers p = setup.providers();
        ConversationSettings cs = setup.conversation() == null ? ConversationSettings.DEFAULTS : setup.conversation();
        Conversation.Settings settings = new Conversation.Settings(setup.prompt(), setup.firstMessage(), cs.talkFirstOrDefault(),
                setup.language(), Duration.ofMillis(cs.silenceMsOrDefault()), cs.remindersOrDefault(), cs.goodbyeOrDefault(),
                cs.fallbackLineOrDefault(), setup.maxDuration(), cs.timeUpLineOrDefault());
        LongSupplier clockMs = () -> System.nanoTime() / 1_000_000;
        Llm llm = p == null || p.llm() == null ? new RuleBasedLlm()
                : new OpenAiChat(http, p.llm().baseUrl(), p.llm().apiKey(), p.llm().model(), LLM_FIRST_BYTE, LLM_IDLE);
        Conversation conversation;
        if (leg.textCallee() != null) {
            conversation = Conversation.inText(settings, llm, leg.textCallee(), leg::hangup, clockMs);
        } else {
            Voice voice = p.tts() == null ? offlineVoice
                    : new OpenAiSpeech(http, p.tts().baseUrl(), p.tts().apiKey(), p.tts().model(), p.tts().voice(), SPEECH_TIMEOUT);
            conversation = new Conversation(settings, llm,
                    new OpenAiTranscriber(http, p.stt().baseUrl(), p.stt().apiKey(), p.stt().model(), SPEECH_TIMEOUT),
                    voice, offlineVoice, leg.media(), leg::hangup, clockMs);
        }
        Session session = new Session(conversation);
        Thread.ofVirtual().name("agent " + setup.callId()).start(() -> {
            try {
                AnsweringMachineDetector.Result by = leg.answeredBy().get(AMD_WAIT.toMillis(), TimeUnit.MILLISECONDS);
                if (by == AnsweringMachineDetector.Result.MACHINE && !setup.talkToMachines()) return; // the AMD behaviour handles it
                if (session.ended) return;
                leg.media().listen(conversation);
                done.accept(conversation.run());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                log.error("call {}: the agent stopped with an error; the call is hung up", setup.callId(), e);
                leg.hangup();
                done.accept(conversation.transcript());
            }
        });
        return session;
    }

    /** An agent on a call. */
    public static final class Session {
        private final Conversation conversation;
        private volatile boolean ended;

        Session(Conversation conversation) {
            this.conversation = conversation;
        }

        /** The call ended: the conversation stops and hands over its transcript. */
        public void callEnded() {
            ended = true;
            conversation.callEnded();
        }
    }
}
