package dev.outdial.campaign;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A request to accept a batch of calls (DESIGN §6).
 *
 * @param defaultCountry  ISO 3166 region for numbers written without a leading + (optional)
 * @param allowPartial    store the valid rows and list the invalid ones, instead of rejecting the whole batch
 * @param idempotencyKey  the client's Idempotency-Key, so a retried request after a crash finds its batch
 * @param callingWindow   overrides the agent's window (canonical JSON), or null
 * @param retryPolicy     overrides the agent's retry policy, or null
 */
public record BatchRequest(
        String name,
        String agentId,
        String lineId,
        Instant scheduledAt,
        Instant deadline,
        Integer priority,
        Map<String, Object> variables,
        Map<String, Object> metadata,
        String defaultCountry,
        boolean allowPartial,
        List<Recipient> recipients,
        String idempotencyKey,
        Map<String, Object> callingWindow,
        dev.outdial.schedule.RetryPolicy retryPolicy) {
}
