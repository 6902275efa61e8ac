package dev.outdial.campaign;

import dev.outdial.store.Database;
import dev.outdial.store.Ids;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;

/**
 * Tenants and their API keys. A key is shown once, when it is made; only its SHA-256 is stored,
 * so a stolen database does not hand out working keys.
 */
public final class Organizations {
    /** Every key starts with this, so secret scanners and people can recognise one. */
    public static final String KEY_PREFIX = "od_";
    private static final char[] ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Database db;
    private final Clock clock;

    public Organizations(Database db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    /**
     * An organization's settings.
     *
     * @param timezone        the last-resort zone for recipients nothing else places (null: none)
     * @param quietHoursGuard the 08:00–21:00 recipient-local guard on every call (default true; turning it off is explicit)
     * @param dedupAcrossBatches skip a new recipient whose number has an unfinished call in another batch (default false)
     * @param regionalRules   stricter windows for some regions, as JSON (see RegionalRules); "[]" for none
     */
    public record Settings(String id, String name, String timezone, boolean quietHoursGuard, boolean dedupAcrossBatches,
                           @com.fasterxml.jackson.annotation.JsonRawValue String regionalRules) {
        /** The same settings with other values. */
        public Settings with(String name, String timezone, boolean guard, boolean dedup, String rules) {
            return new Settings(id, name, timezone, guard, dedup, rules);
        }
    }

    public Settings settings(String orgId) {
        return db.read(c -> settings(c, orgId));
    }

    /** Reads the settings inside the caller's transaction. */
    public static Settings settings(java.sql.Connection c, String orgId) throws java.sql.SQLException {
        try (PreparedStatement ps = c.prepareStatement("select id, name, timezone, quiet_hours_guard, dedup_across_batches, regional_rules::text from org where id = ?")) {
            ps.setString(1, orgId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) throw new NotFoundException("organization", orgId);
                return new Settings(rs.getString(1), rs.getString(2), rs.getString(3), rs.getBoolean(4), rs.getBoolean(5),
                        rs.getString(6));
            }
        }
    }

    public Settings updateSettings(String orgId, String name, String timezone, boolean quietHoursGuard) {
        return update(settings(orgId).with(name, timezone, quietHoursGuard, settings(orgId).dedupAcrossBatches(),
                settings(orgId).regionalRules()));
    }

    /** Stores every setting of {@code s} (regional rules already validated, as canonical JSON). */
    public Settings update(Settings s) {
        db.tx(c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    update org set name = ?, timezone = ?, quiet_hours_guard = ?, dedup_across_batches = ?, regional_rules = ?::jsonb
                    where id = ?""")) {
                ps.setString(1, s.name());
                ps.setString(2, s.timezone());
                ps.setBoolean(3, s.quietHoursGuard());
                ps.setBoolean(4, s.dedupAcrossBatches());
                ps.setString(5, s.regionalRules());
                ps.setString(6, s.id());
                return ps.executeUpdate();
            }
        });
        return settings(s.id());
    }

    /** A new key, with its secret; the secret cannot be read back later. */
    public record NewKey(String keyId, String orgId, String secret) {
    }

    public String createOrganization(String name) {
        String id = Ids.next("org");
        db.tx(c -> {
            try (PreparedStatement ps = c.prepareStatement("insert into org (id, name, created_at) values (?, ?, ?)")) {
                ps.setString(1, id);
                ps.setString(2, name);
                ps.setTimestamp(3, Timestamp.from(clock.instant()));
                return ps.executeUpdate();
            }
        });
        return id;
    }

    /** Finds an organization by name, the oldest if several share it. */
    public Optional<String> findOrganizationByName(String name) {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("select id from org where name = ? order by created_at limit 1")) {
                ps.setString(1, name);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
                }
            }
        });
    }

    public NewKey createKey(String orgId, String name) {
        StringBuilder secret = new StringBuilder(KEY_PREFIX);
        for (int i = 0; i < 40; i++) {
            secret.append(ALPHABET[RANDOM.nextInt(ALPHABET.length)]);
        }
        String keyId = Ids.next("key");
        Instant now = clock.instant();
        int n = db.tx(c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    insert into api_key (id, org_id, key_hash, key_prefix, name, created_at)
                    select ?, id, ?, ?, ?, ? from org where id = ?""")) {
                ps.setString(1, keyId);
                ps.setBytes(2, hash(secret.toString()));
                ps.setString(3, secret.substring(0, 8));
                ps.setString(4, name == null ? "" : name);
                ps.setTimestamp(5, Timestamp.from(now));
                ps.setString(6, orgId);
                return ps.executeUpdate();
            }
        });
        if (n == 0) throw new NotFoundException("organization", orgId);
        return new NewKey(keyId, orgId, secret.toString());
    }

    /** The organization a presented key belongs to, if the key exists and is not revoked. */
    public Optional<String> authenticate(String presentedKey) {
        if (presentedKey == null || presentedKey.isBlank() || presentedKey.length() > 200) {
            return Optional.empty();
        }
        byte[] h = hash(presentedKey.trim());
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "select org_id from api_key where key_hash = ? and revoked_at is null")) {
                ps.setBytes(1, h);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
                }
            }
        });
    }

    static byte[] hash(String secret) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
