package dev.outdial.telephony.sip;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.outdial.FakeBot;
import dev.outdial.Fixture;
import dev.outdial.TestApi;
import dev.outdial.config.SipSettings;
import dev.outdial.media.G711;
import dev.outdial.media.Goertzel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The user's own bot on a real SIP call through the dispatcher: sipp answers and says a sentence
 * (espeak-ng over RTP); the bot, a WebSocket server speaking the Twilio Media Streams format, gets
 * connected and start with the call's parameters, hears the callee as µ-law media, speaks a tone that
 * reaches the callee, gets its mark back once the tone has been sent, and ends the call by closing
 * the socket, which Outdial turns into a BYE.
 */
class SipBotTest {
    @TempDir
    Path data;
    Fixture f;
    FakeBot bot;
    TestApi api;

    @BeforeEach
    void start() {
        f = SipNodes.start("sip-bot-node", SipSettings.loopback(26140, 26179, 35000, 35998), data);
        api = f.api();
        bot = new FakeBot();
    }

    @AfterEach
    void stop() {
        f.close();
        bot.close();
    }

    @Test
    void theBotTakesTheCallOverTwilioMediaStreamsAndHangsUpByClosingTheSocket(@TempDir Path dir) throws Exception {
        Speech.file(dir, "speech.ulaw", "ul", "Yes, I will be there on Monday.", 1.0, 6);
        String agent = f.agent(Map.of("name", "Own bot", "max_duration_seconds", 60, "retry_policy", Map.of("max_attempts", 1),
                "record_calls", true, "variables", List.of(Map.of("name", "name", "type", "string", "required", true)),
                "providers", Map.of("bot", Map.of("url", bot.url() + "?agent=clinic", "headers", Map.of("Authorization", "Bearer t0k"),
                        "custom_parameters", Map.of("greeting", "Hi {{name}}")))));
        try (Sipp callee = Sipp.start(dir, "answer-play-wait-bye.xml", 1)) {
            String callId = SipNodes.callAna(api, agent, callee.port);

            assertThat(bot.awaitHandshake()).containsEntry("Authorization", "Bearer t0k");
            assertThat(bot.next().get("event").asText()).isEqualTo("connected");
            JsonNode start = bot.next().get("start");
            assertThat(start.get("callSid").asText()).isEqualTo(callId);
            assertThat(start.get("accountSid").asText()).isEqualTo(f.sql("select org_id from call where id = '" + callId + "'"));
            JsonNode params = start.get("customParameters");
            assertThat(params.get("name").asText()).isEqualTo("Ana");
            assertThat(params.get("greeting").asText()).isEqualTo("Hi Ana");
            assertThat(params.get("call_id").asText()).isEqualTo(callId);
            assertThat(params.get("to").asText()).isEqualTo("+14155550101");
            assertThat(params.get("from").asText()).isEqualTo("+14155552671");
            assertThat(params.get("attempt").asText()).isEqualTo("1");
            String sid = start.get("streamSid").asText();

            // The bot speaks a second of 600 Hz in 20 ms messages, as Pipecat does, then marks it.
            byte[] tone = AudioChecks.ulaw(AudioChecks.tone(600, 1000));
            for (int at = 0; at < tone.length; at += 160) {
                bot.send(Map.of("event", "media", "streamSid", sid, "media",
                        Map.of("payload", Base64.getEncoder().encodeToString(java.util.Arrays.copyOfRange(tone, at, at + 160)))));
            }
            bot.send(Map.of("event", "mark", "streamSid", sid, "mark", Map.of("name", "tone")));

            // It hears the callee: media until the mark returns (the tone takes a second: about 50 frames come in
            // meanwhile, on the same media clock), then until the callee's sentence is over.
            java.io.ByteArrayOutputStream heard = new java.io.ByteArrayOutputStream();
            int framesBeforeMark = 0;
            JsonNode m;
            while ((m = bot.next()).get("event").asText().equals("media")) {
                heard.write(Base64.getDecoder().decode(m.at("/media/payload").asText()));
                framesBeforeMark++;
            }
            assertThat(m.get("event").asText()).isEqualTo("mark");
            assertThat(m.at("/mark/name").asText()).isEqualTo("tone");
            assertThat(framesBeforeMark).as("the mark came back once the second of audio had been sent").isGreaterThanOrEqualTo(40);
            while (heard.size() < 8000 * 4) {
                m = bot.next();
                if (m.get("event").asText().equals("media")) heard.write(Base64.getDecoder().decode(m.at("/media/payload").asText()));
            }
            byte[] ulaw = heard.toByteArray();
            short[] pcm = new short[ulaw.length];
            G711.decodeUlaw(ulaw, 0, pcm, 0, ulaw.length);
            int loud = 0;
            for (int at = 0; at + 160 <= pcm.length; at += 160) if (Goertzel.energy(pcm, at, 160) > 1e-4) loud++;
            assertThat(loud).as("the bot heard the callee's sentence (about 2 s of speech)").isGreaterThan(50);

            // The bot is done: it closes the socket, and Outdial hangs up.
            bot.closeSocket();
            assertThat(callee.awaitExit(Duration.ofSeconds(20))).as("sipp got the BYE: " + callee.log()).isZero();
            f.awaitSql("select outcome from call where id = '" + callId + "'", "completed");
            f.awaitSql("select reason from call_attempt where call_id = '" + callId + "'", "agent_hangup");
            assertThat(f.sql("select transcript is null from call where id = '" + callId + "'")).as("the bot keeps its own transcript").isEqualTo("t");

            // The recording: the bot's tone went out to the callee (right), the callee's speech came in (left).
            f.awaitSql("select recording is not null from call_attempt where call_id = '" + callId + "'", "t");
            short[][] wav = AudioChecks.stereo(Path.of(f.sql("select recording from call_attempt where call_id = '" + callId + "'")));
            assertThat(AudioChecks.firstFrameWithTone(wav[1], 600)).as("the bot's tone reached the callee").isGreaterThanOrEqualTo(0);
            assertThat(AudioChecks.firstSpeechAfter(wav[0], 0)).as("the callee's speech is on the call").isGreaterThanOrEqualTo(0);
        }
    }
}
