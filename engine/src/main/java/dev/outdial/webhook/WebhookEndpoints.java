package dev.outdial.webhook;

import dev.outdial.campaign.FieldError;
import dev.outdial.campaign.InvalidInputException;
import dev.outdial.campaign.NotFoundException;
import dev.outdial.campaign.Page;
import dev.outdial.store.Database;
import dev.outdial.store.Ids;
import dev.outdial.store.SqlArrays;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * An organization's webhook endpoints: create (the secret is answered once), read, list, update,
 * delete, rotate the secret (the old one keeps signing for a grace period), and their deliveries.
 * Secrets are never answered again and never logged.
 */
public final class WebhookEndpoints {
    /** How long a rotated-out secret still signs, unless the request says otherwise. */
    public static final Duration DEFAULT_GRACE = Duration.ofHours(24);
    private static final String COLUMNS = "id, url, description, event_types, enabled, disabled_reason, created_at, updated_at";

    private final Database db;
    private final Clock clock;
    private final Set<String> allowedHosts;

    public WebhookEndpoints(Database db, Clock clock, Set<String> allowedHosts) {
        this.db = db;
        this.clock = clock;
        this.allowedHosts = allowedHosts;
    }

    /** An endpoint as answered; {@code secret} only on create and rotate. */
    public record Endpoint(String id, String url, String description, List<String> eventTypes, boolean enabled,
                           String disabledReason, Instant createdAt, Instant updatedAt, String secret) {
        Endpoint withSecret(String s) {
            return new Endpoint(id, url, description, eventTypes, enabled, disabledReason, createdAt, updatedAt, s);
        }
    }

    /** What a client sets; null fields are left as they are on update. */
    public record Spec(String url, String description, List<String> eventTypes, Boolean enabled) {
    }

