package dev.outdial.campaign;

import dev.outdial.store.Database;
import dev.outdial.store.Ids;
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
    private static final String COLUMNS = "id, name, phone_number, provider, max_concurrent, max_cps, created_at, updated_at";

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
                    insert into line (id, org_id, name, phone_number, provider, max_concurrent, max_cps, created_at, updated_at)
                    values (?, ?, ?, ?, ?, ?, ?, ?, ?)""")) {
                ps.setString(1, id);
                ps.setString(2, orgId);
                bind(ps, 3, spec);
                ps.setTimestamp(8, Timestamp.from(now));
                ps.setTimestamp(9, Timestamp.from(now));
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

    public Line update(String orgId, String id, Line.Spec spec) {
        int n = db.tx(c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    update line set name = ?, phone_number = ?, provider = ?, max_concurrent = ?, max_cps = ?, updated_at = ?
                    where org_id = ? and id = ? and deleted_at is null""")) {
                bind(ps, 1, spec);
                ps.setTimestamp(6, Timestamp.from(clock.instant()));
                ps.setString(7, orgId);
                ps.setString(8, id);
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
                    // Two counts, each on its partial index (call_due, call_active), instead of a scan of the line's history.
                    "select (select count(*) from call where line_id = ? and org_id = ? and phase = 0)"
                    + " + (select count(*) from call where line_id = ? and org_id = ? and phase = 1)")) {
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
    }

    private static Line read(ResultSet rs) throws SQLException {
        return new Line(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getInt(5), rs.getDouble(6),
                rs.getTimestamp(7).toInstant(), rs.getTimestamp(8).toInstant());
    }
}
