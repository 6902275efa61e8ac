package dev.outdial.agent.speech;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outdial.FakeDeepgram;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The streaming transcriber against a local WebSocket server speaking Deepgram's live API. */
class DeepgramTranscriberTest {
    FakeDeepgram server;
    StreamingTranscriber.Session session;

    @BeforeEach
    void start() {
        server = new FakeDeepgram();
    }

    @AfterEach
    void stop() {
        if (session != null) session.close();
        server.close();
    }

    /** Generous timeouts (a busy machine), a keep-alive slower than any test's traffic unless a test wants it. */
    StreamingTranscriber.Session open(String url, Duration timeout, Duration keepAlive) {
        session = new DeepgramTranscriber(HttpClient.newHttpClient(), url, "dg-secret", "nova-2", timeout, keepAlive).open("en-US");
        return session;
    }

    StreamingTranscriber.Session open() {
        return open(server.url(), Duration.ofSeconds(10), Duration.ofMinutes(1));
    }

    /** Frames that tell themselves apart: frame i holds i, -i, i+1, … */
    static List<short[]> frames(int n, int from) {
        List<short[]> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            short[] f = new short[160];
            for (int j = 0; j < f.length; j++) f[j] = (short) ((from + i) * (j % 2 == 0 ? 1 : -1) + j);
            out.add(f);
        }
        return out;
    }

    @Test
    void the_handshake_carries_the_token_and_the_phone_audio_format() throws Exception {
        open();
        FakeDeepgram.Handshake h = server.awaitHandshake();
        assertThat(h.headers()).containsEntry("Authorization", "Token dg-secret");
        assertThat(h.query()).containsEntry("encoding", List.of("linear16")).containsEntry("sample_rate", List.of("8000"))
                .containsEntry("channels", List.of("1")).containsEntry("model", List.of("nova-2")).containsEntry("language", List.of("en-US"))
                .containsEntry("punctuate", List.of("true")).containsEntry("interim_results", List.of("false"));
    }

    @Test
    void a_turns_frames_arrive_whole_and_in_order_and_its_finals_since_the_last_flush_make_its_text() throws Exception {
        server.finals.add("Yes,|I will be there.");
        server.finals.add("Thank you.");
        StreamingTranscriber.Session s = open();
        List<short[]> sent = frames(50, 1);
        sent.forEach(s::audio);
        assertThat(s.endOfTurn().text()).isEqualTo("Yes, I will be there.");
        for (short[] f : sent) {
            FakeDeepgram.Received r = server.next();
            assertThat(r.isAudio()).as("audio, then the Finalize").isTrue();
            assertThat(r.audio()).isEqualTo(f); // 16-bit little-endian, one frame a message
        }
        assertThat(server.next().type()).isEqualTo("Finalize");

        frames(10, 100).forEach(s::audio);
        assertThat(s.endOfTurn().text()).as("only what came after the last flush").isEqualTo("Thank you.");
        assertThat(server.handshakes).as("one stream for the whole call").hasSize(1);
    }

    @Test
    void an_idle_stream_is_kept_alive() throws Exception {
        open(server.url(), Duration.ofSeconds(10), Duration.ofMillis(100));
        assertThat(server.next().type()).isEqualTo("KeepAlive");
        assertThat(server.next().type()).isEqualTo("KeepAlive");
    }

    @Test
    void the_end_of_the_call_sends_close_stream_and_closes() throws Exception {
        server.finals.add("Bye.");
        StreamingTranscriber.Session s = open();
        frames(5, 1).forEach(s::audio);
        assertThat(s.endOfTurn().text()).isEqualTo("Bye.");
        s.close();
        assertThat(server.nextControl().type()).isEqualTo("Finalize");
        assertThat(server.nextControl().type()).isEqualTo("CloseStream");
        assertThat(server.awaitClosed()).isTrue();
        assertThatThrownBy(() -> s.endOfTurn().text()).isInstanceOf(SpeechException.class).hasMessageContaining("closed");
    }

    @Test
    void a_stream_the_server_closes_fails_its_turn_and_the_next_turn_reconnects() throws Exception {
        server.finals.add("CLOSE 1011 NET-0001 no audio received");
        server.finals.add("Hello?");
        StreamingTranscriber.Session s = open();
        frames(5, 1).forEach(s::audio);
        assertThatThrownBy(() -> s.endOfTurn().text()).isInstanceOf(SpeechException.class)
                .hasMessageStartingWith("stt: ").hasMessageContaining("1011").hasMessageContaining("NET-0001");
        frames(5, 1).forEach(s::audio);
        assertThat(s.endOfTurn().text()).isEqualTo("Hello?");
        assertThat(server.handshakes).hasSize(2);
    }

    @Test
    void an_error_message_fails_the_turn() throws Exception {
        server.finals.add("ERROR The payload cannot be decoded as audio");
        StreamingTranscriber.Session s = open();
        frames(5, 1).forEach(s::audio);
        assertThatThrownBy(() -> s.endOfTurn().text()).isInstanceOf(SpeechException.class)
                .hasMessageContaining("reported an error: The payload cannot be decoded as audio");
    }

    @Test
    void a_server_that_never_answers_the_finalize_fails_the_turn_after_the_timeout_and_the_next_turn_reconnects() throws Exception {
        server.finals.add("SILENT");
        server.finals.add("Are you there?");
        StreamingTranscriber.Session s = open(server.url(), Duration.ofSeconds(2), Duration.ofMinutes(1));
        server.awaitHandshake();
        frames(5, 1).forEach(s::audio);
        assertThatThrownBy(() -> s.endOfTurn().text()).isInstanceOf(SpeechException.class)
                .hasMessageContaining("no final transcript within 2000 ms");
        frames(5, 1).forEach(s::audio);
        assertThat(s.endOfTurn().text()).isEqualTo("Are you there?");
        assertThat(server.awaitHandshake()).as("the silent stream was dropped for a new one").isNotNull();
    }

    @Test
    void an_unreachable_server_fails_the_turn_and_never_the_caller() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        StreamingTranscriber.Session s = open("ws://127.0.0.1:" + port + "/v1", Duration.ofSeconds(5), Duration.ofMinutes(1));
        frames(5, 1).forEach(s::audio);
        assertThatThrownBy(() -> s.endOfTurn().text()).isInstanceOf(SpeechException.class)
                .hasMessageContaining("127.0.0.1:" + port + "/v1/listen unreachable").hasMessageNotContaining("dg-secret");
    }
}
