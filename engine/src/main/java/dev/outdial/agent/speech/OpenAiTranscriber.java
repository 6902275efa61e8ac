package dev.outdial.agent.speech;

import com.fasterxml.jackson.databind.JsonNode;
import dev.outdial.store.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;

/**
 * Speech to text through an OpenAI-compatible {@code POST {base}/audio/transcriptions} (OpenAI, Groq,
 * faster-whisper-server, whisper.cpp's server): one utterance as a WAV file in a multipart form,
 * with the model and the language, answered as {@code {"text": "…"}}.
 */
public final class OpenAiTranscriber implements Transcriber {
    private final HttpClient http;
    private final URI endpoint;
    private final String apiKey;
    private final String model;
    private final Duration timeout;

    public OpenAiTranscriber(HttpClient http, String baseUrl, String apiKey, String model, Duration timeout) {
        this.http = http;
        this.endpoint = URI.create(baseUrl.replaceAll("/+$", "") + "/audio/transcriptions");
        this.apiKey = apiKey;
        this.model = model;
        this.timeout = timeout;
    }

    @Override
    public String transcribe(short[] pcm8k, String language) throws SpeechException {
        String boundary = "outdial-" + UUID.randomUUID();
        ByteArrayOutputStream form = new ByteArrayOutputStream();
        field(form, boundary, "model", model);
        if (language != null) field(form, boundary, "language", language.length() > 2 ? language.substring(0, 2) : language);
        field(form, boundary, "response_format", "json");
        write(form, "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"utterance.wav\"\r\n"
                + "Content-Type: audio/wav\r\n\r\n");
        form.writeBytes(Wav.of(pcm8k));
        write(form, "\r\n--" + boundary + "--\r\n");
        HttpRequest.Builder r = HttpRequest.newBuilder(endpoint).timeout(timeout)
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(form.toByteArray()));
        if (apiKey != null) r.header("Authorization", "Bearer " + apiKey);
        byte[] answer = Http.send(http, r.build(), "stt", timeout);
        try {
            JsonNode json = Json.MAPPER.readTree(answer);
            if (!json.path("text").isTextual()) throw new SpeechException("stt: " + endpoint + " answered without a text field");
            return json.get("text").asText().trim();
        } catch (IOException e) {
            throw new SpeechException("stt: " + endpoint + " answered something that is not JSON", e);
        }
    }

    private static void field(ByteArrayOutputStream form, String boundary, String name, String value) {
        write(form, "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n\r\n" + value + "\r\n");
    }

    private static void write(ByteArrayOutputStream out, String s) {
        out.writeBytes(s.getBytes(StandardCharsets.UTF_8));
    }
}
