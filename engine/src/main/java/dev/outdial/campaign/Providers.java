package dev.outdial.campaign;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The speech and language engines an agent talks with (DESIGN §8): OpenAI-compatible endpoints for
 * the model, speech to text and text to speech. An engine left out falls back: no model means no AI
 * conversation, no transcriber or voice means the offline ones where they exist (espeak-ng speaks).
 * Or a {@link Bot} of the user's own that hears and speaks over a WebSocket: then the bot is the agent.
 *
 * @param llm chat completions: base_url, model, api_key
 * @param stt audio transcriptions: base_url, model, api_key; a ws(s) base_url streams (Deepgram's live API)
 * @param tts audio speech: base_url, model, voice, api_key
 * @param bot the user's own bot, reached by WebSocket in the Twilio Media Streams format; wins over the others
 */
public record Providers(Endpoint llm, Endpoint stt, Endpoint tts, Bot bot) {

    /**
     * One engine. The API key is accepted and stored, never shown ({@link #withoutKey}); {@code apiKeySet}
     * tells a client whether one is stored.
     */
    public record Endpoint(String baseUrl, String model, String voice, String apiKey, Boolean apiKeySet) {
        public Endpoint withoutKey() {
            return new Endpoint(baseUrl, model, voice, null, apiKey != null);
        }

        /** This endpoint, keeping {@code stored}'s key when none was sent and the server is the same. */
        Endpoint keepingKeyOf(Endpoint stored) {
            if (apiKey != null || stored == null || stored.apiKey == null || !Objects.equals(baseUrl, stored.baseUrl)) return this;
            return new Endpoint(baseUrl, model, voice, stored.apiKey, null);
        }
    }

    /**
     * A bot the call's audio is streamed to. Its headers (often a bearer token) are stored and sent on the
     * WebSocket handshake, never shown: {@code headerNames} tells a client which ones are stored.
     *
     * @param url              ws:// or wss:// address of the bot
     * @param headers          added to the WebSocket handshake (write-only)
     * @param customParameters added to the {@code start} message's customParameters on every call
     * @param headerNames      the names of the stored headers (read-only)
     */
    public record Bot(String url, Map<String, String> headers, Map<String, String> customParameters, List<String> headerNames) {
        public Bot withoutHeaders() {
            return new Bot(url, null, customParameters, headers == null || headers.isEmpty() ? null : List.copyOf(new java.util.TreeSet<>(headers.keySet())));
        }

        /** This bot, keeping {@code stored}'s headers when none were sent and the address is the same. */
        Bot keepingHeadersOf(Bot stored) {
            if (headers != null || stored == null || stored.headers == null || !Objects.equals(url, stored.url)) return this;
            return new Bot(url, stored.headers, customParameters, null);
        }
    }

    public Providers withoutKeys() {
        return new Providers(llm == null ? null : llm.withoutKey(), stt == null ? null : stt.withoutKey(), tts == null ? null : tts.withoutKey(),
                bot == null ? null : bot.withoutHeaders());
    }

    /** These providers with the keys of {@code stored} kept where a client could not send them back. */
    public Providers keepingKeysOf(Providers stored) {
        if (stored == null) return this;
        return new Providers(llm == null ? null : llm.keepingKeyOf(stored.llm), stt == null ? null : stt.keepingKeyOf(stored.stt),
                tts == null ? null : tts.keepingKeyOf(stored.tts), bot == null ? null : bot.keepingHeadersOf(stored.bot));
    }
}
