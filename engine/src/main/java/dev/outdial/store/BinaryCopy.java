package dev.outdial.store;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * Rows in PostgreSQL's binary COPY format, buffered (intake's calls, the outbox's events): a header, then per row a field count and
 * each field as a length (-1 for NULL) and its bytes in the type's binary form.
 *
 * <p>Why binary rather than CSV: the server no longer scans the text for quotes and line ends,
 * nor parses integers, timestamps and arrays: in a perf profile of an intake COPY that was about a
 * sixth of the server's samples, and the COPY is what an intake waits for. Only the types
 * written that way are here
 * (see PostgreSQL's {@code *_recv} functions and the COPY documentation, "Binary Format").
 */
public final class BinaryCopy {
    /** "PGCOPY\n\377\r\n\0", then flags and header-extension length, both 0. */
    private static final byte[] HEADER = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xff, '\r', '\n', 0, 0, 0, 0, 0, 0, 0, 0, 0};
    /** PostgreSQL's epoch for timestamps, 2000-01-01T00:00:00Z, in seconds since 1970. */
    private static final long PG_EPOCH_SECONDS = 946_684_800L;
    /** The type of text[] elements. */
    private static final int TEXT_OID = 25;
    /** The only jsonb binary format version. */
    private static final byte JSONB_VERSION = 1;

    private byte[] buf;
    private int size;

    public BinaryCopy(int capacity) {
        buf = new byte[Math.max(capacity, 64)];
    }

    /** The stream's first bytes, once. */
    public BinaryCopy header() {
        bytes(HEADER);
        return this;
    }

    /** The stream's last two bytes: a field count of -1. */
    public BinaryCopy trailer() {
        return int2(-1);
    }

    public BinaryCopy row(int fields) {
        return int2(fields);
    }

    public BinaryCopy nul() {
        return int4(-1);
    }

    public BinaryCopy text(String s) {
        if (s == null) return nul();
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        int4(b.length);
        return bytes(b);
    }

    /** A field already in its binary form (text shared by every row, for instance). */
    public BinaryCopy field(byte[] value) {
        int4(value.length);
        return bytes(value);
    }

    public BinaryCopy integer(int v) {
        int4(4);
        return int4(v);
    }

    /**
     * Microseconds since 2000-01-01 UTC. Nanoseconds are rounded half up, as the server rounds a
     * timestamp's fractional digits when it reads text.
     */
    public BinaryCopy timestamp(Instant t) {
        if (t == null) return nul();
        long micros = Math.multiplyExact(t.getEpochSecond() - PG_EPOCH_SECONDS, 1_000_000L) + (t.getNano() + 500) / 1_000;
        int4(8);
        return int8(micros);
    }

    /** jsonb: a version byte, then the JSON text (which the server still parses, as it stores jsonb decomposed). */
    public BinaryCopy jsonb(String json) {
        return json == null ? nul() : jsonb(json.getBytes(StandardCharsets.UTF_8));
    }

    /** jsonb from JSON text already in UTF-8 (as Jackson writes it, without a String between). */
    public BinaryCopy jsonb(byte[] b) {
        if (b == null) return nul();
        int4(b.length + 1);
        ensure(1);
        buf[size++] = JSONB_VERSION;
        return bytes(b);
    }

    /** A one-dimensional text[] without NULL elements (an empty list is the empty array). */
    public BinaryCopy textArray(List<String> items) {
        byte[][] elements = new byte[items.size()][];
        int length = 12 + (items.isEmpty() ? 0 : 8);
        for (int i = 0; i < elements.length; i++) {
            elements[i] = items.get(i).getBytes(StandardCharsets.UTF_8);
            length += 4 + elements[i].length;
        }
        int4(length);
        int4(items.isEmpty() ? 0 : 1); // dimensions
        int4(0);                       // flags: no NULLs
        int4(TEXT_OID);
        if (!items.isEmpty()) {
            int4(items.size());        // length of the dimension
            int4(1);                   // its lower bound
        }
        for (byte[] e : elements) field(e);
        return this;
    }

    public int size() {
        return size;
    }

    /**
     * Sends the buffered rows (header and trailer included) with {@code copySql}, a
     * {@code copy … from stdin with (format binary)}, on the caller's transaction. Returns the rows copied.
     */
    public long copyIn(Connection c, String copySql) throws SQLException {
        CopyIn copy = c.unwrap(PGConnection.class).getCopyAPI().copyIn(copySql);
        try {
            copy.writeToCopy(buf, 0, size);
            return copy.endCopy();
        } catch (SQLException e) {
            try {
                if (copy.isActive()) copy.cancelCopy(); // so the connection can roll back
            } catch (SQLException cancel) {
                e.addSuppressed(cancel); // the first failure is the one to report
            }
            throw e;
        }
    }

    public byte[] array() {
        return buf;
    }

    public void clear() {
        size = 0;
    }

    private BinaryCopy bytes(byte[] b) {
        ensure(b.length);
        System.arraycopy(b, 0, buf, size, b.length);
        size += b.length;
        return this;
    }

    private BinaryCopy int2(int v) {
        ensure(2);
        buf[size++] = (byte) (v >>> 8);
        buf[size++] = (byte) v;
        return this;
    }

    private BinaryCopy int4(int v) {
        ensure(4);
        buf[size++] = (byte) (v >>> 24);
        buf[size++] = (byte) (v >>> 16);
        buf[size++] = (byte) (v >>> 8);
        buf[size++] = (byte) v;
        return this;
    }

    private BinaryCopy int8(long v) {
        int4((int) (v >>> 32));
        return int4((int) v);
    }

    private void ensure(int more) {
        if (size + more > buf.length) buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + more));
    }
}
