package dev.outdial.campaign;

import dev.outdial.schedule.RetryPolicy;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What an agent says and how its calls are run (DESIGN §4).
 *
 * @param callingWindow the window in canonical JSON (see WindowJson), or null for none of its own
 * @param amd           answering-machine detection, or null for none
 * @param recordCalls   record each answered call (both directions, WAV)
 * @param providers     the engines it talks with (keys never shown), or null for none
 * @param conversation  how it holds a call, or null for the defaults
 */
public record Agent(
        String id,
        String name,
        String prompt,
        String firstMessage,
        String language,
        String voice,
        List<VariableSpec> variables,
        Map<String, Object> defaultVariables,
        String timezone,
        int maxDurationSeconds,
        RetryPolicy retryPolicy,
        Map<String, Object> callingWindow,
        AmdSettings amd,
        boolean recordCalls,
        Providers providers,
        ConversationSettings conversation,
        Instant createdAt,
        Instant updatedAt) {

    /** The fields a client sets; ids and times are Outdial's. */
    public record Spec(
            String name,
            String prompt,
            String firstMessage,
            String language,
            String voice,
            List<VariableSpec> variables,
            Map<String, Object> defaultVariables,
            String timezone,
            int maxDurationSeconds,
            RetryPolicy retryPolicy,
            Map<String, Object> callingWindow,
            AmdSettings amd,
            boolean recordCalls,
            Providers providers,
            ConversationSettings conversation) {
    }
}
