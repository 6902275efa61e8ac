package dev.outdial.webhook;

import dev.outdial.config.WebhookSettings;
import dev.outdial.store.Database;
import dev.outdial.store.Outbox;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The webhook front door: on every node, delivers the outbox's events to the endpoints that
 * subscribed to them, at least once, signed (Standard Webhooks), retried on Svix's schedule.
 *
 * <p>Deliveries are rows, made by a trigger in the same transaction as their event (V11). A node
 * claims due ones per endpoint with {@code FOR UPDATE SKIP LOCKED} under a lease, fenced by the
 * attempt number, so two nodes never send the same attempt and a node that dies after claiming
 * only delays the send: the lease expires and any node sends it (at least once; the receiver drops
 * repeats by {@code webhook-id}, which is the event id and the same on every attempt).
 *
 * <p>Each endpoint gets at most {@code perEndpointConcurrency} sends in flight per node, each on a
 * virtual thread, so a slow or hanging receiver holds only its own slots. A 2xx within the request
 * timeout is success; anything else, a timeout or a refused connection is retried after the next
 * wait of the schedule, and the last failure ends the delivery {@code failed}. A receiver answering
 * {@code webhook-delivery: abort-message} stops the retries of that message. Redirects are not
 * followed. An endpoint failing without a success for {@code disableAfter} is disabled, with an
 * operational event.
 */
