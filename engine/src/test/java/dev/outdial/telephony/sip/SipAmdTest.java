package dev.outdial.telephony.sip;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outdial.config.SipSettings;
import dev.outdial.media.AnsweringMachineDetector.Result;
import dev.outdial.telephony.Amd;
import dev.outdial.telephony.Amd.OnMachine;
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
        int beepStartMs = AudioChecks.greetingWithBeep(dir);
        short[] message = AudioChecks.tone(600, 1000); // the rendered message, as the agent runtime would hand it over
        Path recording = dir.resolve("call.wav");
        try (Sipp sipp = Sipp.start(dir, "answer-play-wait-bye.xml", 1)) {
            RecordingListener l = new RecordingListener();
            CallLeg leg = dial(sipp, l, new Amd(Duration.ofSeconds(4), OnMachine.LEAVE_MESSAGE, () -> message), recording);
            assertThat(leg.answeredBy().get(10, TimeUnit.SECONDS)).isEqualTo(Result.MACHINE);
            EndCause end = l.ended.get(30, TimeUnit.SECONDS);
            assertThat(end).isEqualTo(new EndCause(Kind.MACHINE, 200, "message_left"));
            assertThat(sipp.awaitExit(Duration.ofSeconds(10))).as(sipp.log()).isZero();

            // The recording: left what sipp played, right what Outdial sent. The message starts after the beep ends.
            short[][] wav = AudioChecks.stereo(recording);
            int beepInRecording = AudioChecks.firstFrameWithTone(wav[0], 1000);
            int messageInRecording = AudioChecks.firstFrameWithTone(wav[1], 600);
            assertThat(beepInRecording).as("the beep is in the recording").isGreaterThan(0);
            assertThat(messageInRecording).as("the message is in the recording").isGreaterThan(0);
            assertThat(messageInRecording - beepInRecording).as("ms from beep start to message start (beep lasts 500 ms)")
                    .isBetween(500, 1500);
            assertThat(beepInRecording).as("the beep came after the greeting").isGreaterThanOrEqualTo(beepStartMs - 200);
        }
    }

    @Test
    void aMachineIsHungUpOnWhenTheAgentSaysSo(@TempDir Path dir) throws Exception {
        AudioChecks.greetingWithBeep(dir);
        try (Sipp sipp = Sipp.start(dir, "answer-play-wait-bye.xml", 1)) {
            RecordingListener l = new RecordingListener();
            dial(sipp, l, new Amd(Duration.ofSeconds(4), OnMachine.HANGUP, null), null);
            EndCause end = l.ended.get(15, TimeUnit.SECONDS);
            assertThat(end).isEqualTo(new EndCause(Kind.MACHINE, 200, "answering_machine"));
            assertThat(l.endedMs - l.answeredMs).as("decided within the 4 s decision time").isLessThan(4500);
            assertThat(sipp.awaitExit(Duration.ofSeconds(10))).as(sipp.log()).isZero();
        }
    }
}
