package dev.outdial.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.outdial.FakeBot;
import dev.outdial.campaign.Providers;
import dev.outdial.media.G711;
import dev.outdial.media.MediaChannel;
import dev.outdial.media.MediaListener;
import dev.outdial.store.Json;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The bot bridge against a real WebSocket server (Javalin on Jetty) playing the user's bot, with an
 * in-memory phone line: every message Outdial sends is checked for the Twilio Media Streams shape and
 * order, audio is real G.711 µ-law both ways, and the bot's marks, clears and hang-up act on the line.
 */
@Timeout(120)
class BotBridgeTest {
    private static final Duration CONNECT = Duration.ofSeconds(5);
    private final FakeBot bot = new FakeBot();
    private final MemoryLine line = new MemoryLine();
    private final MemoryLeg leg = new MemoryLeg(line);
    private final HttpClient http = HttpClient.newHttpClient();

    @AfterEach
    void stop() {
        bot.close();
    }

    BotBridge bridge(String url, Map<String, String> headers) {
        return new BotBridge(new BotBridge.Stream("cal_aaaaaaaaaaaaaaaaaaaa", "org_bbbbbbbbbbbbbbbbbbbb",
                Map.of("name", "Ana", "to", "+14155550101")), new Providers.Bot(url, headers, null, null), leg, http, CONNECT);
    }

