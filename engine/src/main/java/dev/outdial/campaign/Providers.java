package dev.outdial.campaign;

/**
 * The speech and language engines an agent talks with (DESIGN §8): OpenAI-compatible endpoints for
 * the model, speech to text and text to speech. An engine left out falls back: no model means no AI
 * conversation, no transcriber or voice means the offline ones where they exist (espeak-ng speaks).
 *
 * @param llm chat completions: base_url, model, api_key
 * @param stt audio transcriptions: base_url, model, api_key
 * @param tts audio speech: base_url, model, voice, api_key
 */
public record Providers(Endpoint llm, Endpoint stt, Endpoint tts) {

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
            if (apiKey != null || stored == null || stored.apiKey == null || !java.util.Objects.equals(baseUrl, stored.baseUrl)) return this;
            return new Endpoint(baseUrl, model, voice, stored.apiKey, null);
        }
    }

    public Providers withoutKeys() {
        return new Providers(llm == null ? null : llm.withoutKey(), stt == null ? null : stt.withoutKey(), tts == null ? null : tts.withoutKey());
    }

    /** These providers with the keys of {@code stored} kept where a client could not send them back. */
    public Providers keepingKeysOf(Providers stored) {
        if (stored == null) return this;
        return new Providers(llm == null ? null : llm.keepingKeyOf(stored.llm), stt == null ? null : stt.keepingKeyOf(stored.stt),
                tts == null ? null : tts.keepingKeyOf(stored.tts));
    }
}
