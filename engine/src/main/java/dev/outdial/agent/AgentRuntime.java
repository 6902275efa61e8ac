package dev.outdial.agent;

import dev.outdial.agent.llm.Llm;
import dev.outdial.agent.llm.OpenAiChat;
import dev.outdial.agent.llm.RuleBasedLlm;
import dev.outdial.agent.speech.DeepgramTranscriber;
import dev.outdial.agent.speech.OpenAiSpeech;
import dev.outdial.agent.speech.OpenAiTranscriber;
import dev.outdial.agent.speech.Voice;
import dev.outdial.campaign.ConversationSettings;
import dev.outdial.campaign.Providers;
import dev.outdial.media.AnsweringMachineDetector;
import dev.outdial.media.MediaChannel;
import dev.outdial.telephony.CallLeg;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent runtime's front door: puts an AI agent on an answered call, whatever the carrier. It
 * builds the agent's engines (OpenAI-compatible model, transcriber and voice, or a Deepgram-compatible
 * streaming transcriber for a ws(s) address; espeak-ng when no voice is configured), waits for answering-machine detection where it runs, and holds the
 * {@link Conversation} on its own virtual thread until the call ends; then hands over the transcript.
 * A leg whose callee talks in words (the simulated carrier's personas) gets a conversation in text:
 * no speech engines, and the built-in {@link RuleBasedLlm} when the agent has no model. An agent with
 * its own bot gets a {@link BotBridge} instead: the bot is the agent.
 */
public final class AgentRuntime {
    private static final Logger log = LoggerFactory.getLogger(AgentRuntime.class);
    /** The model's first byte, and any gap in its stream, may take this long before the turn falls back. */
    static final Duration LLM_FIRST_BYTE = Duration.ofSeconds(10);
    static final Duration LLM_IDLE = Duration.ofSeconds(5);
    /** A transcription or a sentence of speech may take this long (streaming: the handshake, and a turn's final text after its end). */
    static final Duration SPEECH_TIMEOUT = Duration.ofSeconds(10);
    /** A bot must answer the WebSocket handshake within this, or the call is hung up. */
    static final Duration BOT_CONNECT = Duration.ofSeconds(10);
    /** The longest wait for answering-machine detection (its decision time is at most 10 s). */
    static final Duration AMD_WAIT = Duration.ofSeconds(12);

    private final HttpClient http;
    /** Agents on calls now, from their start until their transcript has been handed over. */
    private final AtomicInteger active = new AtomicInteger();
    private final Voice offlineVoice;

    public AgentRuntime(HttpClient http, Voice offlineVoice) {
        this.http = http;
        this.offlineVoice = offlineVoice;
    }

    /**
     * What the agent needs for one call, templates already rendered.
     *
     * @param orgId          the organization, a bot's accountSid
     * @param parameters     for a bot: the start message's customParameters (the call's variables and ids, as strings)
     * @param talkToMachines true when the agent's answering-machine behaviour is to carry on
     */
    public record CallSetup(String callId, String orgId, String prompt, String firstMessage, String language, Providers providers,
                            ConversationSettings conversation, Map<String, String> parameters, boolean talkToMachines,
                            Duration maxDuration) {
    }

    /**
     * Whether an agent with these engines can take a call on {@code leg}: with its own bot; in words with any
     * agent (a model or the built-in rules); in audio only with a model and a transcriber.
     */
    public static boolean canConverse(Providers p, CallLeg leg) {
        if (p != null && p.bot() != null) return true;
        if (onlyBotsCanTake(leg)) return false;
        return leg.textCallee() != null || p != null && p.llm() != null && p.stt() != null;
    }

    /**
     * Whether {@code leg} is one only a bot could take: neither a callee in words nor media. Audio needs
     * a far end, or a simulated machine (personas off) would get paid speech nobody hears. Callers that
     * know whether the agent has a bot ask this before reading the rest of its settings.
     */
    public static boolean onlyBotsCanTake(CallLeg leg) {
        return leg.textCallee() == null && leg.media() == MediaChannel.NONE;
    }

    /** The name of the model that speaks for an agent with these engines, for the transcript. */
    public static String modelName(Providers p) {
        if (p != null && p.bot() != null) return "bot";
        return p == null || p.llm() == null ? RuleBasedLlm.NAME : p.llm().model();
    }

    /**
     * Starts the agent on an answered call; {@code done} gets the transcript when the conversation is over.
     * An agent with a bot hands the call to it instead ({@link BotBridge}); {@code done} then gets a
     * transcript only when the bot failed, holding just the error: the bot keeps its own.
     */
    public Session start(CallSetup setup, CallLeg leg, Consumer<Transcript> done) {
        Providers p = setup.providers();
        if (p != null && p.bot() != null) {
            BotBridge bridge = new BotBridge(new BotBridge.Stream(setup.callId(), setup.orgId(), setup.parameters()), p.bot(), leg, http, BOT_CONNECT);
            Session session = new Session(bridge::callEnded);
            onPerson(setup, leg, session, "bot", () -> {
                Transcript t = bridge.run();
                if (!t.errors().isEmpty()) done.accept(t);
            }, () -> { });
            return session;
        }
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
            Providers.Endpoint stt = p.stt();
            conversation = streams(stt)
                    ? new Conversation(settings, llm, new DeepgramTranscriber(http, stt.baseUrl(), stt.apiKey(), stt.model(), SPEECH_TIMEOUT),
                            voice, offlineVoice, leg.media(), leg::hangup, clockMs)
                    : new Conversation(settings, llm, new OpenAiTranscriber(http, stt.baseUrl(), stt.apiKey(), stt.model(), SPEECH_TIMEOUT),
                            voice, offlineVoice, leg.media(), leg::hangup, clockMs);
        }
        if (cs.transferNumber() != null) conversation.transferringTo(cs.transferNumber(), leg::transfer);
        Session session = new Session(conversation::callEnded);
        onPerson(setup, leg, session, "agent", () -> {
            leg.media().listen(conversation);
            done.accept(conversation.run());
        }, () -> done.accept(conversation.transcript()));
        return session;
    }

    /** A transcriber at a ws:// or wss:// address streams (Deepgram's live API); at http(s) it takes one utterance at a time. */
    static boolean streams(Providers.Endpoint stt) {
        return stt.baseUrl().startsWith("ws://") || stt.baseUrl().startsWith("wss://");
    }

    /** What runs on the agent's thread; it may block. */
    private interface Work {
        void run() throws Exception;
    }

    /**
     * On the agent's own virtual thread: waits for answering-machine detection, then runs {@code work} unless
     * a machine answered that the agent does not talk to, or the call is already over. An error hangs up.
     */
    private void onPerson(CallSetup setup, CallLeg leg, Session session, String what, Work work, Runnable afterError) {
        active.incrementAndGet();
        Thread.ofVirtual().name(what + " " + setup.callId()).start(() -> {
            try {
                AnsweringMachineDetector.Result by = leg.answeredBy().get(AMD_WAIT.toMillis(), TimeUnit.MILLISECONDS);
                if (by == AnsweringMachineDetector.Result.MACHINE && !setup.talkToMachines()) return; // the AMD behaviour handles it
                if (session.ended) return;
                work.run();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                log.error("call {}: the {} stopped with an error; the call is hung up", setup.callId(), what, e);
                leg.hangup();
                afterError.run();
            } finally {
                active.decrementAndGet(); // after the transcript has been handed over (and stored)
            }
        });
    }

    /** Takes the first-turn costs of a fresh JVM (~0.4 s) before any callee would: call once at start, off the main thread. */
    public void warmUp() {
        WarmUp.run(http);
    }

    /**
     * Waits up to {@code limit} until no agent is on a call any more, each having handed its transcript over:
     * a stopping node calls it after hanging up its calls, before it closes the database. True when all are done.
     */
    public boolean awaitIdle(Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (active.get() > 0) {
            if (System.nanoTime() > deadline) return false;
            Thread.sleep(20);
        }
        return true;
    }

    /** An agent on a call. */
    public static final class Session {
        private final Runnable onEnd;
        private volatile boolean ended;

        Session(Runnable onEnd) {
            this.onEnd = onEnd;
        }

        /** The call ended: the agent stops (a conversation hands over its transcript; a bot gets {@code stop}). */
        public void callEnded() {
            ended = true;
            onEnd.run();
        }
    }
}
