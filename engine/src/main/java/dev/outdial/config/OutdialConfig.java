package dev.outdial.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * Every setting Outdial reads, validated once at construction and immutable after.
 *
 * @param port              HTTP port (default 8080; {@code OUTDIAL_PORT})
 * @param dataDir           where the embedded database keeps its files (default ./data; {@code OUTDIAL_DATA_DIR})
 * @param dbUrl             external PostgreSQL JDBC URL; null means the embedded database ({@code OUTDIAL_DB_URL})
 * @param dbUser            user for the external database ({@code OUTDIAL_DB_USER})
 * @param dbPassword        password for the external database ({@code OUTDIAL_DB_PASSWORD}); never logged
 * @param nodeId            this process's name in leases (default a random one)
 * @param dispatch          dispatcher and pacer settings
 * @param simulated         the simulated carrier's timings
 * @param webhooks          webhook delivery settings
 * @param sip               the SIP user agent's settings
 */
public record OutdialConfig(
        int port,
        Path dataDir,
        String dbUrl,
        String dbUser,
        String dbPassword,
        String nodeId,
        DispatchSettings dispatch,
        SimulatedSettings simulated,
        WebhookSettings webhooks,
        SipSettings sip) {

    public OutdialConfig {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0..65535, got " + port);
        }
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(nodeId, "nodeId");
        Objects.requireNonNull(dispatch, "dispatch");
        Objects.requireNonNull(simulated, "simulated");
        Objects.requireNonNull(webhooks, "webhooks");
        Objects.requireNonNull(sip, "sip");
        if (dbUrl != null && !dbUrl.startsWith("jdbc:postgresql:")) {
            throw new IllegalArgumentException("db-url must be a PostgreSQL JDBC URL (jdbc:postgresql://host:port/db), got " + dbUrl);
        }
    }

    /** True when Outdial starts and owns its own PostgreSQL under {@link #dataDir()}. */
    public boolean embeddedDatabase() {
        return dbUrl == null;
    }

    /** Defaults, overlaid with the {@code OUTDIAL_*} variables of the given environment. */
    public static OutdialConfig fromEnv(Map<String, String> env) {
        return new OutdialConfig(
                port(env.getOrDefault("OUTDIAL_PORT", "8080")),
                Path.of(env.getOrDefault("OUTDIAL_DATA_DIR", "data")),
                emptyToNull(env.get("OUTDIAL_DB_URL")),
                emptyToNull(env.get("OUTDIAL_DB_USER")),
                emptyToNull(env.get("OUTDIAL_DB_PASSWORD")),
                env.getOrDefault("OUTDIAL_NODE_ID", "node-" + UUID.randomUUID().toString().substring(0, 8)),
                DispatchSettings.defaults(),
                SimulatedSettings.defaults(),
                webhooks(env),
                SipSettings.fromEnv(env));
    }

    public OutdialConfig withPort(int port) {
        return new OutdialConfig(port, dataDir, dbUrl, dbUser, dbPassword, nodeId, dispatch, simulated, webhooks, sip);
    }

    public OutdialConfig withDataDir(Path dataDir) {
        return new OutdialConfig(port, dataDir, dbUrl, dbUser, dbPassword, nodeId, dispatch, simulated, webhooks, sip);
    }

    public OutdialConfig withDatabase(String url, String user, String password) {
        return new OutdialConfig(port, dataDir, url, user, password, nodeId, dispatch, simulated, webhooks, sip);
    }

    public OutdialConfig withNodeId(String nodeId) {
        return new OutdialConfig(port, dataDir, dbUrl, dbUser, dbPassword, nodeId, dispatch, simulated, webhooks, sip);
    }

    public OutdialConfig withDispatch(DispatchSettings dispatch) {
        return new OutdialConfig(port, dataDir, dbUrl, dbUser, dbPassword, nodeId, dispatch, simulated, webhooks, sip);
    }

    public OutdialConfig withSimulated(SimulatedSettings simulated) {
        return new OutdialConfig(port, dataDir, dbUrl, dbUser, dbPassword, nodeId, dispatch, simulated, webhooks, sip);
    }

    public OutdialConfig withWebhooks(WebhookSettings webhooks) {
        return new OutdialConfig(port, dataDir, dbUrl, dbUser, dbPassword, nodeId, dispatch, simulated, webhooks, sip);
    }

    public OutdialConfig withSip(SipSettings sip) {
        return new OutdialConfig(port, dataDir, dbUrl, dbUser, dbPassword, nodeId, dispatch, simulated, webhooks, sip);
    }

    /** The settings as one log line, with the password masked. */
    @Override
    public String toString() {
        return "port=" + port + " dataDir=" + dataDir + " db=" + (dbUrl == null ? "embedded" : dbUrl)
                + " dbUser=" + dbUser + " dbPassword=" + (dbPassword == null ? "-" : "****")
                + " node=" + nodeId + " " + dispatch + " " + simulated + " " + webhooks + " " + sip;
    }

    private static WebhookSettings webhooks(Map<String, String> env) {
        WebhookSettings w = WebhookSettings.defaults().withAllowedHosts(WebhookSettings.hosts(env.getOrDefault("OUTDIAL_WEBHOOK_ALLOW_HOSTS", "")));
        String schedule = env.get("OUTDIAL_WEBHOOK_RETRY_SCHEDULE");
        return schedule == null ? w : w.withRetrySchedule(WebhookSettings.schedule(schedule));
    }

    private static int port(String s) {
        try {
            return Integer.parseInt(s.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("OUTDIAL_PORT must be a port number, got '" + s + "'");
        }
    }

    private static String emptyToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    /**
     * How the dispatcher claims and paces work.
     *
     * @param enabled        run the dispatcher loops on this node (default true)
     * @param pollInterval   longest sleep between claim rounds when no signal arrives (default 1 s)
     * @param slotHorizon    how far ahead a node may hold dial slots (default 1 s, DESIGN §7)
     * @param maxClaim       most calls one claim transaction takes for one line (default 2,000)
     * @param leaseDuration  how long a claim stays valid without renewal (default 30 s)
     * @param leaseRenewal   how often live leases are renewed (default 10 s)
     * @param armLead        how long before its slot a call is taken for dialing (the start's database round
     *                       trip), so that it is dialed at its slot rather than one round trip after it
     *                       (default 100 ms; zero takes each call at its slot)
     */
    public record DispatchSettings(boolean enabled, Duration pollInterval, Duration slotHorizon, int maxClaim,
                                   Duration leaseDuration, Duration leaseRenewal, Duration armLead) {
        /** The default {@link #armLead()}: longer than the start's round trip on a busy database, short beside a call. */
        public static final Duration DEFAULT_ARM_LEAD = Duration.ofMillis(100);

        public DispatchSettings {
            requirePositive("dispatch.poll_interval", pollInterval);
            requirePositive("dispatch.slot_horizon", slotHorizon);
            requirePositive("dispatch.lease_duration", leaseDuration);
            requirePositive("dispatch.lease_renewal", leaseRenewal);
            requireNonNegative("dispatch.arm_lead", armLead);
            if (armLead.compareTo(slotHorizon) >= 0) {
                throw new IllegalArgumentException("dispatch.arm_lead (" + armLead + ") must be shorter than dispatch.slot_horizon ("
                        + slotHorizon + "): a call is claimed at most a horizon before its slot");
            }
            if (maxClaim < 1) {
                throw new IllegalArgumentException("dispatch.max_claim must be >= 1, got " + maxClaim);
            }
            if (leaseRenewal.compareTo(leaseDuration) >= 0) {
                throw new IllegalStateException("dispatch.lease_renewal (" + leaseRenewal
                        + ") must be shorter than dispatch.lease_duration (" + leaseDuration + ")");
            }
        }

        public static DispatchSettings defaults() {
            return new DispatchSettings(true, Duration.ofSeconds(1), Duration.ofSeconds(1), 2_000,
                    Duration.ofSeconds(30), Duration.ofSeconds(10), DEFAULT_ARM_LEAD);
        }

        public DispatchSettings withEnabled(boolean enabled) {
            return new DispatchSettings(enabled, pollInterval, slotHorizon, maxClaim, leaseDuration, leaseRenewal, armLead);
        }

        public DispatchSettings withLease(Duration duration, Duration renewal) {
            return new DispatchSettings(enabled, pollInterval, slotHorizon, maxClaim, duration, renewal, armLead);
        }

        public DispatchSettings withPollInterval(Duration pollInterval) {
            return new DispatchSettings(enabled, pollInterval, slotHorizon, maxClaim, leaseDuration, leaseRenewal, armLead);
        }

        public DispatchSettings withArmLead(Duration armLead) {
            return new DispatchSettings(enabled, pollInterval, slotHorizon, maxClaim, leaseDuration, leaseRenewal, armLead);
        }
    }

    /**
     * The simulated carrier's timings.
     *
     * @param ringTime how long a simulated phone rings before it is answered or gives up (default 2 s)
     * @param talkTime how long an answered simulated call lasts when no agent talks on it (default 5 s); with a
     *                 persona, a quarter of it (at most 2 s) is the callee's pause before each of its lines
     * @param personas whether answered callees talk with the agent as scripted personas (default on; off in load tests)
     */
    public record SimulatedSettings(Duration ringTime, Duration talkTime, boolean personas) {
        public SimulatedSettings {
            requireNonNegative("simulated.ring_time", ringTime);
            requireNonNegative("simulated.talk_time", talkTime);
        }

        /** Callees without personas: an answered call lasts talk_time and nobody talks (load tests). */
        public SimulatedSettings(Duration ringTime, Duration talkTime) {
            this(ringTime, talkTime, false);
        }

        /** Ring 2 s, talk 5 s, with personas: an agent on a simulated call holds a scripted conversation. */
        public static SimulatedSettings defaults() {
            return new SimulatedSettings(Duration.ofSeconds(2), Duration.ofSeconds(5), true);
        }
    }

    static void requirePositive(String name, Duration d) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be a positive duration, got " + d);
        }
    }

    static void requireNonNegative(String name, Duration d) {
        if (d == null || d.isNegative()) {
            throw new IllegalArgumentException(name + " must be zero or positive, got " + d);
        }
    }
}
