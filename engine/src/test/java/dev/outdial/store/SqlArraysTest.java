package dev.outdial.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outdial.TestPostgres;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Array parameters arrive in PostgreSQL as the same values the scalar setters would send. */
class SqlArraysTest {
    private static final String[] TEXTS = {"cal_a", "quote \" and \\ backslash", "{braces}, commas", "NULL", null, "ünïcödé ☎", ""};
    private static final Integer[] INTS = {1, -7, null, Integer.MAX_VALUE};
    /**
     * Nanoseconds that round, ties (a half microsecond, even and odd: PostgreSQL alone would round them to even),
     * a tie that carries into the next second, the two instants that read 02:30 in Berlin on the night its clocks
     * go back, and a year past 9999.
     */
    private static final Instant[] INSTANTS = {Instant.parse("2026-03-29T01:59:59.999999Z"), null,
            Instant.parse("2026-12-03T20:27:00.123456789Z"), Instant.parse("2026-12-03T20:27:00.000002500Z"),
            Instant.parse("2026-12-03T20:27:00.000003500Z"), Instant.parse("2026-12-03T20:27:59.999999500Z"),
            Instant.parse("2026-10-25T00:30:00Z"), Instant.parse("2026-10-25T01:30:00Z"),
            Instant.parse("1999-12-31T23:59:59Z"), Instant.parse("+14726-05-12T10:00:00.25Z")};

    @Test
    void text_int_and_timestamp_arrays_unnest_to_what_scalar_parameters_give() {
        // The driver sets the session's time zone to the JVM's: a local zone with a DST change is the hard case.
        java.util.TimeZone jvmZone = java.util.TimeZone.getDefault();
        java.util.TimeZone.setDefault(java.util.TimeZone.getTimeZone("Europe/Berlin"));
        try (Database db = TestPostgres.fresh()) {
            db.read(c -> {
                try (PreparedStatement ps = c.prepareStatement("select u.v is not distinct from ? from unnest(?::text[]) with ordinality u(v, i) where i = ?")) {
                    for (int i = 0; i < TEXTS.length; i++) {
                        ps.setString(1, TEXTS[i]);
                        ps.setArray(2, SqlArrays.text(c, TEXTS));
                        ps.setInt(3, i + 1);
                        assertThat(single(ps)).as("text element %d", i).isTrue();
                    }
                }
                try (PreparedStatement ps = c.prepareStatement("select u.v is not distinct from ?::int from unnest(?::int[]) with ordinality u(v, i) where i = ?")) {
                    for (int i = 0; i < INTS.length; i++) {
                        ps.setObject(1, INTS[i], java.sql.Types.INTEGER);
                        ps.setArray(2, SqlArrays.int4(c, INTS));
                        ps.setInt(3, i + 1);
                        assertThat(single(ps)).as("int element %d", i).isTrue();
                    }
                }
                Timestamp[] stamps = new Timestamp[INSTANTS.length];
                for (int i = 0; i < stamps.length; i++) stamps[i] = INSTANTS[i] == null ? null : Timestamp.from(INSTANTS[i]);
                try (PreparedStatement ps = c.prepareStatement("""
                        select u.v is not distinct from ?::timestamptz, w.v is not distinct from ?::timestamptz
                        from unnest(?::timestamptz[]) with ordinality u(v, i) join unnest(?::timestamptz[]) with ordinality w(v, i) using (i)
                        where i = ?""")) {
                    for (int i = 0; i < INSTANTS.length; i++) {
                        ps.setTimestamp(1, stamps[i]);
                        ps.setTimestamp(2, stamps[i]);
                        ps.setArray(3, SqlArrays.timestamptz(c, INSTANTS));
                        ps.setArray(4, SqlArrays.timestamptz(c, stamps));
                        ps.setInt(5, i + 1);
                        try (ResultSet rs = ps.executeQuery()) {
                            assertThat(rs.next()).isTrue();
                            assertThat(rs.getBoolean(1)).as("instant element %d", i).isTrue();
                            assertThat(rs.getBoolean(2)).as("timestamp element %d", i).isTrue();
                        }
                    }
                }
                return null;
            });
        } finally {
            java.util.TimeZone.setDefault(jvmZone);
        }
    }

    @Test
    void iso_text_has_microseconds_rounded_half_up_and_an_unsigned_year() {
        assertThat(SqlArrays.iso(Instant.parse("2026-12-03T20:27:59.999999500Z"))).isEqualTo("2026-12-03T20:28:00.000000Z");
        assertThat(SqlArrays.iso(Instant.parse("2026-12-03T20:27:00.000002499Z"))).isEqualTo("2026-12-03T20:27:00.000002Z");
        assertThat(SqlArrays.iso(Instant.parse("+14726-05-12T10:00:00Z"))).isEqualTo("14726-05-12T10:00:00.000000Z");
    }

    @Test
    void of_builds_the_array_a_column_type_names_and_refuses_others() {
        try (Database db = TestPostgres.fresh()) {
            List<String> got = db.read(c -> {
                List<String> out = new ArrayList<>();
                try (PreparedStatement ps = c.prepareStatement("""
                        select a, b, c = '2026-12-03T20:27:00.123457Z' from unnest(?::text[], ?::int[], ?::timestamptz[]) as u(a, b, c)""")) {
                    Timestamp at = Timestamp.from(Instant.parse("2026-12-03T20:27:00.123456789Z"));
                    ps.setArray(1, SqlArrays.of(c, "text", new Object[] {"x,y", null}));
                    ps.setArray(2, SqlArrays.of(c, "int4", new Object[] {3, 4}));
                    ps.setArray(3, SqlArrays.of(c, "timestamptz", new Object[] {at, at.toInstant()}));
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) out.add(rs.getString(1) + "|" + rs.getInt(2) + "|" + rs.getBoolean(3));
                    }
                }
                // A binary array is an ordinary one, indexed from 1 like the text form: safe to store or subscript.
                try (PreparedStatement ps = c.prepareStatement("select array_lower(?::text[], 1), array_lower(?::text[], 1)")) {
                    ps.setArray(1, SqlArrays.text(c, new String[] {"a", "b"}));
                    ps.setArray(2, c.createArrayOf("text", new Object[] {"a", "b"}));
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        out.add("lower bounds " + rs.getInt(1) + " " + rs.getInt(2));
                    }
                }
                assertThatThrownBy(() -> SqlArrays.of(c, "jsonb", new Object[] {"{}"}))
                        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("jsonb");
                return out;
            });
            assertThat(got).containsExactly("x,y|3|true", "null|4|true", "lower bounds 1 1");
        }
    }

    private static boolean single(PreparedStatement ps) throws java.sql.SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            assertThat(rs.next()).isTrue();
            return rs.getBoolean(1);
        }
    }
}
