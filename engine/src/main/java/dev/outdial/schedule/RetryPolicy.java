package dev.outdial.schedule;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * When to try a call again: one budget of dials per call whatever the mix of outcomes, and a
 * delay per retryable outcome. Outcomes without a delay are final; {@code completed} always is.
 *
 * @param maxAttempts   the most dials one call gets (1 = never retry)
 * @param delays        outcome ({@code busy}, {@code no_answer}, {@code voicemail}, {@code failed}, {@code interrupted}) → wait
 *                      before the next try; an outcome left out is final
 * @param backoffFactor each further retry waits this many times longer (1 = the same delay every time)
 * @param priorityBoost added to the call's priority each time it is retried, so retries go before fresh calls
 */
public record RetryPolicy(int maxAttempts, Map<String, Duration> delays, double backoffFactor, int priorityBoost) {

    /** Outcomes a policy may retry. */
    public static final Set<String> RETRYABLE = Set.of("busy", "no_answer", "voicemail", "failed", "interrupted");

    /** The shortest wait after an interrupted attempt: a lost lease never leads to an immediate re-dial (invariant 2). */
    public static final Duration MIN_INTERRUPTED_DELAY = Duration.ofSeconds(30);

    /** Most attempts a policy may allow. */
    public static final int MAX_ATTEMPTS_LIMIT = 20;

    public RetryPolicy(int maxAttempts, Map<String, Duration> delays) {
        this(maxAttempts, delays, 1.0, 0);
    }

    public RetryPolicy {
        if (!(backoffFactor >= 1.0 && backoffFactor <= 10.0)) {
            throw new IllegalArgumentException("backoff_factor: must be between 1 and 10, got " + backoffFactor);
        }
        if (priorityBoost < 0 || priorityBoost > 1000) {
            throw new IllegalArgumentException("priority_boost: must be between 0 and 1000, got " + priorityBoost);
        }
        if (maxAttempts < 1 || maxAttempts > MAX_ATTEMPTS_LIMIT) {
            throw new IllegalArgumentException("max_attempts must be 1.." + MAX_ATTEMPTS_LIMIT + ", got " + maxAttempts);
        }
        Map<String, Duration> copy = new LinkedHashMap<>();
        delays.forEach((outcome, delay) -> {
            if (!RETRYABLE.contains(outcome)) {
                throw new IllegalArgumentException("delay_seconds." + outcome + ": not a retryable outcome; use one of " + RETRYABLE);
            }
            if (delay.isNegative()) {
                throw new IllegalArgumentException("delay_seconds." + outcome + ": must not be negative");
            }
            copy.put(outcome, delay);
        });
        // Intentional: an interrupted attempt may have reached the callee, so it always waits.
        copy.computeIfPresent("interrupted", (k, d) -> d.compareTo(MIN_INTERRUPTED_DELAY) < 0 ? MIN_INTERRUPTED_DELAY : d);
        copy.putIfAbsent("interrupted", Duration.ofMinutes(5));
        delays = Map.copyOf(copy);
    }

    /** Three dials; busy again in 5 min, no answer in 30 min, voicemail in 1 h, an interrupted attempt in 5 min; failures are final. */
    public static RetryPolicy defaults() {
        return new RetryPolicy(3, Map.of(
                "busy", Duration.ofMinutes(5),
                "no_answer", Duration.ofMinutes(30),
                "voicemail", Duration.ofHours(1),
                "interrupted", Duration.ofMinutes(5)));
    }

    /**
     * The due time of the next try after an attempt that ended with {@code outcome}, or empty when
     * the call is finished: the outcome is final, the budget is spent, or the deadline comes first.
     */
    public Optional<Instant> nextDue(String outcome, int dialsSoFar, Instant now, Instant deadline) {
        return nextDue(outcome, dialsSoFar, maxAttempts, now, deadline);
    }

    /** As above with the call's own budget, fixed when it was accepted (a later policy change does not move it). */
    public Optional<Instant> nextDue(String outcome, int dialsSoFar, int budget, Instant now, Instant deadline) {
        Duration delay = delays.get(outcome);
        if (delay == null || dialsSoFar >= budget) {
            return Optional.empty();
        }
        // The n-th retry waits delay × factor^(n−1); capped so a large factor cannot overflow.
        double scale = Math.pow(backoffFactor, Math.max(0, dialsSoFar - 1));
        Duration scaled = scale == 1.0 ? delay : Duration.ofMillis((long) Math.min(delay.toMillis() * scale, Duration.ofDays(30).toMillis()));
        Instant due = now.plus(scaled);
        if (deadline != null && !due.isBefore(deadline)) {
            return Optional.empty();
        }
        return Optional.of(due);
    }

    /** The JSON shape the API and the agent row use. */
    @com.fasterxml.jackson.annotation.JsonValue
    public Map<String, Object> toJson() {
        Map<String, Object> d = new LinkedHashMap<>();
        delays.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(e -> d.put(e.getKey(), e.getValue().toSeconds()));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("max_attempts", maxAttempts);
        m.put("delay_seconds", d);
        m.put("backoff_factor", backoffFactor);
        m.put("priority_boost", priorityBoost);
        return m;
    }

    /** Reads the shape {@link #toJson()} writes; throws IllegalArgumentException naming the field on bad input. */
    public static RetryPolicy fromJson(Map<String, Object> json) {
        Object max = json.getOrDefault("max_attempts", 3);
        if (!(max instanceof Number n) || n.doubleValue() != n.intValue()) {
            throw new IllegalArgumentException("max_attempts: must be an integer");
        }
        Map<String, Duration> delays = new LinkedHashMap<>();
        Object raw = json.get("delay_seconds");
        if (raw != null) {
            if (!(raw instanceof Map<?, ?> m)) {
                throw new IllegalArgumentException("delay_seconds: must be an object of outcome → seconds");
            }
            for (var e : m.entrySet()) {
                if (e.getValue() == null) continue;
                if (!(e.getValue() instanceof Number s) || s.longValue() < 0) {
                    throw new IllegalArgumentException("delay_seconds." + e.getKey() + ": must be a number of seconds >= 0");
                }
                delays.put(String.valueOf(e.getKey()), Duration.ofSeconds(s.longValue()));
            }
        } else {
            delays.putAll(defaults().delays());
        }
        for (String k : json.keySet()) {
            if (!Set.of("max_attempts", "delay_seconds", "backoff_factor", "priority_boost").contains(k)) {
                throw new IllegalArgumentException(k + ": unknown field");
            }
        }
        Object factor = json.getOrDefault("backoff_factor", 1.0);
        if (!(factor instanceof Number f)) throw new IllegalArgumentException("backoff_factor: must be a number");
        Object boost = json.getOrDefault("priority_boost", 0);
        if (!(boost instanceof Number b) || b.doubleValue() != b.intValue()) {
            throw new IllegalArgumentException("priority_boost: must be an integer");
        }
        return new RetryPolicy(n.intValue(), delays, f.doubleValue(), b.intValue());
    }
}
