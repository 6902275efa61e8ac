package dev.outdial.campaign;

import dev.outdial.store.Database;
import dev.outdial.store.SqlArrays;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * An organization's do-not-call list. Intake suppresses listed numbers, and the dispatcher checks
 * again right before each dial, so a number added after intake is not dialed (invariant 3).
 */
public final class DoNotCall {
    private final Database db;
    private final Clock clock;

    public DoNotCall(Database db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    /** One listed number. */
    public record Entry(String phoneNumber, String reason, Instant createdAt) {
    }

    /** Adds numbers (already normalized); returns how many were new. Listing a listed number again is harmless. */
    public int add(String orgId, Collection<String> numbers, String reason) {
        Instant now = clock.instant();
        return db.tx(c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    insert into dnc (org_id, phone_number, reason, created_at) select ?, n, ?, ? from unnest(?::text[]) as n
                    on conflict do nothing""")) {
                ps.setString(1, orgId);
                ps.setString(2, reason);
                ps.setTimestamp(3, Timestamp.from(now));
                ps.setArray(4, SqlArrays.text(c, numbers));
                return ps.executeUpdate();
            }
        });
    }

    public void remove(String orgId, String number) {
        int n = db.tx(c -> {
            try (PreparedStatement ps = c.prepareStatement("delete from dnc where org_id = ? and phone_number = ?")) {
                ps.setString(1, orgId);
                ps.setString(2, number);
                return ps.executeUpdate();
            }
        });
        if (n == 0) throw new NotFoundException("do-not-call entry", number);
    }

    public Optional<Entry> find(String orgId, String number) {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "select phone_number, reason, created_at from dnc where org_id = ? and phone_number = ?")) {
                ps.setString(1, orgId);
                ps.setString(2, number);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(new Entry(rs.getString(1), rs.getString(2), rs.getTimestamp(3).toInstant()))
                            : Optional.empty();
                }
            }
        });
    }

    public Page<Entry> list(String orgId, String cursor, int limit) {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    select phone_number, reason, created_at from dnc where org_id = ? and (?::text is null or phone_number > ?)
                    order by phone_number limit ?""")) {
                ps.setString(1, orgId);
                ps.setString(2, cursor);
                ps.setString(3, cursor);
                ps.setInt(4, limit + 1);
                List<Entry> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) out.add(new Entry(rs.getString(1), rs.getString(2), rs.getTimestamp(3).toInstant()));
                }
                return Page.of(out, limit, Entry::phoneNumber);
            }
        });
    }
}