    public Endpoint create(String orgId, Spec spec) {
        List<FieldError> errors = new ArrayList<>();
        if (spec.url() == null) errors.add(FieldError.of("/url", "is required"));
        check(spec, errors);
        if (!errors.isEmpty()) throw new InvalidInputException("The endpoint is invalid", errors);
        String id = Ids.next("whe");
        String secret = Signer.newSecret();
        Instant now = clock.instant();
        db.tx(c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    insert into webhook_endpoint (id, org_id, url, description, event_types, enabled, secret, created_at, updated_at)
                    values (?, ?, ?, ?, ?, ?, ?, ?, ?)""")) {
                ps.setString(1, id);
                ps.setString(2, orgId);
                ps.setString(3, spec.url());
                ps.setString(4, spec.description());
                ps.setArray(5, SqlArrays.text(c, spec.eventTypes() == null ? List.of() : spec.eventTypes()));
                ps.setBoolean(6, spec.enabled() == null || spec.enabled());
                ps.setString(7, secret);
                ps.setTimestamp(8, Timestamp.from(now));
                ps.setTimestamp(9, Timestamp.from(now));
                ps.executeUpdate();
            }
            return null;
        });
        return get(orgId, id).withSecret(secret);
    }

    public Endpoint get(String orgId, String id) {
        return db.read(c -> find(c, orgId, id)).orElseThrow(() -> new NotFoundException("webhook endpoint", id));
    }

    public Page<Endpoint> list(String orgId, String cursor, int limit) {
        return db.read(c -> {
            List<Endpoint> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("select " + COLUMNS + """
                     from webhook_endpoint where org_id = ? and deleted_at is null
                      and (?::text is null or (created_at, id) > (select created_at, id from webhook_endpoint where id = ? and org_id = ?))
                    order by created_at, id limit ?""")) {
                ps.setString(1, orgId);
                ps.setString(2, cursor);
                ps.setString(3, cursor);
                ps.setString(4, orgId);
                ps.setInt(5, limit + 1);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) out.add(read(rs));
                }
            }
            return Page.of(out, limit, Endpoint::id);
        });
    }

    public Endpoint update(String orgId, String id, Spec spec) {
        List<FieldError> errors = new ArrayList<>();
        check(spec, errors);
        if (!errors.isEmpty()) throw new InvalidInputException("The endpoint is invalid", errors);
        int n = db.tx(c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    update webhook_endpoint set url = coalesce(?, url), description = coalesce(?, description),
                           event_types = coalesce(?, event_types), enabled = coalesce(?, enabled),
                           disabled_reason = case when ? then null else disabled_reason end,
                           failing_since = case when ? then null else failing_since end, updated_at = ?
                    where id = ? and org_id = ? and deleted_at is null""")) {
                ps.setString(1, spec.url());
                ps.setString(2, spec.description());
                ps.setArray(3, spec.eventTypes() == null ? null : SqlArrays.text(c, spec.eventTypes()));
                ps.setObject(4, spec.enabled());
                boolean reenabled = Boolean.TRUE.equals(spec.enabled());
                ps.setBoolean(5, reenabled);
                ps.setBoolean(6, reenabled);
                ps.setTimestamp(7, Timestamp.from(clock.instant()));
                ps.setString(8, id);
                ps.setString(9, orgId);
                return ps.executeUpdate();
            }
        });
        if (n == 0) throw new NotFoundException("webhook endpoint", id);
        return get(orgId, id);
    }

    /** Deletes the endpoint; its pending deliveries are dropped, its history kept. */
    public void delete(String orgId, String id) {
        Instant now = clock.instant();
        int n = db.tx(c -> {
            int deleted;
            try (PreparedStatement ps = c.prepareStatement(
                    "update webhook_endpoint set deleted_at = ?, enabled = false, updated_at = ? where id = ? and org_id = ? and deleted_at is null")) {
                ps.setTimestamp(1, Timestamp.from(now));
                ps.setTimestamp(2, Timestamp.from(now));
                ps.setString(3, id);
                ps.setString(4, orgId);
                deleted = ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "update webhook_delivery set status = 'aborted', last_error = 'endpoint deleted', updated_at = ? where endpoint_id = ? and status = 'pending'")) {
                ps.setTimestamp(1, Timestamp.from(now));
                ps.setString(2, id);
                ps.executeUpdate();
            }
            return deleted;
        });
        if (n == 0) throw new NotFoundException("webhook endpoint", id);
    }

    /** A new secret, answered once; the old one keeps signing (alongside) for {@code grace}. */
    public Endpoint rotateSecret(String orgId, String id, Duration grace) {
        if (grace.isNegative() || grace.compareTo(Duration.ofDays(7)) > 0) {
            throw InvalidInputException.of("/grace_seconds", "must be from 0 to 604800 (7 days)");
        }
        String secret = Signer.newSecret();
        Instant now = clock.instant();
        int n = db.tx(c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    update webhook_endpoint set previous_secret = secret, previous_secret_until = ?, secret = ?, updated_at = ?
                    where id = ? and org_id = ? and deleted_at is null""")) {
                ps.setTimestamp(1, Timestamp.from(now.plus(grace)));
                ps.setString(2, secret);
                ps.setTimestamp(3, Timestamp.from(now));
                ps.setString(4, id);
                ps.setString(5, orgId);
                return ps.executeUpdate();
            }
        });
        if (n == 0) throw new NotFoundException("webhook endpoint", id);
        return get(orgId, id).withSecret(secret);
    }

    /** An agent's hook, HappyRobot's shape: a URL and headers added to every request. */
    public record Hook(String url, List<Header> headers) {
    }

    public record Header(String key, String value) {
    }

    /** Checks hooks before anything is saved; errors at {@code /hooks/i/...}. */
    public List<FieldError> checkHooks(List<Hook> hooks) {
        List<FieldError> errors = new ArrayList<>();
        for (int i = 0; i < hooks.size(); i++) {
            Hook h = hooks.get(i);
            String why = h.url() == null ? "is required" : UrlSafety.problemWithUrl(h.url(), allowedHosts);
            if (why != null) errors.add(FieldError.of("/hooks/" + i + "/url", why));
            for (int j = 0; j < h.headers().size(); j++) {
                Header hd = h.headers().get(j);
                if (hd.key() == null || !hd.key().matches("[A-Za-z0-9-]{1,100}") || RESERVED.contains(hd.key().toLowerCase(java.util.Locale.ROOT))) {
                    errors.add(FieldError.of("/hooks/" + i + "/headers/" + j + "/key", "must be a header name other than "
                            + RESERVED + ": " + hd.key()));
                }
                if (hd.value() == null || hd.value().length() > 4096 || hd.value().chars().anyMatch(ch -> ch < 0x20 || ch > 0x7E)) {
                    errors.add(FieldError.of("/hooks/" + i + "/headers/" + j + "/value",
                            "must be printable ASCII of at most 4,096 characters"));
                }
            }
        }
        return errors;
    }

    /** Headers Outdial sets itself; a hook may not replace them. */
    static final Set<String> RESERVED = Set.of("content-type", "content-length", "host", "user-agent", "webhook-id",
            "webhook-timestamp", "webhook-signature", "connection", "expect", "upgrade", "te", "trailer", "transfer-encoding",
            "keep-alive", "proxy-connection");

    /** Replaces an agent's hooks with {@code hooks}: the old endpoints are deleted (their pending deliveries aborted). */
    public void replaceAgentHooks(String orgId, String agentId, List<Hook> hooks) {
        Instant now = clock.instant();
        db.tx(c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    update webhook_delivery set status = 'aborted', last_error = 'hook replaced', updated_at = ?
                    where status = 'pending' and endpoint_id in
                      (select id from webhook_endpoint where agent_id = ? and org_id = ? and deleted_at is null)""")) {
                ps.setTimestamp(1, Timestamp.from(now));
                ps.setString(2, agentId);
                ps.setString(3, orgId);
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "update webhook_endpoint set deleted_at = ?, enabled = false where agent_id = ? and org_id = ? and deleted_at is null")) {
                ps.setTimestamp(1, Timestamp.from(now));
                ps.setString(2, agentId);
                ps.setString(3, orgId);
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("""
                    insert into webhook_endpoint (id, org_id, agent_id, url, description, headers, secret, created_at, updated_at)
                    values (?, ?, ?, ?, ?, ?::jsonb, ?, ?, ?)""")) {
                for (Hook h : hooks) {
                    ps.setString(1, Ids.next("whe"));
                    ps.setString(2, orgId);
                    ps.setString(3, agentId);
                    ps.setString(4, h.url());
                    ps.setString(5, "hook of agent " + agentId);
                    ps.setString(6, dev.outdial.store.Json.write(h.headers()));
                    ps.setString(7, Signer.newSecret());
                    ps.setTimestamp(8, Timestamp.from(now));
                    ps.setTimestamp(9, Timestamp.from(now));
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            return null;
        });
    }

    /** An agent's hooks, oldest first. */
    public List<Hook> agentHooks(String orgId, String agentId) {
        return db.read(c -> {
            List<Hook> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("""
                    select url, headers::text from webhook_endpoint
                    where agent_id = ? and org_id = ? and deleted_at is null order by created_at, id""")) {
                ps.setString(1, agentId);
                ps.setString(2, orgId);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        List<Header> headers = new ArrayList<>();
                        for (var m : dev.outdial.store.Json.MAPPER.readTree(rs.getString(2))) {
                            headers.add(new Header(m.path("key").asText(), m.path("value").asText()));
                        }
                        out.add(new Hook(rs.getString(1), headers));
                    }
                } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                    throw new IllegalStateException("webhook_endpoint.headers is not JSON", e);
                }
            }
            return out;
        });
    }

    private void check(Spec spec, List<FieldError> errors) {
        if (spec.url() != null) {
            String why = UrlSafety.problemWithUrl(spec.url(), allowedHosts);
            if (why != null) errors.add(FieldError.of("/url", why));
        }
        if (spec.description() != null && spec.description().length() > 500) {
            errors.add(FieldError.of("/description", "must be at most 500 characters"));
        }
        if (spec.eventTypes() != null) {
            for (int i = 0; i < spec.eventTypes().size(); i++) {
                String t = spec.eventTypes().get(i);
                if (t == null || !t.matches("[a-z_]+\\.[a-z_]+")) {
                    errors.add(FieldError.of("/event_types/" + i, "not an event type such as call.finished: " + t));
                }
            }
        }
    }

    static java.util.Optional<Endpoint> find(Connection c, String orgId, String id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("select " + COLUMNS
                + " from webhook_endpoint where id = ? and org_id = ? and deleted_at is null")) {
            ps.setString(1, id);
            ps.setString(2, orgId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? java.util.Optional.of(read(rs)) : java.util.Optional.empty();
            }
        }
    }

    private static Endpoint read(ResultSet rs) throws SQLException {
        return new Endpoint(rs.getString(1), rs.getString(2), rs.getString(3), List.of((String[]) rs.getArray(4).getArray()),
                rs.getBoolean(5), rs.getString(6), rs.getTimestamp(7).toInstant(), rs.getTimestamp(8).toInstant(), null);
    }
}
