package dev.outdial.campaign;

import dev.outdial.store.Database;
import dev.outdial.store.Ids;
import dev.outdial.store.Json;
import dev.outdial.telephony.Trunk;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Lines of an organization: create, read, list, update, delete. Every query is scoped by organization. */
public final class Lines {
    private static final String COLUMNS = "id, name, phone_number, provider, max_concurrent, max_cps, sip::text, created_at, updated_at";

    private final Database db;
    private final Clock clock;

    public Lines(Database db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    public Line create(String orgId, Line.Spec spec) {
        String id = Ids.next("lin");
        Instant now = clock.instant();
        db.tx(c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    insert into line (id, org_id, name, phone_number, provider, max_concurrent, max_cps, sip, created_at, updated_at)
                    values (?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?)""")) {
                ps.setString(1, id);
                ps.setString(2, orgId);
                bind(ps, 3, spec);
                ps.setTimestamp(9, Timestamp.from(now));
                ps.setTimestamp(10, Timestamp.from(now));
                return ps.executeUpdate();
            }
        });
        return get(orgId, id);
    }

    public Line get(String orgId, String id) {
        return find(orgId, id).orElseThrow(() -> new NotFoundException("line", id));
    }

    public Optional<Line> find(String orgId, String id) {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "select " + COLUMNS + " from line where org_id = ? and id = ? and deleted_at is null")) {
                ps.setString(1, orgId);
                ps.setString(2, id);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(read(rs)) : Optional.empty();
                }
            }
        });
    }

    public Page<Line> list(String orgId, String cursor, int limit) {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("select " + COLUMNS + """
                     from line where org_id = ? and deleted_at is null
                      and (?::text is null or (created_at, id) > (select created_at, id from line where id = ? and org_id = ?))
                    order by created_at, id limit ?""")) {
                ps.setString(1, orgId);
                ps.setString(2, cursor);
                ps.setString(3, cursor);
                ps.setString(4, orgId);
                ps.setInt(5, limit + 1);
                List<Line> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) out.add(read(rs));
                }
                return Page.of(out, limit, Line::id);
            }
        });
    }

    /** Every line of the organization (organizations have few), oldest first. */
    public List<Line> all(String orgId) {
        List<Line> out = new java.util.ArrayList<>();
        String cursor = null;
        do {
            Page<Line> page = list(orgId, cursor, 1000);
            out.addAll(page.data());
            cursor = page.nextCursor();
        } while (cursor != null);
        return out;
    }

    /**
     * Replaces the line's settings. A trunk sent without its password keeps the stored one (the API never
     * shows it, so a client cannot send it back), unless the user name changed.
     */
    public Line update(String orgId, String id, Line.Spec spec) {
        int n = db.tx(c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    update line set name = ?, phone_number = ?, provider = ?, max_concurrent = ?, max_cps = ?,
                      sip = case when ?::jsonb->>'password' is not null or ?::jsonb is null
                                      or sip->'username' is distinct from ?::jsonb->'username' then ?::jsonb
                                 else ?::jsonb || jsonb_build_object('password', sip->'password') end,
                      updated_at = ?
                    where org_id = ? and id = ? and deleted_at is null""")) {
                bind(ps, 1, spec);
                String sip = trunkJson(spec.sip());
                for (int i = 7; i <= 10; i++) ps.setString(i, sip);
                ps.setTimestamp(11, Timestamp.from(clock.instant()));
                ps.setString(12, orgId);
                ps.setString(13, id);
                return ps.executeUpdate();
            }
        });
        if (n == 0) throw new NotFoundException("line", id);
        return get(orgId, id);
    }

    /** Deletes a line with no unfinished calls; a line still carrying calls is a conflict, not a stranding. */
    public void delete(String orgId, String id) {
        int n = db.tx(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    // Scheduled calls counted on their partial index (call_due), live ones from the line's tally (V18),
                    // instead of a scan of the line's history.
                    "select (select count(*) from call where line_id = ? and org_id = ? and phase = 0)"
                    + " + coalesce((select v.live_calls from line_live v join line l on l.id = v.line_id"
                    + " where l.id = ? and l.org_id = ?), 0)")) {
                ps.setString(1, id);
                ps.setString(2, orgId);
                ps.setString(3, id);
                ps.setString(4, orgId);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    if (rs.getInt(1) > 0) {
                        throw new ConflictException("line " + id + " still has " + rs.getInt(1)
                                + " unfinished calls; cancel their batches or wait for them to finish");
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "update line set deleted_at = ? where org_id = ? and id = ? and deleted_at is null")) {
                ps.setTimestamp(1, Timestamp.from(clock.instant()));
                ps.setString(2, orgId);
                ps.setString(3, id);
                return ps.executeUpdate();
            }
        });
        if (n == 0) throw new NotFoundException("line", id);
    }

    private static void bind(PreparedStatement ps, int i, Line.Spec s) throws SQLException {
        ps.setString(i, s.name());
        ps.setString(i + 1, s.phoneNumber());
        ps.setString(i + 2, s.provider());
        ps.setInt(i + 3, s.maxConcurrent());
        ps.setDouble(i + 4, s.maxCps());
        ps.setString(i + 5, trunkJson(s.sip()));
    }

    private static String trunkJson(Trunk trunk) {
        return trunk == null ? null : Json.write(trunk);
    }

    /** A stored trunk, password included (for the dispatcher); null when the line has none. */
    public static Trunk trunk(String json) {
        return json == null ? null : Json.read(json, Trunk.class);
    }

    private static Line read(ResultSet rs) throws SQLException {
        Trunk sip = trunk(rs.getString(7));
        return new Line(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getInt(5), rs.getDouble(6),
                sip == null ? null : sip.withoutPassword(), rs.getTimestamp(8).toInstant(), rs.getTimestamp(9).toInstant());
    }
}
