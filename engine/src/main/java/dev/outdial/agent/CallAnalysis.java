package dev.outdial.agent;

import dev.outdial.agent.llm.LlmException;
import dev.outdial.agent.llm.OpenAiChat;
import dev.outdial.campaign.ClassificationTag;
import dev.outdial.campaign.ExtractionField;
import dev.outdial.campaign.Providers;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The analysis after the call, the front door: from a stored transcript, the agent's typed fields
 * (extraction), the tags that apply and a short summary, in one request to an {@link Analyst}.
 *
 * <p>Design. One request, not one per field: the answer is one JSON object whose schema
 * ({@link AnalysisSchema}) is built from the agent's fields, tags and summary choice, so a model
 * with structured outputs cannot answer out of shape, and the price of a call's analysis does not
 * grow with its fields. The answer is then checked against the types ({@link AnswerCheck}): what fits
 * is kept, each field that does not gets an error of its own, so one bad date does not cost the
 * tags. {@link #analyze} never throws and never hangs: an analyst that fails, answers nonsense or
 * takes longer than the timeout gives a {@link Result} whose errors say so, and the caller stores it
 * like any other. The analyst runs on a virtual thread of its own, so the time limit holds even for
 * an implementation that ignores it; it is interrupted when the time is up.
 *
 * <p>A call on which the callee said nothing (a voicemail greeting cut short, silence) is not sent to
 * any model: there is nothing to draw from it, and a model asked anyway tends to invent. Its result
 * says so in its errors.
 */
public final class CallAnalysis {
    /** How long an analysis may take by default, the model's whole answer included. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
    /** One virtual thread per analysis in flight: they only wait on the network. */
    private static final ExecutorService WORKERS = Executors.newVirtualThreadPerTaskExecutor();

    private final HttpClient http;
    private final Duration timeout;
    private final Analyst fallback;

    /**
     * @param timeout  the longest an analysis may take ({@link #DEFAULT_TIMEOUT} in production)
     * @param fallback the analyst of agents without a model (e.g. rule-based); null: such agents get none
     */
    public CallAnalysis(HttpClient http, Duration timeout, Analyst fallback) {
        if (timeout.isNegative() || timeout.isZero()) throw new IllegalArgumentException("analysis timeout must be positive, got " + timeout);
        this.http = http;
        this.timeout = timeout;
        this.fallback = fallback;
    }

    /**
     * What an agent asks after each call.
     *
     * @param language the call's language, for the summary
     */
    public record Plan(List<ExtractionField> fields, List<ClassificationTag> tags, boolean summary, String language) {
        public Plan {
            fields = fields == null ? List.of() : List.copyOf(fields);
            tags = tags == null ? List.of() : List.copyOf(tags);
        }

        /** The agent's settings as stored: {@code summarize} null means a summary when the agent has a model. */
        public static Plan of(List<ExtractionField> fields, List<ClassificationTag> tags, Boolean summarize, boolean hasModel, String language) {
            return new Plan(fields, tags, summarize == null ? hasModel : summarize, language == null ? "en" : language);
        }

        /** True when the agent asks for nothing: no analysis at all, and no event. */
        public boolean asksNothing() {
            return fields.isEmpty() && tags.isEmpty() && !summary;
        }
    }

    /** Something wrong with an analysis: where in it (a JSON pointer such as {@code /extracted/budget}; null for the whole) and what. */
    public record Problem(String pointer, String message) {
    }

    /**
     * An analysis: the fields that were given and fit their types, the tags, the summary (null when not asked
     * or not given), what went wrong, and the analyst that answered (null when none was asked).
     */
    public record Result(Map<String, Object> extracted, List<String> tags, String summary, List<Problem> errors, String model) {
        static Result failed(String model, String why) {
            return new Result(Map.of(), List.of(), null, List.of(new Problem(null, why)), model);
        }
    }

    /** The analyst for an agent with these engines: its model when it has one, else the fallback (may be null). */
    public Analyst analystFor(Providers providers) {
        Providers.Endpoint llm = providers == null ? null : providers.llm();
        if (llm == null) return fallback;
        // The HTTP deadline is a backstop a little past the analysis's own, so the time limit fires one way, with one message.
        Duration backstop = timeout.plusSeconds(1);
        return new OpenAiAnalyst(new OpenAiChat(http, llm.baseUrl(), llm.apiKey(), llm.model(), backstop, backstop), llm.model());
    }

    /** Analyses one conversation; never throws, and returns within about the timeout. */
    public Result analyze(Plan plan, List<Transcript.Entry> transcript, Analyst analyst) {
        if (transcript.stream().noneMatch(e -> "callee".equals(e.speaker()))) {
            return Result.failed(null, "the callee said nothing: there was nothing to analyse");
        }
        if (analyst == null) return Result.failed(null, "no model to analyse the call with: give the agent providers.llm");
        Analyst.Question q = new Analyst.Question(List.copyOf(transcript), plan.fields(), plan.tags(), plan.summary(), plan.language(),
                AnalysisSchema.of(plan));
        Future<Map<String, Object>> answer = WORKERS.submit(() -> analyst.answer(q));
        try {
            Map<String, Object> a = answer.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (a == null) return Result.failed(analyst.name(), "analysis: " + analyst.name() + " gave no answer");
            return AnswerCheck.check(plan, a, analyst.name());
        } catch (TimeoutException e) {
            answer.cancel(true);
            return Result.failed(analyst.name(), "analysis: " + analyst.name() + " gave no answer within " + timeout.toMillis() + " ms");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            return Result.failed(analyst.name(), cause instanceof LlmException ? cause.getMessage()
                    : "analysis: " + analyst.name() + " failed: " + cause);
        } catch (InterruptedException e) {
            answer.cancel(true);
            Thread.currentThread().interrupt();
            return Result.failed(analyst.name(), "analysis: interrupted (the node is stopping)");
        } catch (RuntimeException e) {
            // A bug in checking an odd answer must still leave a record, not a call without analysis.
            return Result.failed(analyst.name(), "analysis: the answer could not be checked: " + e);
        }
    }
}
