package dev.outdial.campaign;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One call of a batch, with its attempts when read alone.
 *
 * @param attempts   the number of dials so far
 * @param zones      the candidate time zones: the call starts only when the window is open in all of them
 * @param zoneReason why these zones: explicit, phone_number, agent or organization
 * @param waitReason why the due time is later than asked, e.g. "outside the calling window in America/Chicago until …"
 * @param window     the effective calling window (per weekday, local time); null in lists
 * @param history    each attempt's record; null in lists
 * @param transcript the last answered attempt's conversation: {attempt, entries [{speaker, text, start_ms, end_ms}], errors}; null in lists
 * @param analysis   what was drawn from that conversation: {attempt, extracted, tags, summary, errors, model}; null in lists
 */
public record Call(
        String id,
        String batchId,
        String agentId,
        String lineId,
        String phoneNumber,
        Map<String, Object> variables,
        Map<String, Object> metadata,
        Map<String, Object> overrides,
        String externalId,
        String timezone,
        int priority,
        Instant scheduledAt,
        Instant deadline,
        String state,
        String outcome,
        String outcomeReason,
        int attempts,
        int maxAttempts,
        Instant dueAt,
        Instant createdAt,
        Instant updatedAt,
        Instant finishedAt,
        List<String> zones,
        String zoneReason,
        String waitReason,
        Map<String, Object> window,
        List<Attempt> history,
        Map<String, Object> transcript,
        Map<String, Object> analysis) {

    /**
     * One try at the call. {@code outcome} is the attempt's own, e.g. {@code interrupted} after a lost lease.
     *
     * @param answeredBy   human, machine or unknown, by answering-machine detection (null when not answered or not detected)
     * @param recordingUrl where to fetch the attempt's recording (WAV), or null
     */
    public record Attempt(int attempt, String nodeId, Instant claimedAt, Instant dialAt, Instant startedAt,
                          Instant ringingAt, Instant answeredAt, Instant endedAt, String outcome, String reason,
                          Integer sipCode, String answeredBy, String recordingUrl) {
    }
}
