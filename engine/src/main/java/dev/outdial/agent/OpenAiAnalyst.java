package dev.outdial.agent;

import dev.outdial.agent.llm.ChatMessage;
import dev.outdial.agent.llm.LlmException;
import dev.outdial.agent.llm.OpenAiChat;
import dev.outdial.campaign.ClassificationTag;
import dev.outdial.campaign.ExtractionField;
import dev.outdial.store.Json;
import java.util.List;
import java.util.Map;

/**
 * The analyst of agents with a model: one chat-completions request with the instructions as the system
 * message, the transcript as the user message, and the answer held to the question's schema by
 * OpenAI's structured outputs (strict JSON schema). Providers without structured outputs still get the
 * instructions and usually answer in shape; {@link AnswerCheck} catches the rest.
 */
final class OpenAiAnalyst implements Analyst {
    /** The name the request gives the schema (OpenAI wants letters, digits, _ and -). */
    static final String SCHEMA_NAME = "call_analysis";

    private final OpenAiChat chat;
    private final String model;

    OpenAiAnalyst(OpenAiChat chat, String model) {
        this.chat = chat;
        this.model = model;
    }

    @Override
    public String name() {
        return model;
    }

    @Override
    public Map<String, Object> answer(Question q) throws LlmException {
        List<ChatMessage> messages = List.of(ChatMessage.system(instructions(q)), ChatMessage.user(transcript(q.transcript())));
        @SuppressWarnings("unchecked")
        Map<String, Object> answer = Json.MAPPER.convertValue(chat.completeJson(messages, SCHEMA_NAME, q.schema()), Map.class);
        return answer;
    }

    /** What the model is asked, with each field's and tag's description (a schema's enum cannot carry them). */
    static String instructions(Question q) {
        StringBuilder s = new StringBuilder("""
                You analyse a finished phone call between an AI agent and the person it called (the callee). \
                Answer only from what was said in the transcript; never guess. Answer with a JSON object of the given schema.
                """);
        if (!q.fields().isEmpty()) {
            s.append("\nUnder \"extracted\", give these fields; null when the call does not say:\n");
            for (ExtractionField f : q.fields()) {
                s.append("- ").append(f.name()).append(" (").append(f.type());
                if (f.values() != null) s.append(": one of ").append(String.join(", ", f.values()));
                s.append("): ").append(AnalysisSchema.description(f)).append('\n');
            }
        }
        if (!q.tags().isEmpty()) {
            s.append("\nUnder \"tags\", list every tag that applies to the call (none if none does):\n");
            for (ClassificationTag t : q.tags()) {
                s.append("- ").append(t.name());
                if (t.description() != null) s.append(": ").append(t.description());
                s.append('\n');
            }
        }
        if (q.summary()) {
            s.append("\nUnder \"summary\", write two or three sentences on what happened and what was agreed, in the call's language (")
                    .append(q.language()).append(").\n");
        }
        return s.toString();
    }

    /** The transcript as lines the model reads easily: {@code [00:03] callee: Yes, Monday works.} */
    static String transcript(List<Transcript.Entry> entries) {
        StringBuilder s = new StringBuilder("Transcript:\n");
        for (Transcript.Entry e : entries) {
            long seconds = e.startMs() / 1000;
            s.append(String.format(java.util.Locale.ROOT, "[%02d:%02d] %s: %s\n", seconds / 60, seconds % 60, e.speaker(), e.text()));
        }
        return s.toString();
    }
}
