package dev.outdial.agent.speech;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Streaming speech to text over Deepgram's live-streaming WebSocket API ({@code /v1/listen}), which
 * Deepgram speaks and so do several self-hosted servers. One WebSocket per call, opened when the
 * conversation starts; the callee's turns are sent while they speak, and each end of turn is a flush.
 *
 * <p>The wire format relied on (Deepgram's "Live audio" reference; written from its documentation, to
 * be checked against a live server):
 * <ul>
 * <li>Handshake: {@code GET {base_url}/listen?encoding=linear16&sample_rate=8000&channels=1&model=…&language=…
 *     &punctuate=true&interim_results=false} with {@code Authorization: Token <api_key>}. A refused key is
 *     an HTTP error on the handshake (401); Deepgram may name the reason in a {@code dg-error} header.</li>
 * <li>Audio: raw 16-bit little-endian PCM in binary messages (one 20 ms frame each).</li>
 * <li>{@code {"type":"Finalize"}} flushes what the server holds; it answers with a {@code Results} message
 *     marked {@code "from_finalize": true}. Every {@code Results} with {@code "is_final": true} since the
 *     previous flush (the server also finalizes on its own at pauses) is part of the turn; its text is
 *     {@code channel.alternatives[0].transcript}.</li>
 * <li>{@code {"type":"KeepAlive"}} while idle: the server closes a stream that gets neither audio nor a
 *     message for about 10 s (close code 1011, NET-0001).</li>
 * <li>{@code {"type":"CloseStream"}} at the end: the server sends what is left, a {@code Metadata}
 *     message, and closes.</li>
 * <li>Errors: a close frame with a code and a reason (1008 for audio it cannot decode, 1011 for timeouts),
 *     or an {@code {"type":"Error", "description": …}} message; both fail the turn.</li>
 * </ul>
 * Other messages ({@code Metadata}, {@code SpeechStarted}, {@code UtteranceEnd}) are ignored.
 */
public final class DeepgramTranscriber implements StreamingTranscriber {
    /** How long the stream may be idle before a KeepAlive: Deepgram's docs suggest every 3–5 s, against its 10 s timeout. */
    static final Duration KEEP_ALIVE = Duration.ofSeconds(4);

    private final HttpClient http;
    private final String listenUrl;
    private final String apiKey;
    private final String model;
    private final Duration timeout;
    private final Duration keepAlive;

    /**
     * @param baseUrl ws:// or wss:// address the {@code /listen} path is added to, e.g. wss://api.deepgram.com/v1
     * @param apiKey  sent as {@code Authorization: Token …}; null sends none (a self-hosted server)
     * @param timeout bounds the WebSocket handshake, and the wait for a turn's final text after its end
     */
    public DeepgramTranscriber(HttpClient http, String baseUrl, String apiKey, String model, Duration timeout) {
        this(http, baseUrl, apiKey, model, timeout, KEEP_ALIVE);
    }

    DeepgramTranscriber(HttpClient http, String baseUrl, String apiKey, String model, Duration timeout, Duration keepAlive) {
        this.http = http;
        this.listenUrl = baseUrl.replaceAll("/+$", "") + "/listen";
        this.apiKey = apiKey;
        this.model = model;
        this.timeout = timeout;
        this.keepAlive = keepAlive;
    }

    @Override
    public Session open(String language) {
        return new DeepgramSession(http, uri(language), apiKey, timeout, keepAlive);
    }

    /** The stream's address: the phone's audio format, the model and language, punctuation, final results only. */
    URI uri(String language) {
        StringBuilder u = new StringBuilder(listenUrl).append("?encoding=linear16&sample_rate=8000&channels=1");
        if (model != null) u.append("&model=").append(encode(model));
        if (language != null) u.append("&language=").append(encode(language));
        // Interim results are of no use to a turn-taking agent: it acts on the whole turn.
        return URI.create(u.append("&punctuate=true&interim_results=false").toString());
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
