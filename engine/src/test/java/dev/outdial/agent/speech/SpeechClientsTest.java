package dev.outdial.agent.speech;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import dev.outdial.FakeProvider;
import dev.outdial.store.Json;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpClient;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import javax.sound.sampled.AudioFileFormat;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The speech clients against local servers speaking the OpenAI audio endpoints' wire format; espeak-ng for real. */
class SpeechClientsTest {
    FakeProvider server;

    String serve(String path, FakeProvider.Handler h) throws Exception {
        server = FakeProvider.serve(path, h);
        return server.baseUrl();
    }

    @AfterEach
    void stop() {
        if (server != null) server.close();
    }

    static void answer(HttpExchange ex, int status, String type, byte[] body) throws Exception {
        FakeProvider.answer(ex, status, type, body);
    }

    /** A WAV of a 440 Hz tone at 24 kHz, as OpenAI's speech endpoint sends. */
    static byte[] wav24k(int ms) throws Exception {
        int n = 24 * ms;
        byte[] raw = new byte[2 * n];
        ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) b.putShort((short) (8000 * Math.sin(2 * Math.PI * 440 * i / 24000.0)));
        AudioFormat f = new AudioFormat(24000f, 16, 1, true, false);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        AudioSystem.write(new AudioInputStream(new ByteArrayInputStream(raw), f, n), AudioFileFormat.Type.WAVE, out);
        return out.toByteArray();
    }

    @Test
    void speechComesBackAsPhoneAudio() throws Exception {
        String base = serve("/v1/audio/speech", ex -> answer(ex, 200, "audio/wav", wav24k(1000)));
        short[] pcm = new OpenAiSpeech(HttpClient.newHttpClient(), base, "sk", "tts-1", "alloy", Duration.ofSeconds(5))
                .speak("Hello Ana", "en");
        assertThat(pcm.length).as("one second at 8 kHz").isBetween(7900, 8100);
        JsonNode sent = Json.MAPPER.readTree(server.lastBody.get());
        assertThat(sent.get("input").asText()).isEqualTo("Hello Ana");
        assertThat(sent.get("voice").asText()).isEqualTo("alloy");
        assertThat(sent.get("response_format").asText()).isEqualTo("wav");
    }

    @Test
    void speechErrorsSayWhatWentWrong() throws Exception {
        String base = serve("/v1/audio/speech", ex -> {
            String q = new String(server.lastBody.get());
            if (q.contains("bad")) answer(ex, 200, "audio/mpeg", "ID3 not a wav".getBytes());
            else if (q.contains("slow")) Thread.sleep(3000);
            else answer(ex, 500, "application/json", "{\"error\":\"boom\"}".getBytes());
        });
        OpenAiSpeech tts = new OpenAiSpeech(HttpClient.newHttpClient(), base, null, "tts-1", "alloy", Duration.ofMillis(500));
        assertThatThrownBy(() -> tts.speak("fail", "en")).isInstanceOf(SpeechException.class).hasMessageContaining("500").hasMessageContaining("boom");
        assertThatThrownBy(() -> tts.speak("bad", "en")).isInstanceOf(SpeechException.class).hasMessageContaining("not a WAV");
        assertThatThrownBy(() -> tts.speak("slow", "en")).isInstanceOf(SpeechException.class).hasMessageContaining("within 500 ms");
        assertThat(tts.speak("  ", "en")).isEmpty();
    }

    @Test
    void anUtteranceIsSentAsAWavInAMultipartFormAndItsTextReturned() throws Exception {
        String base = serve("/v1/audio/transcriptions", ex -> answer(ex, 200, "application/json", "{\"text\":\" Yes, I will be there. \"}".getBytes()));
        short[] utterance = new short[8000];
        for (int i = 0; i < utterance.length; i++) utterance[i] = (short) (5000 * Math.sin(2 * Math.PI * 300 * i / 8000.0));
        String text = new OpenAiTranscriber(HttpClient.newHttpClient(), base, "sk", "whisper-1", Duration.ofSeconds(5))
                .transcribe(utterance, "en-US");
        assertThat(text).isEqualTo("Yes, I will be there.");
        assertThat(server.lastHeaders.get().getFirst("Content-Type")).startsWith("multipart/form-data; boundary=");
        String form = new String(server.lastBody.get(), StandardCharsets.ISO_8859_1);
        assertThat(form).contains("name=\"model\"\r\n\r\nwhisper-1\r\n").contains("name=\"language\"\r\n\r\nen\r\n")
                .contains("filename=\"utterance.wav\"");
        int wavAt = form.indexOf("RIFF");
        assertThat(wavAt).isPositive();
        AudioInputStream wav = AudioSystem.getAudioInputStream(new ByteArrayInputStream(server.lastBody.get(), wavAt, server.lastBody.get().length - wavAt));
        assertThat(wav.getFormat().getSampleRate()).isEqualTo(8000f);
        assertThat(wav.getFrameLength()).isEqualTo(8000);
    }

    @Test
    void aTranscriptionWithoutTextIsAnError() throws Exception {
        String base = serve("/v1/audio/transcriptions", ex -> answer(ex, 200, "application/json", "{\"segments\":[]}".getBytes()));
        assertThatThrownBy(() -> new OpenAiTranscriber(HttpClient.newHttpClient(), base, null, "whisper-1", Duration.ofSeconds(5))
                .transcribe(new short[1600], "en")).isInstanceOf(SpeechException.class).hasMessageContaining("without a text");
    }

    @Test
    void espeakSpeaksOfflineAndAMissingProgramIsAClearError() throws Exception {
        dev.outdial.TestTools.require("espeak-ng", "espeak-ng");
        short[] pcm = new EspeakVoice().speak("Hello, this is Outdial.", "en");
        assertThat(pcm.length).as("about a second or two at 8 kHz").isBetween(4000, 40000);
        assertThatThrownBy(() -> new EspeakVoice("no-such-espeak").speak("Hi", "en"))
                .isInstanceOf(SpeechException.class).hasMessageContaining("espeak-ng");
    }
}
