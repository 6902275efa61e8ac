package dev.outdial.campaign;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One person to call, as submitted (not yet validated).
 *
 * @param phoneNumber  as given: E.164, a national number with {@code default_country}, or a SIP URI
 * @param overrides    the agent's conversation settings changed for this call (keys as {@link #OVERRIDE_KEYS}), or null
 * @param retryPolicy  overrides the batch's and the agent's retry policy for this call, or null
 * @param parseErrors  shape errors the API found while reading this row (wrong JSON types), reported with intake's own
 */
public record Recipient(
        String phoneNumber,
        Map<String, Object> variables,
        Map<String, Object> metadata,
        String timezone,
        Integer priority,
        Instant scheduledAt,
        Instant deadline,
        String externalId,
        Map<String, Object> overrides,
        dev.outdial.schedule.RetryPolicy retryPolicy,
        List<FieldError> parseErrors) {

    /** What a call may override of its agent's settings: strings, and {@code max_duration_s} (whole seconds). */
    public static final List<String> OVERRIDE_KEYS = List.of("prompt", "first_message", "language", "voice", "llm_model",
            "max_duration_s");
    /** Longest call a per-call override may ask for: four hours. */
    public static final int MAX_DURATION_S = 4 * 3600;

    public static Recipient of(String phoneNumber) {
        return new Recipient(phoneNumber, Map.of(), Map.of(), null, null, null, null, null, null, null, List.of());
    }
}
