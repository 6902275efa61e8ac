package dev.outdial.webhook;

import dev.outdial.campaign.NotFoundException;
import dev.outdial.campaign.Page;
import dev.outdial.store.Database;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** An endpoint's deliveries as the API shows them, and sending them again: one (resend) or every failed one since a time (replay). */
public final class WebhookDeliveries {
    private final Database db;
    private final Clock clock;
    private final WebhookEndpoints endpoints;

    public WebhookDeliveries(Database db, Clock clock, WebhookEndpoints endpoints) {
        this.db = db;
        this.clock = clock;
        this.endpoints = endpoints;
    }

    /** One delivery as the API shows it, with its attempts. */
    public record Delivery(String id, String eventId, String eventType, String status, int attempts, Instant nextAttemptAt,
                           Integer lastStatusCode, String lastError, Instant createdAt, Instant updatedAt, List<Attempt> history) {
    }

    public record Attempt(int attempt, String nodeId, Instant startedAt, int durationMs, Integer statusCode, String error,
                          String responseBody) {
    }

    /** An endpoint's deliveries, newest first, each with its attempts. */
    public Page<Delivery> list(String orgId, String endpointId, String status, String cursor, int limit) {
        endpoints.get(orgId, endpointId); // 404 for another organization's endpoint
        return db.read(c -> {
            List<Delivery> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("""
                    select d.id, d.event_id, o.type, d.status, d.attempts, d.next_attempt_at, d.last_status_code, d.last_error,
                           d.created_at, d.updated_at
                    from webhook_delivery d join outbox o on o.seq = d.event_seq
                    where d.endpoint_id = ? and d.org_id = ? and (?::text is null or d.status = ?)
                      and (?::text is null or (d.created_at, d.id) < (select created_at, id from webhook_delivery where id = ?))
                    order by d.created_at desc, d.id desc limit ?""")) {
                ps.setString(1, endpointId);
                ps.setString(2, orgId);
                ps.setString(3, status);
                ps.setString(4, status);
                ps.setString(5, cursor);
                ps.setString(6, cursor);
                ps.setInt(7, limit + 1);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new Delivery(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getInt(5),
                                rs.getTimestamp(6).toInstant(), (Integer) rs.getObject(7), rs.getString(8),
                                rs.getTimestamp(9).toInstant(), rs.getTimestamp(10).toInstant(), attempts(c, rs.getString(1))));
                    }
                }
            }
            return Page.of(out, limit, Delivery::id);
        });
    }

    private static List<Attempt> attempts(Connection c, String deliveryId) throws SQLException {
        List<Attempt> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("""
                select attempt, node_id, started_at, duration_ms, status_code, error, response_body
                from webhook_attempt where delivery_id = ? order by attempt""")) {
            ps.setString(1, deliveryId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Attempt(rs.getInt(1), rs.getString(2), rs.getTimestamp(3).toInstant(), rs.getInt(4),
                            (Integer) rs.getObject(5), rs.getString(6), rs.getString(7)));
                }
            }
        }
        return out;
    }

    /** Sends one delivery again, now (one more attempt), whatever its state unless it is being sent. */
    public void resend(String orgId, String deliveryId) {
        int n = db.tx(c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    update webhook_delivery set status = 'pending', next_attempt_at = ?, updated_at = ?
                    where id = ? and org_id = ? and status <> 'delivering'""")) {
                ps.setTimestamp(1, Timestamp.from(clock.instant()));
                ps.setTimestamp(2, Timestamp.from(clock.instant()));
                ps.setString(3, deliveryId);
                ps.setString(4, orgId);
                return ps.executeUpdate();
            }
        });
        if (n == 0) throw new NotFoundException("webhook delivery (not being sent)", deliveryId);
    }

    /** Sends again every failed (or aborted) delivery of the endpoint created since {@code since}; returns how many. */
    public int replay(String orgId, String endpointId, Instant since) {
        endpoints.get(orgId, endpointId);
        return db.tx(c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    update webhook_delivery set status = 'pending', next_attempt_at = ?, updated_at = ?
                    where endpoint_id = ? and org_id = ? and status in ('failed', 'aborted') and created_at >= ?""")) {
                ps.setTimestamp(1, Timestamp.from(clock.instant()));
                ps.setTimestamp(2, Timestamp.from(clock.instant()));
                ps.setString(3, endpointId);
                ps.setString(4, orgId);
                ps.setTimestamp(5, Timestamp.from(since));
                return ps.executeUpdate();
            }
        });
    }
}
