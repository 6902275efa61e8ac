package dev.outdial.telephony.sip;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outdial.config.SipSettings;
import dev.outdial.media.AnsweringMachineDetector.Result;
import dev.outdial.media.G711;
import dev.outdial.media.Goertzel;
import dev.outdial.telephony.Amd;
import dev.outdial.telephony.Amd.OnMachine;
import dev.outdial.telephony.CallLeg;
import dev.outdial.telephony.CallRequest;
import dev.outdial.telephony.EndCause;
import dev.outdial.telephony.EndCause.Kind;
import dev.outdial.telephony.Trunk;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Answering-machine detection on real calls: sipp plays a person's hello or a voicemail greeting with its beep. */
class SipAmdTest {
    static SipTelephony sip;

    @BeforeAll
    static void startUserAgent() {
        sip = new SipTelephony(SipSettings.loopback(25140, 25179, 30000, 31998), "amd-test");
    }

    @AfterAll
    static void stop() {
        sip.close();
    }

    private static CallLeg dial(Sipp sipp, RecordingListener l, Amd amd, Path recording) {
        Trunk trunk = new Trunk("127.0.0.1", sipp.port, null, null, null, null, null, null, null, null);
        CallLeg leg = sip.originate(new CallRequest("cal_amd", 1, "+14155550100", "+14155550123", Duration.ofSeconds(10),
                Duration.ofSeconds(60), trunk, amd, recording), l);
        l.leg = leg;
        return leg;
    }

    @Test
    void aPersonSayingHelloIsClassifiedHumanAndTheCallGoesOn(@TempDir Path dir) throws Exception {
        Speech.file(dir, "speech.ulaw", "ul", "Hello?");
        try (Sipp sipp = Sipp.start(dir, "answer-play-wait-bye.xml", 1)) {
            RecordingListener l = new RecordingListener();
            CallLeg leg = dial(sipp, l, new Amd(Duration.ofSeconds(4), OnMachine.HANGUP, null), null);
            l.answered.get(10, TimeUnit.SECONDS);
            assertThat(leg.answeredBy().get(6, TimeUnit.SECONDS)).isEqualTo(Result.HUMAN);
            assertThat(l.ended).as("a person is not hung up on").isNotDone();
            leg.hangup();
            assertThat(l.ended.get(5, TimeUnit.SECONDS)).isEqualTo(new EndCause(Kind.HANGUP, 200, "agent_hangup"));
            assertThat(sipp.awaitExit(Duration.ofSeconds(10))).as(sipp.log()).isZero();
        }
    }

    @Test
    void aVoicemailGreetingIsAMachineAndTheMessageIsLeftAfterTheBeep(@TempDir Path dir) throws Exception {
        int beepStartMs = greetingWithBeep(dir);
        short[] message = tone(600, 1000); // the rendered message, as the agent runtime would hand it over
        Path recording = dir.resolve("call.wav");
        try (Sipp sipp = Sipp.start(dir, "answer-play-wait-bye.xml", 1)) {
            RecordingListener l = new RecordingListener();
            CallLeg leg = dial(sipp, l, new Amd(Duration.ofSeconds(4), OnMachine.LEAVE_MESSAGE, message), recording);
            assertThat(leg.answeredBy().get(10, TimeUnit.SECONDS)).isEqualTo(Result.MACHINE);
            EndCause end = l.ended.get(30, TimeUnit.SECONDS);
            assertThat(end).isEqualTo(new EndCause(Kind.MACHINE, 200, "message_left"));
            assertThat(sipp.awaitExit(Duration.ofSeconds(10))).as(sipp.log()).isZero();

            // The recording: left what sipp played, right what Outdial sent. The message starts after the beep ends.
            short[][] wav = stereo(recording);
            int beepInRecording = firstFrameWithTone(wav[0], 1000);
            int messageInRecording = firstFrameWithTone(wav[1], 600);
            assertThat(beepInRecording).as("the beep is in the recording").isGreaterThan(0);
            assertThat(messageInRecording).as("the message is in the recording").isGreaterThan(0);
            assertThat(messageInRecording - beepInRecording).as("ms from beep start to message start (beep lasts 500 ms)")
                    .isBetween(500, 1500);
            assertThat(beepInRecording).as("the beep came after the greeting").isGreaterThanOrEqualTo(beepStartMs - 200);
        }
    }

    @Test
    void aMachineIsHungUpOnWhenTheAgentSaysSo(@TempDir Path dir) throws Exception {
        greetingWithBeep(dir);
        try (Sipp sipp = Sipp.start(dir, "answer-play-wait-bye.xml", 1)) {
            RecordingListener l = new RecordingListener();
            dial(sipp, l, new Amd(Duration.ofSeconds(4), OnMachine.HANGUP, null), null);
            EndCause end = l.ended.get(15, TimeUnit.SECONDS);
            assertThat(end).isEqualTo(new EndCause(Kind.MACHINE, 200, "answering_machine"));
            assertThat(l.endedMs - l.answeredMs).as("decided within the 4 s decision time").isLessThan(4500);
            assertThat(sipp.awaitExit(Duration.ofSeconds(10))).as(sipp.log()).isZero();
        }
    }

    /** speech.ulaw: a spoken greeting, 300 ms of silence, a 500 ms beep at 1 kHz, a second of silence. Returns the beep's start (ms). */
    private static int greetingWithBeep(Path dir) throws Exception {
        byte[] greeting = Speech.file(dir, "greeting.ulaw", "ul",
                "Hi, you have reached the Smith family. We cannot come to the phone right now. Please leave a message after the tone.");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(greeting);
        out.write(ulaw(new short[8 * 300]));
        int beepStartMs = out.size() / 8;
        out.write(ulaw(tone(1000, 500)));
        out.write(ulaw(new short[8000]));
        Files.write(dir.resolve("speech.ulaw"), out.toByteArray());
        return beepStartMs;
    }

    private static short[] tone(double hz, int ms) {
        short[] pcm = new short[8 * ms];
        for (int i = 0; i < pcm.length; i++) pcm[i] = (short) (10000 * Math.sin(2 * Math.PI * hz * i / 8000));
        return pcm;
    }

    private static byte[] ulaw(short[] pcm) {
        byte[] b = new byte[pcm.length];
        G711.encodeUlaw(pcm, 0, b, 0, pcm.length);
        return b;
    }

    /** The two channels of a 16-bit stereo WAV written by Outdial (44-byte header). */
    private static short[][] stereo(Path wav) throws Exception {
        byte[] b = Files.readAllBytes(wav);
        assertThat(new String(b, 0, 4)).isEqualTo("RIFF");
        ByteBuffer buf = ByteBuffer.wrap(b, 44, b.length - 44).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(ByteBuffer.wrap(b, 40, 4).order(ByteOrder.LITTLE_ENDIAN).getInt()).as("data size in the header").isEqualTo(b.length - 44);
        int n = (b.length - 44) / 4;
        short[][] ch = new short[2][n];
        for (int i = 0; i < n; i++) {
            ch[0][i] = buf.getShort();
            ch[1][i] = buf.getShort();
        }
        return ch;
    }

    /** The start (ms) of the first 20 ms frame where {@code hz} holds most of the energy, or -1. */
    private static int firstFrameWithTone(short[] pcm, double hz) {
        Goertzel g = new Goertzel(hz, 8000);
        for (int at = 0; at + 160 <= pcm.length; at += 160) {
            double e = Goertzel.energy(pcm, at, 160);
            if (e > 1e-4 && g.power(pcm, at, 160) / e > 0.35) return at / 8;
        }
        return -1;
    }
}
