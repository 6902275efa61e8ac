package dev.outdial.schedule;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.outdial.agent.CallAnalysis;
import dev.outdial.agent.Transcript;
import dev.outdial.campaign.ClassificationTag;
import dev.outdial.campaign.ExtractionField;
import dev.outdial.campaign.Providers;
import dev.outdial.store.Database;
import dev.outdial.store.Json;
import dev.outdial.store.Outbox;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes and stores the analysis of each stored conversation ({@link CallAnalysis}: extracted fields, tags,
 * summary) with a {@code call.analysis.ready} event, fenced by the attempt. A call's analysis is due from
 * the moment its transcript is stored ({@code analysis_pending_since}, written in the same transaction)
 * until its analysis is: the node that held the call makes it at once, and if that node dies first, any
 * node's housekeeper finds it overdue ({@link #catchUp}) and makes it. Taking an overdue call moves its
 * mark forward, so two nodes catching up do not analyse the same call together.
 */
final class CallAnalyses {
    private static final Logger log = LoggerFactory.getLogger(CallAnalyses.class);
    /** An analysis not stored this long after its transcript is taken for lost (its node died): the longest normal one takes ~30 s. */
    static final Duration OVERDUE_AFTER = Duration.ofMinutes(2);
    /** Overdue analyses one catch-up round takes on, so a backlog after an outage is worked through in slices. */
    private static final int CATCH_UP_LIMIT = 20;

    private final Database db;
    private final Clock clock;
    private final CallAnalysis analysis;

    CallAnalyses(Database db, Clock clock, CallAnalysis analysis) {
        this.db = db;
        this.clock = clock;
        this.analysis = analysis;
    }

    /**
     * Analyses the conversation as the agent asks and stores the result; a failed analysis is stored too, with
     * its errors. An agent that asks for nothing gets none, and the call is no longer due. Never throws.
     */
    void analyze(AttemptRef call, List<Transcript.Entry> entries) {
        try {
            AnalysisSetup setup = db.read(c -> {
                try (PreparedStatement ps = c.prepareStatement("""
                        select a.extraction::text, a.tags::text, a.summarize, a.providers::text, coalesce(c.overrides->>'language', a.language)
                        from call c join agent a on a.id = c.agent_id where c.id = ?""")) {
                    ps.setString(1, call.callId());
                    try (ResultSet rs = ps.executeQuery()) {
                        if (!rs.next()) return null;
                        Providers providers = rs.getString(4) == null ? null : Json.read(rs.getString(4), Providers.class);
                        CallAnalysis.Plan plan = CallAnalysis.Plan.of(
                                Json.MAPPER.readValue(rs.getString(1), new TypeReference<List<ExtractionField>>() { }),
                                Json.MAPPER.readValue(rs.getString(2), new TypeReference<List<ClassificationTag>>() { }),
                                (Boolean) rs.getObject(3), providers != null && providers.llm() != null, rs.getString(5));
                        return new AnalysisSetup(plan, providers);
                    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                        throw new IllegalStateException("the agent's stored extraction or tags are malformed", e);
                    }
                }
            });
            if (setup == null || setup.plan().asksNothing()) {
                notDue(call);
                return;
            }
            CallAnalysis.Result r = analysis.analyze(setup.plan(), entries, analysis.analystFor(setup.providers()));
            // A model that failed as a whole is worth an operator's look (a wrong key, a dead server); a field it got wrong is not.
            if (r.model() != null && r.errors().stream().anyMatch(p -> p.pointer() == null)) {
                log.warn("call {}: the analysis of attempt {} failed: {}", call.callId(), call.attempt(), r.errors().get(0).message());
            } else if (!r.errors().isEmpty()) {
                log.debug("call {}: the analysis of attempt {} has errors: {}", call.callId(), call.attempt(), r.errors());
            }
            store(call, r);
        } catch (RuntimeException e) {
            log.error("call {}: the analysis could not be made or stored; a housekeeper retries it after {}", call.callId(), OVERDUE_AFTER, e);
        }
    }