    static CompletableFuture<Transcript> run(BotBridge b) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return b.run();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }, Executors.newVirtualThreadPerTaskExecutor());
    }

    /** Runs the bridge and waits until the bot has had connected and start. */
    CompletableFuture<Transcript> runPastStart(BotBridge b) throws InterruptedException {
        CompletableFuture<Transcript> done = run(b);
        assertThat(bot.next().get("event").asText()).isEqualTo("connected");
        assertThat(bot.next().get("event").asText()).isEqualTo("start");
        return done;
    }

    /** A 20 ms frame of a 440 Hz tone starting at sample {@code from}: audio with a shape µ-law must keep. */
    static short[] tone(int from, int hz) {
        short[] f = new short[MediaChannel.FRAME_SAMPLES];
        for (int i = 0; i < f.length; i++) f[i] = (short) (8000 * Math.sin(2 * Math.PI * hz * (from + i) / 8000.0));
        return f;
    }

    static byte[] ulaw(short[] pcm) {
        byte[] out = new byte[pcm.length];
        G711.encodeUlaw(pcm, 0, out, 0, pcm.length);
        return out;
    }

    @Test
    void the_bot_hears_the_call_in_twilio_messages_and_its_audio_marks_and_clears_act_on_the_line() throws Exception {
        BotBridge b = bridge(bot.url() + "?token=t1", Map.of("Authorization", "Bearer s3cret"));
        CompletableFuture<Transcript> done = run(b);
        assertThat(bot.awaitHandshake()).containsEntry("Authorization", "Bearer s3cret");

        assertThat(bot.next()).isEqualTo(Json.MAPPER.readTree("{\"event\":\"connected\",\"protocol\":\"Call\",\"version\":\"1.0.0\"}"));
        JsonNode start = bot.next();
        String sid = start.get("streamSid").asText();
        assertThat(sid).matches("MZ[0-9a-f]{32}");
        assertThat(start).isEqualTo(Json.MAPPER.readTree("""
                {"event":"start","sequenceNumber":"1","streamSid":"%s",
                 "start":{"accountSid":"org_bbbbbbbbbbbbbbbbbbbb","streamSid":"%s","callSid":"cal_aaaaaaaaaaaaaaaaaaaa",
                          "tracks":["inbound"],"customParameters":{"name":"Ana","to":"+14155550101"},
                          "mediaFormat":{"encoding":"audio/x-mulaw","sampleRate":8000,"channels":1}}}""".formatted(sid, sid)));

        // The callee's audio: every 20 ms frame as one media message, real µ-law, numbered.
        MediaListener ear = line.awaitListener();
        short[][] frames = {tone(0, 440), tone(160, 440), tone(320, 440)};
        for (short[] f : frames) ear.audio(f);
        for (int i = 0; i < frames.length; i++) {
            JsonNode m = bot.next();
            assertThat(m.get("event").asText()).isEqualTo("media");
            assertThat(m.get("sequenceNumber").asText()).isEqualTo(String.valueOf(i + 2));
            assertThat(m.get("streamSid").asText()).isEqualTo(sid);
            assertThat(m.get("media").get("track").asText()).isEqualTo("inbound");
            assertThat(m.get("media").get("chunk").asText()).isEqualTo(String.valueOf(i + 1));
            assertThat(m.get("media").get("timestamp").asText()).isEqualTo(String.valueOf(i * 20));
            assertThat(Base64.getDecoder().decode(m.get("media").get("payload").asText())).isEqualTo(ulaw(frames[i]));
        }
        ear.dtmf('7');
        assertThat(bot.next()).isEqualTo(Json.MAPPER.readTree("""
                {"event":"dtmf","sequenceNumber":"5","streamSid":"%s","dtmf":{"track":"inbound_track","digit":"7"}}""".formatted(sid)));

        // The bot speaks: its µ-law is played as PCM; its mark comes back once that audio has been played.
        line.hold = true;
        byte[] speech = new byte[320];
        System.arraycopy(ulaw(tone(0, 800)), 0, speech, 0, 160);
        System.arraycopy(ulaw(tone(160, 800)), 0, speech, 160, 160);
        bot.send(Map.of("event", "media", "streamSid", sid, "media", Map.of("payload", Base64.getEncoder().encodeToString(speech))));
        bot.send(Map.of("event", "mark", "streamSid", sid, "mark", Map.of("name", "greeting")));
        for (int i = 0; i < 2000 && line.pending.isEmpty(); i++) Thread.sleep(10);
        assertThat(line.played).hasSize(1);
        short[] expected = new short[320];
        G711.decodeUlaw(speech, 0, expected, 0, 320);
        assertThat(line.played.get(0)).isEqualTo(expected);
        assertThat(bot.received.poll(300, TimeUnit.MILLISECONDS)).as("no mark while its audio is still playing").isNull();
        line.finishPlaying();
        assertThat(bot.next()).isEqualTo(Json.MAPPER.readTree("""
                {"event":"mark","sequenceNumber":"6","streamSid":"%s","mark":{"name":"greeting"}}""".formatted(sid)));

        // A mark with nothing playing comes back at once; clear cuts playback and returns the pending marks in order.
        bot.send(Map.of("event", "mark", "streamSid", sid, "mark", Map.of("name", "idle")));
        assertThat(bot.next().at("/mark/name").asText()).isEqualTo("idle");
        bot.send(Map.of("event", "media", "streamSid", sid, "media", Map.of("payload", Base64.getEncoder().encodeToString(speech))));
        bot.send(Map.of("event", "mark", "streamSid", sid, "mark", Map.of("name", "a")));
        bot.send(Map.of("event", "media", "streamSid", sid, "media", Map.of("payload", Base64.getEncoder().encodeToString(speech))));
        bot.send(Map.of("event", "mark", "streamSid", sid, "mark", Map.of("name", "b")));
        for (int i = 0; i < 2000 && line.pending.size() < 2; i++) Thread.sleep(10);
        bot.send(Map.of("event", "clear", "streamSid", sid));
        assertThat(bot.next().at("/mark/name").asText()).isEqualTo("a");
        assertThat(bot.next().at("/mark/name").asText()).isEqualTo("b");
        assertThat(line.stops.get()).isEqualTo(1);
        assertThat(line.played).hasSize(3);

        // The call ends: stop, then the socket is closed; nobody hangs up (the call is already over).
        b.callEnded();
        assertThat(bot.next()).isEqualTo(Json.MAPPER.readTree("""
                {"event":"stop","sequenceNumber":"10","streamSid":"%s",
                 "stop":{"accountSid":"org_bbbbbbbbbbbbbbbbbbbb","callSid":"cal_aaaaaaaaaaaaaaaaaaaa"}}""".formatted(sid)));
        assertThat(bot.awaitClosed()).as("Outdial closed the socket").isTrue();
        assertThat(done.get(20, TimeUnit.SECONDS).errors()).isEmpty();
        assertThat(leg.wasHungUp()).as("not hung up").isFalse();
        ear.audio(tone(0, 440));
        assertThat(bot.received.poll(200, TimeUnit.MILLISECONDS)).as("nothing after stop").isNull();
    }

    @Test
    void the_bot_closing_the_socket_hangs_up_the_call() throws Exception {
        BotBridge b = bridge(bot.url(), null);
        CompletableFuture<Transcript> done = runPastStart(b);
        bot.closeSocket();
        assertThat(leg.awaitHangup()).as("the call was hung up").isTrue();
        assertThat(done.get(20, TimeUnit.SECONDS).errors()).isEmpty();
        b.callEnded(); // the carrier reports the end: nothing more is sent to a closed socket
        assertThat(bot.received.poll(200, TimeUnit.MILLISECONDS)).isNull();
    }

    /** Regression: the agent's thread used to hand the transcript over before the error was recorded on it. */
    @Test
    void a_bot_whose_connection_breaks_mid_call_hangs_up_and_leaves_the_error_on_the_call() throws Exception {
        BotBridge b = bridge(bot.url(), null);
        CompletableFuture<Transcript> done = runPastStart(b);
        bot.breakConnection();
        assertThat(leg.awaitHangup()).as("the call was hung up").isTrue();
        assertThat(done.get(20, TimeUnit.SECONDS).errors()).singleElement().asString().startsWith("bot: broke the connection");
    }

    @Test
    void messages_too_long_or_not_json_are_skipped_and_the_stream_goes_on() throws Exception {
        BotBridge b = bridge(bot.url(), null);
        CompletableFuture<Transcript> done = runPastStart(b);
        bot.send(Map.of("event", "media", "media", Map.of("payload", "A".repeat(1_200_000))));
        bot.sendText("not json");
        bot.send(Map.of("event", "media", "media", Map.of("payload", "%%% not base64")));
        bot.send(Map.of("event", "mark", "mark", Map.of("name", "still-here")));
        assertThat(bot.next().at("/mark/name").asText()).isEqualTo("still-here");
        assertThat(line.played).as("nothing of the bad messages was played").isEmpty();
        b.callEnded();
        assertThat(bot.next().get("event").asText()).isEqualTo("stop");
        assertThat(done.get(20, TimeUnit.SECONDS).errors()).isEmpty();
        assertThat(leg.wasHungUp()).isFalse();
    }

    @Test
    void a_bot_that_cannot_be_reached_hangs_up_the_call_with_the_error() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort(); // closed at once: nothing listens there
        }
        Transcript t = run(bridge("ws://127.0.0.1:" + port + "/bot", null)).get(30, TimeUnit.SECONDS);
        assertThat(leg.awaitHangup()).isTrue();
        assertThat(t.errors()).singleElement().asString().startsWith("bot: could not be reached");
    }

    @Test
    void a_bot_that_never_answers_the_handshake_hangs_up_the_call() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            CompletableFuture.runAsync(() -> {
                try {
                    Socket c = s.accept(); // accepts, reads nothing, answers nothing
                    Thread.sleep(60_000);
                    c.close();
                } catch (Exception e) {
                    // the test is over
                }
            }, Executors.newVirtualThreadPerTaskExecutor());
            BotBridge b = new BotBridge(new BotBridge.Stream("cal_x", "org_y", Map.of()),
                    new Providers.Bot("ws://127.0.0.1:" + s.getLocalPort() + "/bot", null, null, null), leg, http, Duration.ofSeconds(1));
            Transcript t = run(b).get(30, TimeUnit.SECONDS);
            assertThat(leg.awaitHangup()).isTrue();
            assertThat(t.errors()).singleElement().asString().contains("did not answer the WebSocket handshake");
        }
    }

    @Test
    void a_slow_bot_loses_audio_but_never_holds_up_the_media_clock() throws Exception {
        BotBridge b = bridge(bot.url(), null);
        CompletableFuture<Transcript> done = runPastStart(b);
        CountDownLatch gate = new CountDownLatch(1);
        bot.gate = gate; // the bot stops reading: its socket fills, and the sender waits
        MediaListener ear = line.awaitListener();
        short[] frame = tone(0, 440);
        int pushed = 100_000;
        for (int i = 0; i < pushed; i++) ear.audio(frame); // would hang the test if the clock waited for the bot
        ear.dtmf('1');
        assertThat(b.droppedFrames()).isPositive();
        b.callEnded();
        gate.countDown();
        long last = 0;
        int media = 0;
        JsonNode m;
        while ((m = bot.next()).get("event").asText().equals("media")) {
            long chunk = m.at("/media/chunk").asLong();
            assertThat(chunk).as("in order, gaps only where frames were dropped").isGreaterThan(last);
            assertThat(m.at("/media/timestamp").asLong()).isEqualTo((chunk - 1) * 20);
            last = chunk;
            media++;
        }
        assertThat(media).as("every frame not dropped was sent").isEqualTo(pushed - b.droppedFrames());
        assertThat(m.get("event").asText()).as("key presses are never dropped").isEqualTo("dtmf");
        assertThat(bot.next().get("event").asText()).isEqualTo("stop");
        assertThat(done.get(30, TimeUnit.SECONDS).errors()).isEmpty();
    }
}
