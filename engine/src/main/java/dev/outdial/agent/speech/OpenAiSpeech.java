package dev.outdial.agent.speech;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.outdial.store.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Duration;

/**
 * Text to speech through an OpenAI-compatible {@code POST {base}/audio/speech} (OpenAI, and local
 * servers such as Kokoro-FastAPI or openedai-speech). It asks for WAV, which every such server
 * offers, and converts it to the phone's 8 kHz.
 */
public final class OpenAiSpeech implements Voice {
    private final HttpClient http;
    private final URI endpoint;
    private final String apiKey;
    private final String model;
    private final String voice;
    private final Duration timeout;

    public OpenAiSpeech(HttpClient http, String baseUrl, String apiKey, String model, String voice, Duration timeout) {
        this.http = http;
        this.endpoint = URI.create(baseUrl.replaceAll("/+$", "") + "/audio/speech");
        this.apiKey = apiKey;
        this.model = model;
        this.voice = voice;
        this.timeout = timeout;
    }

    @Override
    public short[] speak(String text, String language) throws SpeechException {
        if (text == null || text.isBlank()) return new short[0];
        ObjectNode body = Json.MAPPER.createObjectNode().put("model", model).put("input", text).put("voice", voice)
                .put("response_format", "wav");
        HttpRequest.Builder r = HttpRequest.newBuilder(endpoint).timeout(timeout).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(Json.writeBytes(body)));
        if (apiKey != null) r.header("Authorization", "Bearer " + apiKey);
        byte[] wav = Http.send(http, r.build(), "tts", timeout);
        try {
            return Wav.toPhone(wav);
        } catch (IOException e) {
            throw new SpeechException("tts: " + endpoint + " answered something that is not a WAV: " + e.getMessage(), e);
        }
    }
}
