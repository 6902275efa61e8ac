package dev.outdial.telephony.sip;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outdial.config.SipSettings;
import dev.outdial.media.Codec;
import dev.outdial.telephony.CallLeg;
import dev.outdial.telephony.CallRequest;
import dev.outdial.telephony.EndCause;
import dev.outdial.telephony.EndCause.Kind;
import dev.outdial.telephony.Trunk;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The SIP user agent against sipp on loopback, one scenario per test: what the call did, and what was heard. */
class SipCallFlowTest {
    static SipTelephony sip;

    @BeforeAll
    static void startUserAgent() {
        sip = new SipTelephony(SipSettings.loopback(25060, 25099, 26000, 27998), "test");
    }

    @AfterAll
    static void stop() {
        sip.close();
    }

    static Trunk trunk(Sipp sipp) {
        return new Trunk("127.0.0.1", sipp.port, "udp", null, null, null, "Outdial Test", null, null, null);
    }

    static CallLeg dial(Sipp sipp, RecordingListener l, Duration ring, Duration max) {
        return dial(trunk(sipp), l, ring, max);
    }

    static CallLeg dial(Trunk trunk, RecordingListener l, Duration ring, Duration max) {
        CallLeg leg = sip.originate(new CallRequest("cal_test", 1, "+14155550100", "+14155550123", ring, max, trunk), l);
        l.leg = leg;
        return leg;
    }

    @Test
    void answeredCallPlaysSpeechThatArrivesIntactAndOutdialHangsUp(@TempDir Path dir) throws Exception {
        byte[] played = Speech.file(dir, "speech.ulaw", "ul", "Hello, this is the far end of an Outdial test call. One two three.");
        try (Sipp sipp = Sipp.start(dir, "answer-play-wait-bye.xml", 1)) {
            RecordingListener l = new RecordingListener();
            CallLeg leg = dial(sipp, l, Duration.ofSeconds(10), Duration.ofSeconds(60));
            l.answered.get(10, TimeUnit.SECONDS);
            // The speech lasts played.length / 8 ms; wait for it, and a little jitter-buffer delay, to arrive.
            long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(played.length / 8 + 3000);
            while (System.nanoTime() < until && matchedFrames(played, l.samples()) < played.length / 160) Thread.sleep(100);
            leg.hangup();
            EndCause end = l.ended.get(5, TimeUnit.SECONDS);
            assertThat(sipp.awaitExit(Duration.ofSeconds(10))).as(sipp.log()).isZero();
            assertThat(end).isEqualTo(new EndCause(Kind.HANGUP, 200, "agent_hangup"));
            assertThat(l.events).containsExactly("ringing", "answered", "ended");
            assertThat(l.answeredMs - l.ringingMs).as("sipp rings 300 ms before it answers").isBetween(200L, 2000L);
            int frames = played.length / 160;
            assertThat(frames).as("the speech is long enough to mean something").isGreaterThan(100);
            assertThat(matchedFrames(played, l.samples())).as("frames of sipp's speech heard intact, in order").isGreaterThanOrEqualTo(frames * 98 / 100);
        }
    }

    @Test
    void farEndHangsUpAfterSpeakingInALaw(@TempDir Path dir) throws Exception {
        byte[] played = Speech.file(dir, "speech.alaw", "al", "Goodbye from the far end.");
        try (Sipp sipp = Sipp.start(dir, "answer-play-far-hangup.xml", 1)) {
            RecordingListener l = new RecordingListener();
            dial(sipp, l, Duration.ofSeconds(10), Duration.ofSeconds(60));
            EndCause end = l.ended.get(15, TimeUnit.SECONDS);
            assertThat(sipp.awaitExit(Duration.ofSeconds(10))).as(sipp.log()).isZero();
            assertThat(end).isEqualTo(new EndCause(Kind.HANGUP, 200, "callee_hangup"));
            assertThat(l.endedMs - l.answeredMs).as("sipp hangs up 2.5 s after it answers").isBetween(2300L, 4500L);
            int frames = Math.min(played.length, 8 * 2400) / 160; // what fits before the BYE
            assertThat(matchedFrames(played, l.samples(), Codec.PCMA)).as("A-law frames heard intact").isGreaterThanOrEqualTo(frames * 9 / 10);
        }
    }

    @ParameterizedTest(name = "{0} means {1} ({2})")
    @CsvSource({
            "486, BUSY, busy",
            "600, BUSY, busy",
            "603, BUSY, declined",
            "480, NO_ANSWER, no_answer",
            "404, FAILED, invalid_number",
            "484, FAILED, invalid_number",
            "503, LINE_TROUBLE, trunk_unavailable",
            "403, LINE_TROUBLE, trunk_forbidden"})
    void finalResponsesMapToOutcomes(int status, Kind kind, String reason, @TempDir Path dir) throws Exception {
        try (Sipp sipp = Sipp.start(dir, "reject.xml", java.util.Map.of("STATUS", Integer.toString(status)), 1)) {
            RecordingListener l = new RecordingListener();
            dial(sipp, l, Duration.ofSeconds(10), Duration.ofSeconds(60));
            EndCause end = l.ended.get(10, TimeUnit.SECONDS);
            assertThat(end).isEqualTo(new EndCause(kind, status, reason));
            assertThat(l.events).containsExactly("ended");
            assertThat(sipp.awaitExit(Duration.ofSeconds(10))).as("sipp got its ACK: " + sipp.log()).isZero();
        }
    }

