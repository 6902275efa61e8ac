package dev.outdial;

import dev.outdial.agent.AgentRuntime;
import dev.outdial.agent.CallAnalysis;
import dev.outdial.agent.RuleBasedAnalyst;
import dev.outdial.agent.speech.EspeakVoice;
import java.net.http.HttpClient;

import dev.outdial.api.HttpApi;
import dev.outdial.campaign.Agents;
import dev.outdial.campaign.Batches;
import dev.outdial.campaign.Calls;
import dev.outdial.campaign.Intake;
import dev.outdial.campaign.Lines;
import dev.outdial.campaign.Organizations;
import dev.outdial.config.OutdialConfig;
import dev.outdial.schedule.Dispatcher;
import dev.outdial.schedule.WorkSignal;
import dev.outdial.store.Database;
import dev.outdial.store.TableStats;
import dev.outdial.webhook.WebhookDelivery;
import dev.outdial.webhook.WebhookEndpoints;
import dev.outdial.telephony.Telephony;
import dev.outdial.telephony.simulated.SimulatedTelephony;
import dev.outdial.telephony.sip.SipTelephony;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The wiring, in one readable place: config → database → services → dispatcher → HTTP. No DI
 * container; each part gets exactly what it uses. Stopping runs the same list backwards.
 */
public final class Outdial implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Outdial.class);

    private final OutdialConfig config;
    private final Database db;
    private final boolean ownsDb;
    private final Organizations organizations;
    private final Agents agents;
    private final Lines lines;
    private final Batches batches;
    private final Calls calls;
    private final Intake intake;
    private final Map<String, Telephony> telephony;
    private final Dispatcher dispatcher;
    private final WebhookDelivery webhooks;
    /** The agents' client for their engines (model, speech, bots): closed with the node, cancelling what is in flight. */
    private final HttpClient engines;
    private final HttpApi http;
    private volatile boolean ready;
    private volatile boolean stopped;

    private Outdial(OutdialConfig config, Database db, boolean ownsDb, Clock clock, boolean withHttp,
                    Map<String, Telephony> carriers) {
        this.config = config;
        this.db = db;
        this.ownsDb = ownsDb;
        WorkSignal signal = new WorkSignal();
        this.organizations = new Organizations(db, clock);
        this.agents = new Agents(db, clock);
        this.lines = new Lines(db, clock);
        this.batches = new Batches(db, clock);
        this.calls = new Calls(db);
        this.intake = new Intake(db, clock, agents, lines, batches, signal, new TableStats(db));
        if (carriers == null) {
            Telephony simulated = new SimulatedTelephony(config.simulated());
            Telephony sip = new SipTelephony(config.sip(), config.nodeId()); // opens its ports on the first sip call only
            carriers = Map.of(simulated.provider(), simulated, sip.provider(), sip);
        }
        this.telephony = Map.copyOf(carriers);
        EspeakVoice offlineVoice = new EspeakVoice();
        this.engines = HttpClient.newHttpClient();
        AgentRuntime agentRuntime = new AgentRuntime(engines, offlineVoice);
        Thread.ofVirtual().name("agent-warm-up").start(agentRuntime::warmUp); // before the first callee needs it
        // Agents without a model (simulated calls) are analysed by keyword rules, labelled as such.
        this.dispatcher = new Dispatcher(db, clock, config.nodeId(), config.dispatch(), telephony, signal,
                config.dataDir().resolve("recordings"), offlineVoice, agentRuntime,
                new CallAnalysis(engines, CallAnalysis.DEFAULT_TIMEOUT, new RuleBasedAnalyst()));
        this.webhooks = new WebhookDelivery(db, clock, config.nodeId(), config.webhooks());
        this.http = withHttp ? new HttpApi(new HttpApi.Services(db, clock, organizations, agents, lines, batches, calls, intake,
                new dev.outdial.campaign.DoNotCall(db, clock), telephony.keySet(),
                new WebhookEndpoints(db, clock, config.webhooks().allowedHosts())), () -> ready) : null;
    }

    /** Starts a node with its own database connection (embedded or external, as configured). */
    public static Outdial start(OutdialConfig config) {
        log.info("outdial: starting with {}", config);
        Database db = Database.open(config);
        try {
            return new Outdial(config, db, true, Clock.systemUTC(), true, null).begin();
        } catch (RuntimeException e) {
            db.close();
            throw e;
        }
    }

    /** Starts a node on a database someone else owns (tests, several nodes in one process). */
    public static Outdial start(OutdialConfig config, Database db, Clock clock, boolean withHttp) {
        return new Outdial(config, db, false, clock, withHttp, null).begin();
    }

    /** As above, with the carriers given by provider name instead of the configured ones. */
    public static Outdial start(OutdialConfig config, Database db, Clock clock, boolean withHttp,
                                Map<String, Telephony> carriers) {
        return new Outdial(config, db, false, clock, withHttp, carriers).begin();
    }

    private Outdial begin() {
        if (http != null) http.start("0.0.0.0", config.port()); // first: a taken port fails before any call is claimed
        dispatcher.start();
        webhooks.start();
        ready = true;
        log.info("outdial: node {} ready{}", config.nodeId(), http == null ? "" : " on port " + http.port());
        return this;
    }

    public int port() {
        return http == null ? -1 : http.port();
    }

    public Database db() {
        return db;
    }

    public Organizations organizations() {
        return organizations;
    }

    public Agents agents() {
        return agents;
    }

    public Lines lines() {
        return lines;
    }

    public Batches batches() {
        return batches;
    }

    public Calls calls() {
        return calls;
    }

    public Intake intake() {
        return intake;
    }

    public Dispatcher dispatcher() {
        return dispatcher;
    }

    public WebhookDelivery webhooks() {
        return webhooks;
    }

    /** Stops in order: HTTP, dispatcher (gives back undialed claims, drains live calls), carriers, webhooks, database. */
    public void stop(Duration drain) {
        if (stopped) return;
        stopped = true;
        ready = false;
        if (http != null) http.close();
        dispatcher.stop(drain, () -> telephony.values().forEach(Telephony::close));
        telephony.values().forEach(Telephony::close); // harmless if already closed
        webhooks.close(); // after the dispatcher: the last calls' events may still be sent by another node
        engines.shutdownNow(); // after the dispatcher has let the agents hand their transcripts over
        if (ownsDb) db.close();
        log.info("outdial: node {} stopped", config.nodeId());
    }

    @Override
    public void close() {
        stop(Duration.ofSeconds(10));
    }

    /** Stops everything at once without writing a thing, as a killed process would (for tests). */
    public void crash() {
        if (stopped) return;
        stopped = true;
        ready = false;
        dispatcher.crash(); // first: events the carriers still raise are dropped, as in a dead process
        telephony.values().forEach(Telephony::close);
        if (http != null) http.close();
        engines.shutdownNow();
        if (ownsDb) db.close();
    }
}
