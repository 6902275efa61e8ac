package dev.outdial.agent.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import dev.outdial.FakeProvider;
import dev.outdial.store.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The chat-completions client against a local server that speaks the real wire protocol (SSE chunks). */
class OpenAiChatTest {
    FakeProvider server;

    /** Serves /v1/chat/completions with the given handler. */
    OpenAiChat client(FakeProvider.Handler h, Duration firstByte, Duration idle) throws IOException {
        server = FakeProvider.serve("/v1/chat/completions", h);
        return new OpenAiChat(HttpClient.newHttpClient(), server.baseUrl() + "/", "sk-test", "gpt-test", firstByte, idle);
    }

    @AfterEach
    void stop() {
        if (server != null) server.close();
    }

    JsonNode received() throws IOException {
        return Json.MAPPER.readTree(server.lastBody.get());
    }

    static void sse(HttpExchange ex, List<String> events, long pauseMs) throws Exception {
        ex.getResponseHeaders().add("Content-Type", "text/event-stream");
        ex.sendResponseHeaders(200, 0);
        try (OutputStream out = ex.getResponseBody()) {
            for (String e : events) {
                out.write(("data: " + e + "\n\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
                if (pauseMs > 0) Thread.sleep(pauseMs);
            }
        }
    }

    static String content(String text) {
        return "{\"choices\":[{\"index\":0,\"delta\":{\"content\":" + Json.write(text) + "}}]}";
    }

    @Test
    void textStreamsPieceByPieceAndToolCallsAreReassembledFromTheirFragments() throws Exception {
        OpenAiChat chat = client(ex -> sse(ex, List.of(
                "{\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}]}",
                content("Thanks, "), content("Ana. "), content("Goodbye!"),
                "{\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"end_call\",\"arguments\":\"\"}}]}}]}",
                "{\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{\\\"reason\\\":\"}}]}}]}",
                "{\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"\\\"done\\\"}\"}}]}}]}",
                "{\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"tool_calls\"}]}",
                "[DONE]"), 5), Duration.ofSeconds(5), Duration.ofSeconds(5));
        List<String> pieces = new CopyOnWriteArrayList<>();
        Turn turn = chat.complete(List.of(ChatMessage.system("You remind people."), ChatMessage.user("Yes, I'll be there.")),
                List.of(new Tool("end_call", "Hang up", Map.of("type", "object", "properties", Map.of("reason", Map.of("type", "string"))))),
                pieces::add);
        assertThat(pieces).containsExactly("Thanks, ", "Ana. ", "Goodbye!");
        assertThat(turn.text()).isEqualTo("Thanks, Ana. Goodbye!");
        assertThat(turn.toolCalls()).containsExactly(new ToolCall("call_1", "end_call", "{\"reason\":\"done\"}"));
        assertThat(turn.finishReason()).isEqualTo("tool_calls");
        JsonNode body = received();
        assertThat(body.get("model").asText()).isEqualTo("gpt-test");
        assertThat(body.get("stream").asBoolean()).isTrue();
        assertThat(body.at("/messages/1/content").asText()).isEqualTo("Yes, I'll be there.");
        assertThat(body.at("/tools/0/function/name").asText()).isEqualTo("end_call");
        assertThat(server.lastHeaders.get().getFirst("Authorization")).isEqualTo("Bearer sk-test");
    }

    @Test
    void theHistoryCarriesToolCallsAndTheirAnswers() throws Exception {
        OpenAiChat chat = client(ex -> sse(ex, List.of(content("Done."), "[DONE]"), 0), Duration.ofSeconds(5), Duration.ofSeconds(5));
        chat.complete(List.of(ChatMessage.assistant(null, List.of(new ToolCall("c1", "lookup", "{}"))), ChatMessage.tool("c1", "{\"ok\":true}")),
                List.of(), s -> { });
        assertThat(received().at("/messages/0/tool_calls/0/function/name").asText()).isEqualTo("lookup");
        assertThat(received().at("/messages/0/content").isNull()).isTrue();
        assertThat(received().at("/messages/1/tool_call_id").asText()).isEqualTo("c1");
        assertThat(received().has("tools")).isFalse();
    }

    @Test
    void anErrorStatusIsAnExceptionThatSaysWhat() throws Exception {
        OpenAiChat chat = client(ex -> {
            byte[] b = "{\"error\":{\"message\":\"rate limited\"}}".getBytes();
            ex.sendResponseHeaders(429, b.length);
            ex.getResponseBody().write(b);
        }, Duration.ofSeconds(5), Duration.ofSeconds(5));
        assertThatThrownBy(() -> chat.complete(List.of(ChatMessage.user("hi")), List.of(), s -> { }))
                .isInstanceOf(LlmException.class).hasMessageContaining("429").hasMessageContaining("rate limited");
    }

    @Test
    void aMalformedChunkIsAnException() throws Exception {
        OpenAiChat chat = client(ex -> sse(ex, List.of(content("Hel"), "{not json", "[DONE]"), 0), Duration.ofSeconds(5), Duration.ofSeconds(5));
        assertThatThrownBy(() -> chat.complete(List.of(ChatMessage.user("hi")), List.of(), s -> { }))
                .isInstanceOf(LlmException.class).hasMessageContaining("malformed");
    }

    @Test
    void aStreamThatStallsTimesOutInsteadOfHangingTheCall() throws Exception {
        OpenAiChat chat = client(ex -> sse(ex, List.of(content("Let me"), content(" think"), "[DONE]"), 3_000),
                Duration.ofSeconds(5), Duration.ofMillis(300));
        List<String> pieces = new CopyOnWriteArrayList<>();
        assertThatThrownBy(() -> chat.complete(List.of(ChatMessage.user("hi")), List.of(), pieces::add))
                .isInstanceOf(LlmException.class).hasMessageContaining("stalled");
        assertThat(pieces).containsExactly("Let me");
    }

    @Test
    void aServerThatNeverAnswersTimesOut() throws Exception {
        OpenAiChat chat = client(ex -> Thread.sleep(5_000), Duration.ofMillis(300), Duration.ofSeconds(5));
        assertThatThrownBy(() -> chat.complete(List.of(ChatMessage.user("hi")), List.of(), s -> { }))
                .isInstanceOf(LlmException.class).hasMessageContaining("no answer");
    }
}
