package dev.outdial.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;

/**
 * Writes events into the outbox inside the caller's transaction, so an event exists exactly when
 * the change it announces was committed (invariant 5). Delivery reads the table later.
 */
public final class Outbox {
    /**
     * From this many events on, one COPY rather than an INSERT: COPY costs one more round trip and less
     * per row, and the driver splits a batched INSERT into statements of 2^k rows (15 rows: four).
     * {@code bench outbox}: at 7 and 8 events COPY is as fast or faster, at 15 about twice as fast.
     */
    public static final int COPY_FROM = 8;

    private Outbox() {
    }

    /**
     * A SQL expression for a new event id in the shape of {@link Ids#next} ({@code evt_} and 20 base32
     * letters), for set-based inserts; {@code seed} is a column or expression that differs per row.
     */
    public static String eventIdSql(String seed) {
        return "'evt_' || translate(substr(md5(random()::text || " + seed + "), 1, 20), '0189', 'wxyz')";
    }

    /** One event to announce: its type (e.g. {@code call.finished}), the object it is about, and its payload. */
    public record Event(String orgId, String type, String subjectId, Object payload) {
    }

    public static void write(Connection c, Instant at, Event event) throws SQLException {
        write(c, at, List.of(event));
    }

    /**
     * Writes all events: a few with a rewritten multi-row insert, from {@link #COPY_FROM} on with one
     * binary COPY.
     */
    public static void write(Connection c, Instant at, List<Event> events) throws SQLException {
        if (events.isEmpty()) {
            return;
        }
        if (events.size() >= COPY_FROM) {
            copy(c, at, events);
            return;
        }
        try (PreparedStatement ps = c.prepareStatement(
                "insert into outbox (event_id, org_id, type, subject_id, payload, created_at) values (?, ?, ?, ?, ?::json, ?)")) {
            Timestamp ts = Timestamp.from(at);
            for (Event e : events) {
                ps.setString(1, Ids.next("evt"));
                ps.setString(2, e.orgId());
                ps.setString(3, e.type());
                ps.setString(4, e.subjectId());
                ps.setString(5, Json.write(e.payload()));
                ps.setTimestamp(6, ts);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /** Events sent as binary COPY rows: no planning of a long VALUES list, no text to parse but the payloads. */
    private static void copy(Connection c, Instant at, List<Event> events) throws SQLException {
        BinaryCopy out = new BinaryCopy(events.size() * 512).header();
        for (Event e : events) {
            out.row(6).text(Ids.next("evt")).text(e.orgId()).text(e.type()).text(e.subjectId())
                    .field(Json.writeBytes(e.payload())).timestamp(at); // json's binary form is its text
        }
        out.trailer().copyIn(c, "copy outbox (event_id, org_id, type, subject_id, payload, created_at) from stdin with (format binary)");
    }
}
