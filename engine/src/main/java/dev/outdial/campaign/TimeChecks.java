package dev.outdial.campaign;

import java.time.Instant;
import java.util.List;

/** Sanity rules for scheduled times, deadlines and priorities, shared by batch and recipient checks. */
final class TimeChecks {
    /** Priorities outside this range are almost certainly a client bug. */
    static final int MIN_PRIORITY = -1_000_000;
    static final int MAX_PRIORITY = 1_000_000;

    /** Times before this are a client bug (and far ones do not fit PostgreSQL's timestamptz). */
    static final Instant EARLIEST = Instant.parse("2000-01-01T00:00:00Z");
    /** The latest deadline: a little past the latest schedule, so a call scheduled that far can still have one. */
    static final java.time.Duration MAX_DEADLINE_AHEAD = Intake.MAX_SCHEDULE_AHEAD.plusDays(30);

    private TimeChecks() {
    }

    /** Checks a scheduled time and a deadline found under {@code prefix} (e.g. {@code /recipients/3}). */
    static void schedule(String prefix, Instant scheduledAt, Instant deadline, Instant now, List<FieldError> errors) {
        if (scheduledAt != null && scheduledAt.isAfter(now.plus(Intake.MAX_SCHEDULE_AHEAD))) {
            errors.add(FieldError.of(prefix + "/scheduled_at", "must be within " + Intake.MAX_SCHEDULE_AHEAD.toDays() + " days from now"));
        } else if (scheduledAt != null && scheduledAt.isBefore(EARLIEST)) {
            errors.add(FieldError.of(prefix + "/scheduled_at", "must not be before " + EARLIEST)); // PostgreSQL's range, and sense
        }
        if (deadline != null) {
            if (deadline.isAfter(now.plus(MAX_DEADLINE_AHEAD))) {
                errors.add(FieldError.of(prefix + "/deadline", "must be within " + MAX_DEADLINE_AHEAD.toDays() + " days from now"));
            } else if (!deadline.isAfter(now)) {
                errors.add(FieldError.of(prefix + "/deadline", "is already past (" + deadline + ")"));
            } else if (scheduledAt != null && !deadline.isAfter(scheduledAt)) {
                errors.add(FieldError.of(prefix + "/deadline", "must be after scheduled_at"));
            }
        }
    }

    static void priority(String pointer, Integer priority, List<FieldError> errors) {
        if (priority != null && (priority < MIN_PRIORITY || priority > MAX_PRIORITY)) {
            errors.add(FieldError.of(pointer, "must be between " + MIN_PRIORITY + " and " + MAX_PRIORITY));
        }
    }
}