    @Test
    void aPhoneThatRingsForeverIsCanceledAtTheRingTimeout(@TempDir Path dir) throws Exception {
        try (Sipp sipp = Sipp.start(dir, "ring-forever.xml", 1)) {
            RecordingListener l = new RecordingListener();
            dial(sipp, l, Duration.ofSeconds(2), Duration.ofSeconds(60));
            EndCause end = l.ended.get(10, TimeUnit.SECONDS);
            assertThat(sipp.awaitExit(Duration.ofSeconds(10))).as(sipp.log()).isZero();
            assertThat(end).isEqualTo(new EndCause(Kind.NO_ANSWER, 487, "ring_timeout"));
            assertThat(l.events).containsExactly("ringing", "ended");
            assertThat(l.endedMs).as("canceled at the 2 s ring timeout").isBetween(1900L, 3500L);
        }
    }

    @Test
    void earlyMediaFromA183IsHeardBeforeAnyAnswer(@TempDir Path dir) throws Exception {
        byte[] played = Speech.file(dir, "speech.ulaw", "ul", "The number you have dialed is not available.");
        try (Sipp sipp = Sipp.start(dir, "early-media-then-480.xml", 1)) {
            RecordingListener l = new RecordingListener();
            CallLeg leg = dial(sipp, l, Duration.ofSeconds(10), Duration.ofSeconds(60));
            leg.media().listen(l); // before any answer: the 183's media
            EndCause end = l.ended.get(15, TimeUnit.SECONDS);
            assertThat(end).isEqualTo(new EndCause(Kind.NO_ANSWER, 480, "no_answer"));
            assertThat(l.events).containsExactly("ringing", "ended");
            int frames = Math.min(played.length, 8 * 2800) / 160;
            assertThat(matchedFrames(played, l.samples())).as("announcement frames heard as early media").isGreaterThanOrEqualTo(frames * 9 / 10);
            assertThat(sipp.awaitExit(Duration.ofSeconds(10))).as(sipp.log()).isZero();
        }
    }

    @Test
    void aTrunkOverTcpCarriesTheWholeCall(@TempDir Path dir) throws Exception {
        try (Sipp sipp = Sipp.start(dir, "short-call.xml", java.util.Map.of("TALK_MS", "500"), 1, "-t", "t1")) {
            RecordingListener l = new RecordingListener();
            dial(new Trunk("127.0.0.1", sipp.port, "tcp", null, null, null, null, null, null, null), l,
                    Duration.ofSeconds(10), Duration.ofSeconds(60));
            EndCause end = l.ended.get(15, TimeUnit.SECONDS);
            assertThat(end).as(sipp.log()).isEqualTo(new EndCause(Kind.HANGUP, 200, "callee_hangup"));
            assertThat(l.events).containsExactly("ringing", "answered", "ended");
            assertThat(sipp.awaitExit(Duration.ofSeconds(10))).as(sipp.log()).isZero();
            assertThat(sipp.log()).as("sipp's trace shows the INVITE came over TCP").contains("SIP/2.0/TCP");
        }
    }

    @Test
    void aDigestChallengeIsAnsweredWithTheTrunkCredentials(@TempDir Path dir) throws Exception {
        try (Sipp sipp = Sipp.start(dir, "auth-401.xml", 1)) {
            RecordingListener l = new RecordingListener();
            dial(new Trunk("127.0.0.1", sipp.port, null, "alice", "secret", null, null, null, null, null), l,
                    Duration.ofSeconds(10), Duration.ofSeconds(60));
            EndCause end = l.ended.get(15, TimeUnit.SECONDS);
            assertThat(end).as(sipp.log()).isEqualTo(new EndCause(Kind.HANGUP, 200, "callee_hangup"));
            assertThat(l.events).containsExactly("answered", "ended");
            assertThat(sipp.awaitExit(Duration.ofSeconds(10))).as(sipp.log()).isZero();
        }
    }

    @Test
    void wrongCredentialsEndAsLineTrouble(@TempDir Path dir) throws Exception {
        try (Sipp sipp = Sipp.start(dir, "auth-401.xml", 1)) {
            RecordingListener l = new RecordingListener();
            dial(new Trunk("127.0.0.1", sipp.port, null, "alice", "wrong", null, null, null, null, null), l,
                    Duration.ofSeconds(10), Duration.ofSeconds(60));
            assertThat(l.ended.get(15, TimeUnit.SECONDS)).isEqualTo(new EndCause(Kind.LINE_TROUBLE, 403, "trunk_forbidden"));
        }
    }

    /**
     * How many whole 20 ms frames of {@code played} (µ-law) appear, in order, in what was heard. µ-law decodes
     * and re-encodes to the same byte (but for its two zeros), so intact audio matches exactly.
     */
    static int matchedFrames(byte[] played, short[] heard) {
        return matchedFrames(played, heard, Codec.PCMU);
    }

    static int matchedFrames(byte[] played, short[] heard, Codec codec) {
        byte[] heardUlaw = new byte[heard.length];
        codec.encode(heard, 0, heardUlaw, 0, heard.length);
        byte[] p = played.clone();
        if (codec == Codec.PCMU) {
            normalize(heardUlaw);
            normalize(p);
        }
        int matched = 0;
        int from = 0;
        for (int f = 0; f + 160 <= p.length; f += 160) {
            int at = indexOf(heardUlaw, p, f, from);
            if (at >= 0) {
                matched++;
                from = at + 160;
            }
        }
        return matched;
    }

    private static void normalize(byte[] ulaw) {
        for (int i = 0; i < ulaw.length; i++) if (ulaw[i] == 0x7F) ulaw[i] = (byte) 0xFF;
    }

    private static int indexOf(byte[] hay, byte[] needle, int offset, int from) {
        outer:
        for (int i = from; i + 160 <= hay.length; i++) {
            for (int j = 0; j < 160; j++) if (hay[i + j] != needle[offset + j]) continue outer;
            return i;
        }
        return -1;
    }
}
