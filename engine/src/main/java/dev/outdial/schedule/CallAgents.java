package dev.outdial.schedule;

import dev.outdial.agent.AgentRuntime;
import dev.outdial.agent.CallAnalysis;
import dev.outdial.agent.PromptVariables;
import dev.outdial.agent.Template;
import dev.outdial.agent.Transcript;
import dev.outdial.campaign.ConversationSettings;
import dev.outdial.campaign.Providers;
import dev.outdial.store.Database;
import dev.outdial.store.Json;
import dev.outdial.store.Outbox;
import dev.outdial.telephony.CallLeg;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts the agent on answered calls: reads what the agent needs for this call (its templates rendered
 * with the call's variables and overrides, its engines with their keys), starts it through the
 * {@link AgentRuntime}, and stores the transcript on the call with a {@code call.transcript.ready}
 * event, fenced by the attempt; then the {@link CallAnalysis} of it (extracted fields, tags, summary)
 * with a {@code call.analysis.ready} event, fenced the same way. An agent with its own bot gets the call's
 * audio streamed to it instead. Calls of agents that cannot converse on the leg go on without an agent.
 */
final class CallAgents {
    private static final Logger log = LoggerFactory.getLogger(CallAgents.class);

    private final Database db;
    private final Clock clock;
    private final AgentRuntime runtime;
    private final CallAnalyses analyses;

    /** @param analyses analyses each stored transcript; null: none (calls keep their transcript only) */
    CallAgents(Database db, Clock clock, AgentRuntime runtime, CallAnalyses analyses) {
        this.db = db;
        this.clock = clock;
        this.runtime = runtime;
        this.analyses = analyses;
    }

    /** Starts the agent (or its bot) on {@code leg} if it can converse; null otherwise. Reads the database: not on a carrier thread. */
    AgentRuntime.Session start(ClaimedCall call, CallLeg leg) {
        // Only a bot can take a leg with neither media nor a text callee (a simulated call with personas off, as in
        // load tests): skip the read of the agent's settings for it. That read on every answered call halved dispatch
        // (100,000 simulated calls: 3,300 calls/s with it, 6,900 before it was added).
        if (!call.bot() && AgentRuntime.onlyBotsCanTake(leg)) return null;
        AgentRuntime.CallSetup setup = db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    select a.prompt, a.first_message, a.language, a.providers::text, a.conversation::text, a.amd->>'behavior',
                           a.default_variables::text, b.variables::text, c.variables::text, c.overrides::text, c.zones[1]
                    from call c join agent a on a.id = c.agent_id join batch b on b.id = c.batch_id where c.id = ?""")) {
                ps.setString(1, call.callId());
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) return null;
                    Map<String, Object> overrides = Json.map(rs.getString(10));
                    Providers providers = overridden(rs.getString(4) == null ? null : Json.read(rs.getString(4), Providers.class), overrides);
                    if (!AgentRuntime.canConverse(providers, leg)) return null;
                    Map<String, Object> values = PromptVariables.resolve(Json.map(rs.getString(9)), Json.map(rs.getString(8)),
                            Json.map(rs.getString(7)), call.destination(), call.from(), zone(rs.getString(11)), clock.instant(), call.attempt());
                    String prompt = overrides.containsKey("prompt") ? overrides.get("prompt").toString() : rs.getString(1);
                    String first = overrides.containsKey("first_message") ? overrides.get("first_message").toString() : rs.getString(2);
                    String language = overrides.containsKey("language") ? overrides.get("language").toString() : rs.getString(3);
                    return new AgentRuntime.CallSetup(call.callId(), call.orgId(), Template.render(prompt, values), Template.render(first, values),
                            language, providers, rs.getString(5) == null ? null : Json.read(rs.getString(5), ConversationSettings.class),
                            providers == null || providers.bot() == null ? Map.of() : botParameters(call, providers.bot(), values),
                            "continue".equals(rs.getString(6)), call.maxDuration());
                }
            }
        });
        if (setup == null) return null;
        String model = AgentRuntime.modelName(setup.providers());
        boolean text = leg.textCallee() != null && (setup.providers() == null || setup.providers().bot() == null);
        return runtime.start(setup, leg, transcript -> save(call, transcript, model, text));
    }

    /** Waits up to {@code limit} for the agents still on calls to hand their transcripts over; false if some did not. */
    boolean awaitIdle(Duration limit) {
        if (runtime == null) return true;
        try {
            return runtime.awaitIdle(limit);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * A bot's customParameters: every variable of the call (its own, the batch's, the agent's defaults, the built-ins),
     * then the agent's custom_parameters rendered with them, then the call's ids and numbers, which nothing overrides.
     * All strings, as Twilio's are; a list or object variable goes as its JSON text.
     */
    static Map<String, String> botParameters(ClaimedCall call, Providers.Bot bot, Map<String, Object> values) {
        Map<String, String> out = new java.util.TreeMap<>();
        values.forEach((k, v) -> {
            if (v != null) out.put(k, v instanceof String || v instanceof Number || v instanceof Boolean ? v.toString() : Json.write(v));
        });
        if (bot.customParameters() != null) bot.customParameters().forEach((k, v) -> out.put(k, Template.render(v, values)));
        out.put("call_id", call.callId());
        out.put("batch_id", call.batchId());
        out.put("attempt", Integer.toString(call.attempt()));
        out.put("from", call.from());
        out.put("to", call.destination());
        return out;
    }

    /**
     * Stores the transcript on the call (if the attempt is still this one) and announces it; then, on a
     * virtual thread of its own, analyses it (the thread that hands over the transcript must not wait on a model).
     *
     * @param model the model that spoke for the agent (or the built-in rules' label)
     * @param text  whether the conversation was held in words (a simulated callee) rather than audio
     */
    void save(ClaimedCall call, Transcript t, String model, boolean text) {
        List<Map<String, Object>> entries = t.entries().stream().map(e -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("speaker", e.speaker());
            m.put("text", e.text());
            m.put("start_ms", e.startMs());
            m.put("end_ms", e.endMs());
            return m;
        }).toList();
        Map<String, Object> stored = new LinkedHashMap<>();
        stored.put("attempt", call.attempt());
        stored.put("channel", text ? "text" : "audio");
        stored.put("model", model);
        stored.put("entries", entries);
        stored.put("errors", t.errors());
        boolean saved;
        AttemptRef ref = AttemptRef.of(call);
        try {
            saved = db.tx(c -> {
                // The analysis is due from now on: if this node dies before making it, another node's housekeeper will.
                if (!ref.set(c, "transcript", stored, analyses == null ? null : clock.instant())) return false; // a later attempt: history
                Map<String, Object> payload = new LinkedHashMap<>();
                payload.put("call_id", call.callId());
                payload.put("batch_id", call.batchId());
                payload.put("attempt", call.attempt());
                payload.put("channel", text ? "text" : "audio");
                payload.put("model", model);
                payload.put("transcript", entries);
                if (!t.errors().isEmpty()) payload.put("errors", t.errors());
                Outbox.write(c, clock.instant(), new Outbox.Event(call.orgId(), "call.transcript.ready", call.callId(), payload));
                return true;
            });
        } catch (RuntimeException e) {
            log.error("call {}: the transcript could not be stored", call.callId(), e);
            return;
        }
        if (saved && analyses != null) Thread.ofVirtual().name("analysis " + call.callId()).start(() -> analyses.analyze(ref, t.entries()));
    }

    /** The agent's engines with the call's {@code llm_model} and {@code voice} overrides applied. */
    static Providers overridden(Providers p, Map<String, Object> overrides) {
        if (p == null || overrides.isEmpty()) return p;
        Providers.Endpoint llm = p.llm();
        if (llm != null && overrides.get("llm_model") instanceof String model) {
            llm = new Providers.Endpoint(llm.baseUrl(), model, llm.voice(), llm.apiKey(), llm.apiKeySet());
        }
        Providers.Endpoint tts = p.tts();
        if (tts != null && overrides.get("voice") instanceof String voice) {
            tts = new Providers.Endpoint(tts.baseUrl(), tts.model(), voice, tts.apiKey(), tts.apiKeySet());
        }
        return new Providers(llm, p.stt(), tts, p.bot());
    }

    private static ZoneId zone(String id) {
        try {
            return id == null ? null : ZoneId.of(id);
        } catch (DateTimeException e) {
            return null;
        }
    }
}
