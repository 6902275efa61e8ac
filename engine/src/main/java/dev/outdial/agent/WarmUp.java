package dev.outdial.agent;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.outdial.agent.llm.ChatMessage;
import dev.outdial.agent.llm.OpenAiChat;
import dev.outdial.agent.speech.OpenAiSpeech;
import dev.outdial.agent.speech.OpenAiTranscriber;
import dev.outdial.agent.speech.Wav;
import dev.outdial.media.MediaChannel;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One turn of a conversation against engines on loopback, once, when a node starts: the first turn
 * in a fresh JVM costs ~0.4 s more than the next ones (measured with the voice-latency driver: the
 * HTTP client's first request, Jackson's first use, class loading and the interpreter), and without
 * this the first callee of the day would wait for it. The engines here are a throwaway server in
 * this JVM answering in the providers' wire formats; nothing leaves the machine.
 */
final class WarmUp {
    private static final Logger log = LoggerFactory.getLogger(WarmUp.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private WarmUp() {
    }

    /** Runs a model, transcriber and voice request and the turn machinery through {@code http}; best effort, never throws. */
    static void run(HttpClient http) {
        long started = System.nanoTime();
        HttpServer server = null;
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.createContext("/v1/chat/completions", ex -> answer(ex, "text/event-stream",
                    "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hello there. How are you?\"}}]}\n\ndata: [DONE]\n\n"
                            .getBytes(StandardCharsets.UTF_8)));
            server.createContext("/v1/audio/transcriptions", ex -> answer(ex, "application/json",
                    "{\"text\":\"hello\"}".getBytes(StandardCharsets.UTF_8)));
            server.createContext("/v1/audio/speech", ex -> answer(ex, "audio/wav", Wav.of(new short[1600])));
            server.start();
            String base = "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
            TurnDetector turns = TurnDetector.defaults();
            for (int i = 0; i < 50; i++) turns.offer(new short[MediaChannel.FRAME_SAMPLES]);
            new OpenAiTranscriber(http, base, "warm-up", "warm-up", TIMEOUT).transcribe(new short[8000], "en");
            Sentences sentences = new Sentences();
            new OpenAiChat(http, base, "warm-up", "warm-up", TIMEOUT, TIMEOUT).complete(
                    List.of(ChatMessage.system("Warm up."), ChatMessage.user("hello")), List.of(Conversation.END_CALL), sentences::offer);
            sentences.flush();
            new OpenAiSpeech(http, base, "warm-up", "warm-up", "warm-up", TIMEOUT).speak("Hello there.", "en");
            log.debug("agent runtime: warmed up in {} ms", (System.nanoTime() - started) / 1_000_000);
        } catch (Exception e) {
            log.debug("agent runtime: warm-up skipped ({})", e.toString()); // only the first call's first turn is slower
        } finally {
            if (server != null) server.stop(0);
        }
    }

    private static void answer(HttpExchange ex, String type, byte[] body) throws IOException {
        ex.getRequestBody().readAllBytes();
        ex.getResponseHeaders().add("Content-Type", type);
        ex.sendResponseHeaders(200, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }
}
