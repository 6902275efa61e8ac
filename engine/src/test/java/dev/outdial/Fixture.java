package dev.outdial;

import dev.outdial.config.OutdialConfig;
import dev.outdial.config.WebhookSettings;
import dev.outdial.config.OutdialConfig.DispatchSettings;
import dev.outdial.config.OutdialConfig.SimulatedSettings;
import dev.outdial.store.Database;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A node (or several) on a fresh database, with an organization, its key and an HTTP client.
 * Closing it stops the nodes and drops the connection pool.
 */
public final class Fixture implements AutoCloseable {
    public final Database db;
    public final Clock clock;
    public final String orgId;
    public final String key;
    private final List<Outdial> nodes = new ArrayList<>();

    private Fixture(Database db, Clock clock) {
        this.db = db;
        this.clock = clock;
        Outdial first = startNode("node-a", DispatchSettings.defaults().withEnabled(false), SimulatedSettings.defaults());
        this.orgId = first.organizations().createOrganization("test-org");
        this.key = first.organizations().createKey(orgId, "test").secret();
        // Tests of the engine's mechanics must not depend on the hour they run at: the guard is off
        // here, explicitly, and the lawful-timing tests turn it back on (quietHours(true)).
        quietHours(false);
    }

    /** Turns the organization's 08:00–21:00 quiet-hours guard on or off. */
    public void quietHours(boolean on) {
        var s = node().organizations().settings(orgId);
        node().organizations().updateSettings(orgId, s.name(), s.timezone(), on);
    }

    /** A fixture whose first node runs no loops: the test drives claims, starts and housekeeping. */
    public static Fixture manual(Clock clock) {
        return new Fixture(TestPostgres.fresh(), clock);
    }

    public static Fixture manual() {
        return manual(Clock.systemUTC());
    }

    public Outdial node() {
        return nodes.get(0);
    }

    public TestApi api() {
        return new TestApi(node().port(), key);
    }

    public TestApi api(String otherKey) {
        return new TestApi(node().port(), otherKey);
    }

    /** Starts another node on the same database. */
    public Outdial startNode(String nodeId, DispatchSettings dispatch, SimulatedSettings simulated) {
        return startNode(nodeId, dispatch, simulated, null);
    }

    /** Starts another node on the same database with the given carriers (null: the simulated one). */
    public Outdial startNode(String nodeId, DispatchSettings dispatch, SimulatedSettings simulated,
                             Map<String, dev.outdial.telephony.Telephony> carriers) {
        return startNode(nodeId, dispatch, simulated, carriers, manualWebhooks());
    }

    /** Webhook settings for tests: the loop off (tests call deliverDue), local receivers allowed. */
    public static WebhookSettings manualWebhooks() {
        return WebhookSettings.defaults().withEnabled(false).withAllowedHosts(java.util.Set.of("localhost", "127.0.0.1"));
    }

    /** Starts another node on the same database with the given carriers (null: the simulated one) and webhook settings. */
    public Outdial startNode(String nodeId, DispatchSettings dispatch, SimulatedSettings simulated,
                             Map<String, dev.outdial.telephony.Telephony> carriers, WebhookSettings webhooks) {
        return startNode(nodeId, dispatch, simulated, carriers, webhooks, Path.of("unused"));
    }

    /** As above, with a data directory of the test's own (where recordings go). */
    public Outdial startNode(String nodeId, DispatchSettings dispatch, SimulatedSettings simulated,
                             Map<String, dev.outdial.telephony.Telephony> carriers, WebhookSettings webhooks, Path dataDir) {
        OutdialConfig config = OutdialConfig.fromEnv(Map.of()).withPort(0).withDataDir(dataDir)
                .withNodeId(nodeId).withDispatch(dispatch).withSimulated(simulated).withWebhooks(webhooks);
        Outdial node = carriers == null ? Outdial.start(config, db, clock, true) : Outdial.start(config, db, clock, true, carriers);
        nodes.add(node);
        return node;
    }

    /** Simulated calls that ring and talk for no time, so tests finish quickly. */
    public static SimulatedSettings instantCalls() {
        return new SimulatedSettings(Duration.ZERO, Duration.ZERO);
    }

    /** Creates an agent through the API and returns its id. */
    public String agent(Map<String, Object> spec) {
        TestApi.Answer a = api().post("/v1/agents", spec);
        if (a.status() != 201) throw new IllegalStateException("agent create failed: " + a.text());
        return a.json().get("id").asText();
    }

    public String agent() {
        return agent(Map.of("name", "Reminder", "prompt", "Hi {{name}}",
                "variables", List.of(Map.of("name", "name", "type", "string", "required", true))));
    }

    /** Creates a simulated line through the API and returns its id. */
    public String line(int maxConcurrent, double maxCps) {
        TestApi.Answer a = api().post("/v1/lines", Map.of("name", "L", "phone_number", "+14155552671", "provider", "simulated",
                "max_concurrent", maxConcurrent, "max_cps", maxCps));
        if (a.status() != 201) throw new IllegalStateException("line create failed: " + a.text());
        return a.json().get("id").asText();
    }

    /** N recipients with valid US numbers whose last digit is {@code lastDigit} (or cycling 0–9 if negative). */
    public static List<Map<String, Object>> recipients(int n, int lastDigit) {
        List<Map<String, Object>> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int d = lastDigit < 0 ? i % 10 : lastDigit;
            // Distinct valid San Francisco numbers (exchanges 200–999) whose last digit picks the simulated behaviour.
            String number = String.format("+1415%03d%03d%d", 200 + i / 1000, i % 1000, d);
            out.add(Map.of("phone_number", number, "variables", Map.of("name", "P" + i)));
        }
        return out;
    }

    /** The first column of the first row of {@code query}, as text (null if no row). */
    public String sql(String query) {
        return db.read(c -> {
            try (java.sql.ResultSet rs = c.createStatement().executeQuery(query)) {
                return rs.next() ? rs.getString(1) : null;
            }
        });
    }

    /** Waits (up to 20 s) until {@code query} answers {@code expected}: for work another thread finishes, such as call events. */
    public void awaitSql(String query, String expected) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!java.util.Objects.equals(sql(query), expected)) {
            if (System.nanoTime() > deadline) throw new AssertionError(query + " never gave " + expected + ", last " + sql(query));
            Thread.sleep(20);
        }
    }

    @Override
    public void close() {
        for (int i = nodes.size() - 1; i >= 0; i--) {
            nodes.get(i).stop(Duration.ofSeconds(5));
        }
        db.close();
    }
}
