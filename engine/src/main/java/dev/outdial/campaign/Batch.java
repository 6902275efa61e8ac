package dev.outdial.campaign;

import java.time.Instant;
import java.util.Map;

/** A batch of calls with its live counters. Status: pending → in_progress → completed, or cancelled. */
public record Batch(
        String id,
        String name,
        String status,
        String agentId,
        String lineId,
        Integer priority,
        Instant scheduledAt,
        Instant deadline,
        Map<String, Object> variables,
        Map<String, Object> metadata,
        Map<String, Object> callingWindow,
        Map<String, Object> retryPolicy,
        Instant createdAt,
        Instant updatedAt,
        Instant finishedAt,
        int retryCount,
        Counts counts) {

    /**
     * How many calls are in each state; {@code byOutcome} splits the finished ones.
     *
     * @param dispatched calls dialed at least once
     */
    public record Counts(int total, int scheduled, int dialing, int ringing, int inProgress, int finished,
                         int dispatched, Map<String, Integer> byOutcome) {
    }
}
