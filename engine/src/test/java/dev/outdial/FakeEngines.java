package dev.outdial;

import com.fasterxml.jackson.databind.JsonNode;
import dev.outdial.store.Json;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An agent's model and transcriber as local servers speaking the providers' wire formats: SSE chat
 * completions (each queued answer is one streamed turn, its lines the chunks) and multipart audio
 * transcriptions (each queued text answers one utterance), and whole chat completions with a JSON
 * schema for the analysis after the call. What the agent asked is kept.
 */
public final class FakeEngines implements AutoCloseable {
    /** A streamed answer's chunks; a queued "HTTP 500" answers with that error instead, "SLOW ms" with silence that long. */
    public final ConcurrentLinkedQueue<String> llmAnswers = new ConcurrentLinkedQueue<>();
    public final ConcurrentLinkedQueue<String> sttAnswers = new ConcurrentLinkedQueue<>();
    /** Each element queued makes one transcription request fail with 503, before the answers are used. */
    public final ConcurrentLinkedQueue<Integer> sttFailures = new ConcurrentLinkedQueue<>();
    /**
     * Answers to structured requests (those with a response_format: the analysis after the call), each the
     * message content of one whole chat.completion; a queued "HTTP 500" answers with that error instead.
     */
    public final ConcurrentLinkedQueue<String> analysisAnswers = new ConcurrentLinkedQueue<>();
    public final List<JsonNode> llmRequests = new CopyOnWriteArrayList<>();
    /** The size of each transcription request's body (the utterance's WAV and the form around it). */
    public final List<Integer> sttRequestBytes = new CopyOnWriteArrayList<>();
    public final FakeProvider llm;
    public final FakeProvider stt;

    public FakeEngines() throws java.io.IOException {
        FakeProvider[] self = new FakeProvider[1];
        llm = FakeProvider.serve("/v1/chat/completions", ex -> {
            JsonNode request = Json.MAPPER.readTree(self[0].lastBody.get());
            llmRequests.add(request);
            if (request.has("response_format")) {
                String content = analysisAnswers.poll();
                if (content == null || content.startsWith("HTTP ")) {
                    FakeProvider.answer(ex, 500, "application/json", "{\"error\":\"model overloaded\"}".getBytes());
                } else {
                    FakeProvider.answer(ex, 200, "application/json", completion(content).getBytes(StandardCharsets.UTF_8));
                }
                return;
            }
            String answer = llmAnswers.poll();
            if (answer == null || answer.startsWith("HTTP ")) {
                FakeProvider.answer(ex, 500, "application/json", "{\"error\":\"model overloaded\"}".getBytes());
                return;
            }
            if (answer.startsWith("SLOW ")) {
                Thread.sleep(Long.parseLong(answer.substring(5))); // answers nothing for that long (the client gives up first)
                return;
            }
            ex.getResponseHeaders().add("Content-Type", "text/event-stream");
            ex.sendResponseHeaders(200, 0);
            StringBuilder sse = new StringBuilder();
            for (String line : answer.split("\n")) sse.append("data: ").append(line).append("\n\n");
            sse.append("data: [DONE]\n\n");
            ex.getResponseBody().write(sse.toString().getBytes(StandardCharsets.UTF_8));
        });
        self[0] = llm;
        stt = FakeProvider.serve("/v1/audio/transcriptions", ex -> {
            sttRequestBytes.add(stt().lastBody.get().length);
            if (sttFailures.poll() != null) {
                FakeProvider.answer(ex, 503, "application/json", "{\"error\":\"transcriber unavailable\"}".getBytes());
                return;
            }
            String text = sttAnswers.poll();
            FakeProvider.answer(ex, 200, "application/json", Json.writeBytes(Map.of("text", text == null ? "" : text)));
        });
    }

    private FakeProvider stt() {
        return stt;
    }

    /** One streamed chunk of answer text. */
    public static String text(String s) {
        return "{\"choices\":[{\"index\":0,\"delta\":{\"content\":" + Json.write(s) + "}}]}";
    }

    /** A whole (non-streamed) chat.completion answer as OpenAI sends it, with {@code content} as the message. */
    public static String completion(String content) {
        return "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"created\":1767225600,\"model\":\"test-model\","
                + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":" + Json.write(content)
                + ",\"refusal\":null},\"logprobs\":null,\"finish_reason\":\"stop\"}],"
                + "\"usage\":{\"prompt_tokens\":120,\"completion_tokens\":40,\"total_tokens\":160}}";
    }

    /** A chunk that calls the transfer_call tool. */
    public static final String TRANSFER_CALL = "{\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"t1\",\"function\":"
            + "{\"name\":\"transfer_call\",\"arguments\":\"{\\\"reason\\\":\\\"asked for a person\\\"}\"}}]},\"finish_reason\":\"tool_calls\"}]}";

    /** A chunk that calls the end_call tool. */
    public static final String END_CALL = "{\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"c1\",\"function\":"
            + "{\"name\":\"end_call\",\"arguments\":\"{}\"}}]},\"finish_reason\":\"tool_calls\"}]}";

    /** The agent's {@code providers} as the API takes them: this model and transcriber, espeak-ng as the voice. */
    public Map<String, Object> providers() {
        return Map.of("llm", Map.of("base_url", llm.baseUrl(), "model", "test-model", "api_key", "sk-test-llm"),
                "stt", Map.of("base_url", stt.baseUrl(), "model", "whisper-1", "api_key", "sk-test-stt"));
    }

    @Override
    public void close() {
        llm.close();
        stt.close();
    }
}