public final class WebhookDelivery implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(WebhookDelivery.class);

    private final Database db;
    private final Clock clock;
    private final String nodeId;
    private final WebhookSettings settings;
    private final WebhookSender sender;
    private final Map<String, Semaphore> slots = new ConcurrentHashMap<>();
    private volatile boolean running;
    private volatile Thread loop;

    public WebhookDelivery(Database db, Clock clock, String nodeId, WebhookSettings settings) {
        this.db = db;
        this.clock = clock;
        this.nodeId = nodeId;
        this.settings = settings;
        this.sender = new WebhookSender(settings);
    }

    public void start() {
        if (!settings.enabled()) return;
        running = true;
        loop = Thread.ofPlatform().daemon().name("webhooks").start(this::run);
    }

    private void run() {
        while (running) {
            try {
                expireLeases();
                // Go again at once while rounds start sends; when none could start (no due work, or every
                // endpoint's slots busy), wait for a send to end or for the poll interval.
                if (round(false) == 0) LockSupport.parkNanos(settings.pollInterval().toNanos());
                if (Thread.interrupted()) return;
            } catch (Throwable t) { // the loop must never die
                log.error("webhooks: delivery round failed; retrying", t);
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** One round, waiting for every send it started: tests drive delivery with this on a controlled clock. */
    public int deliverDue() {
        return round(true);
    }

    /** One round without waiting for the sends, as the loop runs it; package-private for the slow-receiver test. */
    int startDue() {
        return round(false);
    }

    /** Deliveries whose node died (lease expired) go back to pending, due now: they are sent again, never lost. */
    public int expireLeases() {
        Instant now = clock.instant();
        return db.tx(c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    update webhook_delivery set status = 'pending', lease_owner = null, lease_expires_at = null,
                           next_attempt_at = ?, last_error = 'lease expired: the sending node stopped', updated_at = ?
                    where status = 'delivering' and lease_expires_at < ?""")) {
                ps.setTimestamp(1, Timestamp.from(now));
                ps.setTimestamp(2, Timestamp.from(now));
                ps.setTimestamp(3, Timestamp.from(now));
                return ps.executeUpdate();
            }
        });
    }

    private int round(boolean wait) {
        Instant now = clock.instant();
        List<Thread> sends = new ArrayList<>();
        for (String endpointId : endpointsWithDueWork(now)) {
            Semaphore free = slots.computeIfAbsent(endpointId, k -> new Semaphore(settings.perEndpointConcurrency()));
            int room = free.availablePermits();
            if (room == 0) continue; // this endpoint is slow: its slots are busy, the others go on
            List<Claimed> claimed = claim(endpointId, room, now);
            for (Claimed d : claimed) {
                if (!free.tryAcquire()) break; // cannot happen: this thread alone takes permits
                sends.add(Thread.ofVirtual().name("webhook-" + d.id()).start(() -> {
                    try {
                        send(d);
                    } catch (Throwable t) {
                        log.error("webhook delivery {}: unexpected error; its lease will expire and it will be sent again", d.id(), t);
                    } finally {
                        free.release();
                        Thread l = loop;
                        if (l != null) LockSupport.unpark(l); // a slot is free: the loop may claim again
                    }
                }));
            }
        }
        if (wait) {
            for (Thread t : sends) {
                try {
                    t.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        return sends.size();
    }

    private List<String> endpointsWithDueWork(Instant now) {
        return db.read(c -> {
            List<String> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("""
                    select e.id from webhook_endpoint e where e.enabled and e.deleted_at is null and exists
                      (select 1 from webhook_delivery d where d.endpoint_id = e.id and d.status = 'pending' and d.next_attempt_at <= ?)""")) {
                ps.setTimestamp(1, Timestamp.from(now));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) out.add(rs.getString(1));
                }
            }
            return out;
        });
    }

    /** A claimed delivery with all it takes to send it. */
    record Claimed(String id, int attempt, String eventId, String orgId, String endpointId, String url, List<String> secrets,
                   String type, Instant eventAt, String payload, Instant failingSince, String headersJson) {
    }

    /** Claims up to {@code max} due deliveries of one endpoint under this node's lease. Package-private for crash tests. */
    List<Claimed> claim(String endpointId, int max, Instant now) {
        return db.tx(c -> {
            List<Claimed> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("""
                    with due as (
                        select id from webhook_delivery
                        where endpoint_id = ? and status = 'pending' and next_attempt_at <= ?
                        order by next_attempt_at limit ? for update skip locked)
                    update webhook_delivery d set status = 'delivering', attempts = d.attempts + 1, lease_owner = ?,
                           lease_expires_at = ?, updated_at = ?
                    from due, webhook_endpoint e, outbox o
                    where d.id = due.id and e.id = d.endpoint_id and o.seq = d.event_seq
                    returning d.id, d.attempts, d.event_id, d.org_id, e.id, e.url, e.secret, e.previous_secret,
                              e.previous_secret_until, o.type, o.created_at, o.payload::text, e.failing_since, e.headers::text""")) {
                ps.setString(1, endpointId);
                ps.setTimestamp(2, Timestamp.from(now));
                ps.setInt(3, max);
                ps.setString(4, nodeId);
                ps.setTimestamp(5, Timestamp.from(now.plus(settings.lease())));
                ps.setTimestamp(6, Timestamp.from(now));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        List<String> secrets = new ArrayList<>(List.of(rs.getString(7)));
                        Timestamp until = rs.getTimestamp(9);
                        if (rs.getString(8) != null && until != null && until.toInstant().isAfter(now)) secrets.add(rs.getString(8));
                        Timestamp failing = rs.getTimestamp(13);
                        out.add(new Claimed(rs.getString(1), rs.getInt(2), rs.getString(3), rs.getString(4), rs.getString(5),
                                rs.getString(6), secrets, rs.getString(10), rs.getTimestamp(11).toInstant(), rs.getString(12),
                                failing == null ? null : failing.toInstant(), rs.getString(14)));
                    }
                }
            }
            return out;
        });
    }

    void send(Claimed d) {
        Instant started = clock.instant();
        long t0 = System.nanoTime();
        WebhookSender.Result result = sender.post(d, started);
        int ms = (int) ((System.nanoTime() - t0) / 1_000_000);
        record(d, started, ms, result);
    }

    private void record(Claimed d, Instant started, int ms, WebhookSender.Result r) {
        Instant now = clock.instant();
        String status;
        Instant next = null;
        if (r.ok()) {
            status = "succeeded";
        } else if (r.abort()) {
            status = "aborted";
        } else if (d.attempt() <= settings.retrySchedule().size()) {
            status = "pending";
            next = now.plus(settings.retrySchedule().get(d.attempt() - 1));
        } else {
            status = "failed";
        }
        Instant nextAt = next;
        db.tx(c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    insert into webhook_attempt (delivery_id, attempt, node_id, started_at, duration_ms, status_code, error, response_body)
                    values (?, ?, ?, ?, ?, ?, ?, ?) on conflict do nothing""")) {
                ps.setString(1, d.id());
                ps.setInt(2, d.attempt());
                ps.setString(3, nodeId);
                ps.setTimestamp(4, Timestamp.from(started));
                ps.setInt(5, ms);
                ps.setObject(6, r.statusCode());
                ps.setString(7, r.error());
                ps.setString(8, r.body());
                ps.executeUpdate();
            }
            int n;
            try (PreparedStatement ps = c.prepareStatement("""
                    update webhook_delivery set status = ?, next_attempt_at = coalesce(?, next_attempt_at), lease_owner = null,
                           lease_expires_at = null, last_status_code = ?, last_error = ?, updated_at = ?
                    where id = ? and attempts = ? and lease_owner = ? and status = 'delivering'""")) {
                ps.setString(1, status);
                ps.setTimestamp(2, nextAt == null ? null : Timestamp.from(nextAt));
                ps.setObject(3, r.statusCode());
                ps.setString(4, r.error());
                ps.setTimestamp(5, Timestamp.from(now));
                ps.setString(6, d.id());
                ps.setInt(7, d.attempt());
                ps.setString(8, nodeId);
                n = ps.executeUpdate();
            }
            if (n == 0) log.debug("webhook delivery {}: attempt {} no longer ours (lease expired); result kept in history", d.id(), d.attempt());
            endpointHealth(c, d, r.ok(), now);
            return null;
        });
        if (!r.ok()) {
            log.debug("webhook delivery {} to endpoint {}: attempt {} failed ({}); now {}", d.id(), d.endpointId(), d.attempt(),
                    r.statusCode() != null ? "HTTP " + r.statusCode() : r.error(), status);
        }
    }

    /** A success ends an endpoint's failing streak; a streak longer than disableAfter disables it, announced. */
    private void endpointHealth(java.sql.Connection c, Claimed d, boolean ok, Instant now) throws java.sql.SQLException {
        if (ok) { // always: another send of this endpoint may have started a failing streak since this one was claimed
            try (PreparedStatement ps = c.prepareStatement(
                    "update webhook_endpoint set failing_since = null where id = ? and failing_since is not null")) {
                ps.setString(1, d.endpointId());
                ps.executeUpdate();
            }
            return;
        }
        try (PreparedStatement ps = c.prepareStatement("""
                update webhook_endpoint set failing_since = coalesce(failing_since, ?),
                       enabled = case when coalesce(failing_since, ?) <= ? then false else enabled end,
                       disabled_reason = case when coalesce(failing_since, ?) <= ? then 'failing since ' || coalesce(failing_since, ?)::text
                                         else disabled_reason end, updated_at = ?
                where id = ? and enabled
                returning enabled""")) {
            Timestamp ts = Timestamp.from(now);
            Timestamp limit = Timestamp.from(now.minus(settings.disableAfter()));
            ps.setTimestamp(1, ts);
            ps.setTimestamp(2, ts);
            ps.setTimestamp(3, limit);
            ps.setTimestamp(4, ts);
            ps.setTimestamp(5, limit);
            ps.setTimestamp(6, ts);
            ps.setTimestamp(7, ts);
            ps.setString(8, d.endpointId());
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next() && !rs.getBoolean(1)) {
                    log.warn("webhook endpoint {}: disabled after failing for {}; fix the receiver and re-enable it with PATCH enabled=true",
                            d.endpointId(), settings.disableAfter());
                    Outbox.write(c, now, new Outbox.Event(d.orgId(), "webhook_endpoint.disabled", d.endpointId(), Map.of(
                            "endpoint_id", d.endpointId(), "reason", "failing for " + settings.disableAfter().toDays() + " days")));
                }
            }
        }
    }

    /** Stops the loop; sends in flight finish (bounded by the request timeout) or their leases expire. */
    @Override
    public void close() {
        running = false;
        Thread t = loop;
        if (t != null) {
            t.interrupt();
            try {
                t.join(TimeUnit.SECONDS.toMillis(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
