package dev.outdial.api;

import dev.outdial.store.Database;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

/**
 * {@code Idempotency-Key} on POST: the first response is stored and returned again for the same key
 * for 24 hours (Stripe's rules). A key reused with a different request is a 422; a key whose first
 * request is still running is a 409. Error answers are not stored: the client may fix and retry.
 */
final class Idempotency {
    static final String HEADER = "Idempotency-Key";
    /** A first request older than this with no stored answer is taken as abandoned (its node died). */
    private static final Duration IN_FLIGHT_LIMIT = Duration.ofMinutes(5);
    private static final int MAX_KEY_LENGTH = 255;
    /** How long a stored response is replayed (the housekeeper deletes older rows). */
    static final Duration TTL = Duration.ofHours(24);

    private final Database db;
    private final Clock clock;

    Idempotency(Database db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    /** Wraps a POST handler with the idempotency rules. */
    Handler wrap(Handler handler) {
        return ctx -> {
            String key = ctx.header(HEADER);
            if (key == null) {
                handler.handle(ctx);
                return;
            }
            if (key.isBlank() || key.length() > MAX_KEY_LENGTH) {
                throw ApiException.badRequest(HEADER + " must be 1.." + MAX_KEY_LENGTH + " characters", List.of());
            }
            String org = Auth.org(ctx);
            byte[] hash = requestHash(ctx);
            if (replayed(ctx, org, key, hash)) return;
            boolean ok = false;
            try {
                handler.handle(ctx);
                ok = ctx.statusCode() < 500;
            } finally {
                if (ok) store(ctx, org, key);
                else forget(org, key);
            }
        };
    }

    /** Claims the key, or answers from a stored response; true if the request was answered here. */
    private boolean replayed(Context ctx, String org, String key, byte[] hash) {
        Instant now = clock.instant();
        return db.tx(c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    insert into idempotency (org_id, key, request_hash, created_at) values (?, ?, ?, ?)
                    on conflict (org_id, key) do nothing""")) {
                ps.setString(1, org);
                ps.setString(2, key);
                ps.setBytes(3, hash);
                ps.setTimestamp(4, Timestamp.from(now));
                if (ps.executeUpdate() == 1) return false; // first use of the key: run the request
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "select request_hash, status, content_type, body, created_at from idempotency where org_id = ? and key = ? for update")) {
                ps.setString(1, org);
                ps.setString(2, key);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    Instant created = rs.getTimestamp(5).toInstant();
                    boolean expired = created.isBefore(now.minus(TTL));
                    if (!Arrays.equals(rs.getBytes(1), hash) && !expired) {
                        throw new ApiException(422, "idempotency-key-reused", "Idempotency key reused",
                                "This Idempotency-Key was used with a different request; use a new key", List.of());
                    }
                    Integer status = (Integer) rs.getObject(2);
                    if (status != null && !expired) {
                        ctx.status(status).header("Idempotent-Replayed", "true");
                        if (rs.getString(3) != null) ctx.contentType(rs.getString(3));
                        ctx.result(rs.getBytes(4));
                        return true;
                    }
                    if (status == null && !expired && created.isAfter(now.minus(IN_FLIGHT_LIMIT))) {
                        throw new ApiException(409, "idempotency-key-in-use", "Request in progress",
                                "A request with this Idempotency-Key is still being processed; retry later", List.of());
                    }
                }
            }
            // Expired or abandoned: start afresh under the same key.
            try (PreparedStatement ps = c.prepareStatement("""
                    update idempotency set request_hash = ?, status = null, content_type = null, body = null, created_at = ?
                    where org_id = ? and key = ?""")) {
                ps.setBytes(1, hash);
                ps.setTimestamp(2, Timestamp.from(now));
                ps.setString(3, org);
                ps.setString(4, key);
                ps.executeUpdate();
            }
            return false;
        });
    }

    private void store(Context ctx, String org, String key) {
        byte[] body = ctx.result() == null ? new byte[0] : ctx.result().getBytes(StandardCharsets.UTF_8);
        db.tx(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "update idempotency set status = ?, content_type = ?, body = ? where org_id = ? and key = ?")) {
                ps.setInt(1, ctx.statusCode());
                ps.setString(2, ctx.res().getContentType());
                ps.setBytes(3, body);
                ps.setString(4, org);
                ps.setString(5, key);
                return ps.executeUpdate();
            }
        });
    }

    private void forget(String org, String key) {
        db.tx(c -> {
            try (PreparedStatement ps = c.prepareStatement("delete from idempotency where org_id = ? and key = ? and status is null")) {
                ps.setString(1, org);
                ps.setString(2, key);
                return ps.executeUpdate();
            }
        });
    }

    private static byte[] requestHash(Context ctx) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update((ctx.method() + " " + ctx.path() + "\n").getBytes(StandardCharsets.UTF_8));
            md.update(ctx.bodyAsBytes());
            return md.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
