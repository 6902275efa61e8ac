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
 * @param extraction    the typed fields it extracts from each conversation after the call
 * @param tags          the tags it may put on a call after it
 * @param summarize     whether it writes a summary of each conversation; null: yes when it has a model
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
        List<ExtractionField> extraction,
        List<ClassificationTag> tags,
        Boolean summarize,
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
            ConversationSettings conversation,
            List<ExtractionField> extraction,
            List<ClassificationTag> tags,
            Boolean summarize) {
    }
}
