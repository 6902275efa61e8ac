package dev.outdial.agent;

import dev.outdial.agent.llm.LlmException;
import dev.outdial.campaign.ClassificationTag;
import dev.outdial.campaign.ExtractionField;
import java.util.List;
import java.util.Map;

/**
 * Reads a finished call and answers the after-the-call question in one go: the extracted fields, the
 * tags that apply and a summary. {@link CallAnalysis} asks it, bounds it in time and checks its
 * answer against the agent's types, so an implementation only answers: it need not validate, retry
 * or time itself out, but it must give up when its thread is interrupted (the time is up).
 *
 * <p>Implementations: an OpenAI-compatible model with JSON-schema output ({@link CallAnalysis#analystFor}
 * builds it for an agent with {@code providers.llm}), and whatever {@link CallAnalysis} is given as the
 * fallback for agents without a model (such as a rule-based analyst for demos). An implementation is
 * called from many threads at once and keeps no state between questions.
 */
public interface Analyst {
    /** What the call's record names as the model that answered, e.g. {@code gpt-4o-mini} or {@code rules}. */
    String name();

    /**
     * Answers {@code q} as a JSON object, parsed into plain Java (maps, lists, strings, numbers, booleans,
     * nulls) but not yet checked: {@code {"extracted": {field: value or null}, "tags": [tag names],
     * "summary": "…"}}, each key only when the question asks for it ({@link Question#schema} is exactly
     * this shape).
     *
     * @throws LlmException there is no answer (unreachable, an error status, not JSON, a refusal); its
     *                      message is recorded on the call, so it says what failed
     */
    Map<String, Object> answer(Question q) throws LlmException;

    /**
     * The question about one call.
     *
     * @param transcript what was said, in order (at least one entry is the callee's)
     * @param fields     the typed fields to extract; empty for none
     * @param tags       the tags that may apply; empty for none
     * @param summary    whether a summary is asked for
     * @param language   the call's language (e.g. {@code en}, {@code es-MX}): the summary is written in it
     * @param schema     the JSON schema the answer must fit, in OpenAI's strict form: every key is required,
     *                   and a field the conversation does not give is null
     */
    record Question(List<Transcript.Entry> transcript, List<ExtractionField> fields, List<ClassificationTag> tags,
                    boolean summary, String language, Map<String, Object> schema) {
    }
}
