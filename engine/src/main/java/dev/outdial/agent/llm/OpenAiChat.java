package dev.outdial.agent.llm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.outdial.store.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * An OpenAI-compatible chat-completions client ({@code POST {base}/chat/completions} with
 * {@code "stream": true}): OpenAI, Groq, Together, vLLM, llama.cpp's server and Ollama all speak it.
 * The answer is a stream of server-sent events, {@code data: {chunk}} lines ending with
 * {@code data: [DONE]}; text arrives in {@code choices[0].delta.content}, and tool calls in pieces
 * under {@code delta.tool_calls[i]} (id and name once, the arguments spread over many chunks),
 * which are put back together by their index. {@link #completeJson} asks instead for one whole answer
 * that is a JSON object fitting a schema (the analysis after the call).
 *
 * <p>Two deadlines keep a call from hanging on a slow model: the first byte of the answer must come
 * within {@code firstByteTimeout}, and no more than {@code idleTimeout} may pass between two lines.
 */
public final class OpenAiChat implements Llm {
    private final HttpClient http;
    private final URI endpoint;
    private final String apiKey;
    private final String model;
    private final Duration firstByteTimeout;
    private final Duration idleTimeout;

    /**
     * @param baseUrl e.g. {@code https://api.openai.com/v1} or {@code http://localhost:11434/v1}
     * @param apiKey  sent as a bearer token; null for local servers that need none
     */
    public OpenAiChat(HttpClient http, String baseUrl, String apiKey, String model, Duration firstByteTimeout, Duration idleTimeout) {
        this.http = http;
        this.endpoint = URI.create(baseUrl.replaceAll("/+$", "") + "/chat/completions");
        this.apiKey = apiKey;
        this.model = model;
        this.firstByteTimeout = firstByteTimeout;
        this.idleTimeout = idleTimeout;
    }

    @Override
    public Turn complete(List<ChatMessage> messages, List<Tool> tools, Consumer<String> text) throws LlmException {
        try (InputStream body = post(body(messages, tools), "text/event-stream")) {
            return read(new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8)), text);
        } catch (IOException e) {
            throw new LlmException("llm: the answer stream broke: " + e.getMessage(), e);
        }
    }

    /**
     * One whole answer (no streaming) whose content is a JSON object fitting {@code schema}: OpenAI's
     * structured outputs, {@code response_format: {type: json_schema, json_schema: {name, strict: true, schema}}}.
     * Returns that object as sent; an answer without one (a refusal, a cut-off, text that is not a JSON object)
     * is an {@link LlmException} saying so.
     */
    public JsonNode completeJson(List<ChatMessage> messages, String schemaName, Map<String, Object> schema) throws LlmException {
        ObjectNode b = messagesBody(messages);
        b.put("stream", false);
        ObjectNode format = b.putObject("response_format").put("type", "json_schema");
        format.putObject("json_schema").put("name", schemaName).put("strict", true).set("schema", Json.MAPPER.valueToTree(schema));
        String raw;
        try (InputStream body = post(b, "application/json")) {
            raw = new String(body.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new LlmException("llm: the answer broke off: " + e.getMessage(), e);
        }
        JsonNode message;
        try {
            JsonNode root = Json.MAPPER.readTree(raw);
            message = root.path("choices").path(0).path("message");
            if (root.path("choices").path(0).path("finish_reason").asText("").equals("length")) {
                throw new LlmException("llm: the answer was cut off at the model's length limit");
            }
        } catch (IOException e) {
            throw new LlmException("llm: the answer is not JSON: " + abbreviate(raw));
        }
        if (message.path("refusal").isTextual()) throw new LlmException("llm: the model refused: " + abbreviate(message.get("refusal").asText()));
        if (!message.path("content").isTextual()) throw new LlmException("llm: the answer has no choices[0].message.content: " + abbreviate(raw));
        String content = message.get("content").asText();
        try {
            JsonNode answer = Json.MAPPER.readTree(content);
            if (answer != null && answer.isObject()) return answer;
        } catch (IOException e) {
            // named below, with what came
        }
        throw new LlmException("llm: the model's answer is not a JSON object: " + abbreviate(content));
    }

    /** Sends {@code body}; the answer's body when the status is 2xx, else an {@link LlmException} with the status and an excerpt. */
    private InputStream post(ObjectNode body, String accept) throws LlmException {
        HttpRequest.Builder request = HttpRequest.newBuilder(endpoint)
                .timeout(firstByteTimeout)
                .header("Content-Type", "application/json")
                .header("Accept", accept)
                .POST(HttpRequest.BodyPublishers.ofByteArray(Json.writeBytes(body)));
        if (apiKey != null) request.header("Authorization", "Bearer " + apiKey);
        HttpResponse<InputStream> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (java.net.http.HttpTimeoutException e) {
            throw new LlmException("llm: no answer from " + endpoint + " within " + firstByteTimeout.toMillis() + " ms", e);
        } catch (IOException e) {
            throw new LlmException("llm: " + endpoint + " unreachable: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LlmException("llm: interrupted", e);
        }
        if (response.statusCode() / 100 == 2) return response.body();
        try (InputStream in = response.body()) {
            String excerpt = new String(in.readNBytes(500), StandardCharsets.UTF_8);
            throw new LlmException("llm: " + endpoint + " answered " + response.statusCode() + ": " + excerpt);
        } catch (IOException e) {
            throw new LlmException("llm: " + endpoint + " answered " + response.statusCode(), e);
        }
    }

    private ObjectNode body(List<ChatMessage> messages, List<Tool> tools) {
        ObjectNode b = messagesBody(messages);
        b.put("stream", true);
        if (tools != null && !tools.isEmpty()) {
            ArrayNode ts = b.putArray("tools");
            for (Tool t : tools) {
                ObjectNode f = ts.addObject().put("type", "function").putObject("function");
                f.put("name", t.name()).put("description", t.description());
                f.set("parameters", Json.MAPPER.valueToTree(t.parameters()));
            }
        }
        return b;
    }

    /** The model and the conversation: what every request carries. */
    private ObjectNode messagesBody(List<ChatMessage> messages) {
        ObjectNode b = Json.MAPPER.createObjectNode();
        b.put("model", model);
        ArrayNode ms = b.putArray("messages");
        for (ChatMessage m : messages) {
            ObjectNode o = ms.addObject();
            o.put("role", m.role());
            if (m.content() != null) o.put("content", m.content());
            else o.putNull("content");
            if (!m.toolCalls().isEmpty()) {
                ArrayNode calls = o.putArray("tool_calls");
                for (ToolCall c : m.toolCalls()) {
                    ObjectNode call = calls.addObject().put("id", c.id()).put("type", "function");
                    call.putObject("function").put("name", c.name()).put("arguments", c.argumentsJson());
                }
            }
            if (m.toolCallId() != null) o.put("tool_call_id", m.toolCallId());
        }
        return b;
    }

    /** Reads the event stream, each line within the idle timeout. */
    private Turn read(BufferedReader reader, Consumer<String> text) throws LlmException, IOException {
        try (Lines lines = new Lines(reader)) {
            return read(lines, text);
        }
    }

    private Turn read(Lines lines, Consumer<String> text) throws LlmException, IOException {
        StringBuilder all = new StringBuilder();
        TreeMap<Integer, String[]> calls = new TreeMap<>(); // index -> {id, name, arguments}
        String finish = null;
        while (true) {
            String line = lines.next();
            if (line == null) break; // the server closed without [DONE]: keep what came
            if (!line.startsWith("data:")) continue; // blank separators, comments, event names
            String data = line.substring(5).trim();
            if (data.equals("[DONE]")) break;
            JsonNode chunk;
            try {
                chunk = Json.MAPPER.readTree(data);
            } catch (IOException e) {
                throw new LlmException("llm: a malformed chunk in the answer stream: " + abbreviate(data));
            }
            if (chunk.has("error")) throw new LlmException("llm: the stream reported an error: " + abbreviate(chunk.get("error").toString()));
            JsonNode choice = chunk.path("choices").path(0);
            if (choice.isMissingNode()) continue;
            JsonNode delta = choice.path("delta");
            String piece = delta.path("content").isTextual() ? delta.get("content").asText() : null;
            if (piece != null && !piece.isEmpty()) {
                all.append(piece);
                text.accept(piece);
            }
            for (JsonNode tc : delta.path("tool_calls")) {
                String[] call = calls.computeIfAbsent(tc.path("index").asInt(calls.size()), i -> new String[] {null, null, ""});
                if (tc.path("id").isTextual()) call[0] = tc.get("id").asText();
                JsonNode f = tc.path("function");
                if (f.path("name").isTextual()) call[1] = f.get("name").asText();
                if (f.path("arguments").isTextual()) call[2] += f.get("arguments").asText();
            }
            if (choice.path("finish_reason").isTextual()) finish = choice.get("finish_reason").asText();
        }
        List<ToolCall> toolCalls = new ArrayList<>();
        for (String[] c : calls.values()) {
            if (c[1] == null) throw new LlmException("llm: a tool call without a name in the answer stream");
            toolCalls.add(new ToolCall(c[0] == null ? "call_" + toolCalls.size() : c[0], c[1], c[2].isEmpty() ? "{}" : c[2]));
        }
        return new Turn(all.toString(), List.copyOf(toolCalls), finish);
    }

    /**
     * The answer's lines, read off the caller's thread so that a stalled stream can be timed out: one
     * virtual thread per answer reads ahead into a queue, and the caller waits at most the idle timeout
     * for each line; lines that arrived together are taken without waiting. (A thread per line cost a
     * start and two hand-overs per line, some twenty per spoken answer, each a wake-up that waits for a
     * core on a busy machine.) Closing stops the reader, which may be blocked on a stream the server
     * keeps open after [DONE]: closing the body does not wake a blocked read, an interrupt does.
     */
    private final class Lines implements AutoCloseable {
        private static final Object END = new Object();
        private final BlockingQueue<Object> queue = new LinkedBlockingQueue<>();
        private final Thread reader;

        Lines(BufferedReader lines) {
            reader = Thread.ofVirtual().name("llm stream " + endpoint).start(() -> {
                try {
                    for (String line = lines.readLine(); line != null; line = lines.readLine()) queue.add(line);
                    queue.add(END);
                } catch (IOException e) {
                    queue.add(e); // or stopped by close(): then nobody is waiting
                }
            });
        }

        /** The next line, or null at the end; an {@link LlmException} if none comes within the idle timeout. */
        String next() throws LlmException, IOException {
            Object next;
            try {
                next = queue.poll(idleTimeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new LlmException("llm: interrupted", e);
            }
            if (next == null) throw new LlmException("llm: the answer stalled for more than " + idleTimeout.toMillis() + " ms");
            if (next == END) return null;
            if (next instanceof IOException e) throw e;
            return (String) next;
        }

        @Override
        public void close() {
            reader.interrupt();
        }
    }

    private static String abbreviate(String s) {
        return s.length() > 200 ? s.substring(0, 200) + "…" : s;
    }
}
