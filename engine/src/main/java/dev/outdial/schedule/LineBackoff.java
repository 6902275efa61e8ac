package dev.outdial.schedule;

import dev.outdial.store.Database;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds a line back when its trunk is in trouble (it refused with 403 or 503, or did not answer at
 * all): redialing at full speed would only burn the remaining calls' attempts. Each trouble in a
 * row doubles the pause, from {@link #FIRST} up to {@link #LONGEST}; any call that reaches the
 * callee (ringing or answered) resets it. The pause is written as the line's {@code next_dial_at},
 * so every node's dispatcher honours it (invariant 4 keeps holding: slots only move later).
 */
final class LineBackoff {
    private static final Logger log = LoggerFactory.getLogger(LineBackoff.class);
    /** The pause after a first trouble. */
    static final Duration FIRST = Duration.ofSeconds(5);
    /** The longest pause, however long the trouble lasts. */
    static final Duration LONGEST = Duration.ofMinutes(2);

    private final Database db;
    private final Clock clock;
    private final Executor writer;
    private final Map<String, Integer> troubles = new ConcurrentHashMap<>();

    LineBackoff(Database db, Clock clock, Executor writer) {
        this.db = db;
        this.clock = clock;
        this.writer = writer;
    }

    /** The trunk of {@code lineId} is in trouble: pause the line (the write happens off the caller's thread). */
    void trouble(String lineId, Integer sipCode) {
        int n = troubles.merge(lineId, 1, Integer::sum);
        Duration pause = pause(n);
        Instant until = clock.instant().plus(pause);
        log.warn("line {}: trunk trouble (SIP {}), {} in a row: no new dials for {} s; check the trunk's settings and status",
                lineId, sipCode, n, pause.toSeconds());
        writer.execute(() -> {
            try {
                db.tx(c -> {
                    try (PreparedStatement ps = c.prepareStatement("update line set next_dial_at = greatest(next_dial_at, ?) where id = ?")) {
                        ps.setTimestamp(1, Timestamp.from(until));
                        ps.setString(2, lineId);
                        return ps.executeUpdate();
                    }
                });
            } catch (RuntimeException e) {
                log.error("line {}: could not record the back-off; the line keeps dialing", lineId, e);
            }
        });
    }

    /** A call on {@code lineId} reached the callee: the trunk works. */
    void reached(String lineId) {
        troubles.remove(lineId);
    }

    static Duration pause(int troublesInARow) {
        long seconds = FIRST.toSeconds() << Math.min(troublesInARow - 1, 10);
        return seconds >= LONGEST.toSeconds() ? LONGEST : Duration.ofSeconds(seconds);
    }
}