    /**
     * Takes up to {@link #CATCH_UP_LIMIT} overdue analyses (their node died before making them) and makes each
     * on a virtual thread of its own; returns how many it took. Safe on many nodes at once.
     */
    int catchUp() {
        Instant now = clock.instant();
        record Overdue(AttemptRef call, String transcript) {
        }
        List<Overdue> taken = db.tx(c -> {
            List<Overdue> out = new ArrayList<>();
            // Moving the mark to now is the claim: another node sees this call as overdue only after OVERDUE_AFTER again.
            try (PreparedStatement ps = c.prepareStatement("""
                    update call c set analysis_pending_since = ?
                    where c.id in (select id from call where analysis_pending_since < ?
                                   order by analysis_pending_since limit ? for update skip locked)
                    returning c.id, c.org_id, c.batch_id, c.attempt, c.transcript::text""")) {
                ps.setTimestamp(1, Timestamp.from(now));
                ps.setTimestamp(2, Timestamp.from(now.minus(OVERDUE_AFTER)));
                ps.setInt(3, CATCH_UP_LIMIT);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new Overdue(new AttemptRef(rs.getString(1), rs.getString(2), rs.getString(3), rs.getInt(4)), rs.getString(5)));
                    }
                }
            }
            return out;
        });
        for (Overdue o : taken) {
            Map<String, Object> t = o.transcript() == null ? Map.of() : Json.map(o.transcript());
            if (!(t.get("attempt") instanceof Number n) || n.intValue() != o.call().attempt()) {
                // The stored transcript is an older attempt's (the call has moved on): that one's analysis is history.
                if (t.get("attempt") instanceof Number older) notDue(new AttemptRef(o.call().callId(), o.call().orgId(), o.call().batchId(), older.intValue()));
                continue;
            }
            log.info("call {}: making the overdue analysis of attempt {} (its node stopped before it)", o.call().callId(), o.call().attempt());
            List<Transcript.Entry> entries = entries(t.get("entries"));
            Thread.ofVirtual().name("analysis " + o.call().callId()).start(() -> analyze(o.call(), entries));
        }
        return taken.size();
    }

    private static List<Transcript.Entry> entries(Object stored) {
        List<Transcript.Entry> out = new ArrayList<>();
        if (stored instanceof List<?> list) {
            for (Object o : list) {
                // As CallAgents.save writes them; a field missing from an older row counts as empty, not as a failed catch-up.
                if (o instanceof Map<?, ?> e && e.get("speaker") instanceof String speaker && e.get("text") instanceof String text) {
                    out.add(new Transcript.Entry(speaker, text, e.get("start_ms") instanceof Number a ? a.longValue() : 0,
                            e.get("end_ms") instanceof Number b ? b.longValue() : 0));
                }
            }
        }
        return out;
    }

    /** What the agent asks after the call, and its engines (with keys: the analyst calls the model). */
    private record AnalysisSetup(CallAnalysis.Plan plan, Providers providers) {
    }

    private void store(AttemptRef call, CallAnalysis.Result r) {
        Map<String, Object> stored = new LinkedHashMap<>();
        stored.put("attempt", call.attempt());
        stored.put("extracted", r.extracted());
        stored.put("tags", r.tags());
        if (r.summary() != null) stored.put("summary", r.summary());
        stored.put("errors", r.errors());
        if (r.model() != null) stored.put("model", r.model());
        db.tx(c -> {
            if (!call.set(c, "analysis", stored, null)) {
                log.debug("call {}: attempt {} was superseded before its analysis was stored", call.callId(), call.attempt());
                return null;
            }
            Map<String, Object> payload = new LinkedHashMap<>();
            payload.put("call_id", call.callId());
            payload.put("batch_id", call.batchId());
            payload.putAll(stored);
            Outbox.write(c, clock.instant(), new Outbox.Event(call.orgId(), "call.analysis.ready", call.callId(), payload));
            return null;
        });
    }

    /** The call's analysis is no longer due from this attempt (nothing asked, or the attempt was superseded). */
    private void notDue(AttemptRef call) {
        db.tx(c -> {
            // Only while the stored conversation is this attempt's: a later attempt's keeps its own mark.
            try (PreparedStatement ps = c.prepareStatement("""
                    update call set analysis_pending_since = null
                    where id = ? and (transcript->>'attempt')::int = ?""")) {
                ps.setString(1, call.callId());
                ps.setInt(2, call.attempt());
                return ps.executeUpdate();
            }
        });
    }
}
