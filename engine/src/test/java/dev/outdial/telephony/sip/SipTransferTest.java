package dev.outdial.telephony.sip;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outdial.config.SipSettings;
import dev.outdial.telephony.CallLeg;
import dev.outdial.telephony.CallRequest;
import dev.outdial.telephony.EndCause;
import dev.outdial.telephony.EndCause.Kind;
import dev.outdial.telephony.Transfer;
import dev.outdial.telephony.Trunk;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Blind transfer by REFER against sipp: what Outdial sends, and how the far end's answers end (or do not end) the call. */
class SipTransferTest {
    static SipTelephony sip;

    @BeforeAll
    static void startUserAgent() {
        sip = new SipTelephony(SipSettings.loopback(26180, 26219, 36000, 36998), "transfer-test");
    }

    @AfterAll
    static void stop() {
        sip.close();
    }

    static CallLeg dial(Sipp sipp, RecordingListener l) {
        return dial(new Trunk("127.0.0.1", sipp.port, "udp", null, null, null, "Outdial Test", null, null, null), l);
    }

    static CallLeg dial(Trunk trunk, RecordingListener l) {
        CallLeg leg = sip.originate(new CallRequest("cal_transfer", 1, "+14155550100", "+14155550123", Duration.ofSeconds(10),
                Duration.ofSeconds(90), trunk), l);
        l.leg = leg;
        return leg;
    }

    static CallLeg answered(CallLeg leg, RecordingListener l) throws Exception {
        l.answered.get(10, TimeUnit.SECONDS);
        return leg;
    }

    /** After a refused transfer: the call is up until we hang up, and the far end sees our BYE. */
    static void hangUpTheCallStillUp(Sipp sipp, RecordingListener l, CallLeg leg) throws Exception {
        assertThat(l.ended).as("the call is still up").isNotDone();
        leg.hangup();
        assertThat(l.ended.get(10, TimeUnit.SECONDS)).isEqualTo(new EndCause(Kind.HANGUP, 200, "agent_hangup"));
        assertThat(sipp.awaitExit(Duration.ofSeconds(10))).as(sipp.log()).isZero();
    }

    @Test
    void a_transfer_the_target_answers_ends_our_leg_as_transferred(@TempDir Path dir) throws Exception {
        try (Sipp sipp = Sipp.start(dir, "answer-accept-refer.xml", Map.of("FINAL", "200 OK"), 1)) {
            RecordingListener l = new RecordingListener();
            CallLeg leg = answered(dial(sipp, l), l);
            Transfer result = leg.transfer("+14155550199").get(20, TimeUnit.SECONDS);
            EndCause end = l.ended.get(10, TimeUnit.SECONDS);
            assertThat(sipp.awaitExit(Duration.ofSeconds(10))).as("sipp got 200s for its NOTIFYs, then our BYE: " + sipp.log()).isZero();
            assertThat(result).isEqualTo(Transfer.transferred());
            assertThat(end).isEqualTo(new EndCause(Kind.HANGUP, 200, "transferred"));
            assertThat(l.events).containsExactly("ringing", "answered", "ended");
            assertThat(SipTrace.headers(dir, "Refer-To")).as("a number goes to the trunk, like the INVITE")
                    .containsExactly("<sip:+14155550199@127.0.0.1:" + sipp.port + ">");
            assertThat(SipTrace.headers(dir, "Referred-By")).singleElement().asString().contains("<sip:+14155550100@127.0.0.1>");
            assertThat(leg.transfer("+14155550199").get(1, TimeUnit.SECONDS)).isEqualTo(Transfer.refused(null, "call_ended"));
        }
    }

    @Test
    void a_target_that_is_busy_refuses_the_transfer_and_the_call_goes_on(@TempDir Path dir) throws Exception {
        try (Sipp sipp = Sipp.start(dir, "answer-accept-refer.xml", Map.of("FINAL", "486 Busy Here"), 1)) {
            RecordingListener l = new RecordingListener();
            CallLeg leg = answered(dial(sipp, l), l);
            Transfer result = leg.transfer("+14155550199").get(20, TimeUnit.SECONDS);
            assertThat(result).isEqualTo(Transfer.refused(486, "busy"));
            hangUpTheCallStillUp(sipp, l, leg);
        }
    }

    @ParameterizedTest(name = "a REFER answered {0} is refused as {1}")
    @CsvSource({"603, declined", "405, not_supported"})
    void a_rejected_refer_leaves_the_call_up(int status, String reason, @TempDir Path dir) throws Exception {
        try (Sipp sipp = Sipp.start(dir, "answer-reject-refer.xml", Map.of("STATUS", Integer.toString(status)), 1)) {
            RecordingListener l = new RecordingListener();
            CallLeg leg = answered(dial(sipp, l), l);
            Transfer result = leg.transfer("sip:front-desk@pbx.example.com").get(20, TimeUnit.SECONDS);
            assertThat(result).isEqualTo(Transfer.refused(status, reason));
            hangUpTheCallStillUp(sipp, l, leg);
            assertThat(SipTrace.headers(dir, "Refer-To")).as("a SIP URI goes as given").containsExactly("<sip:front-desk@pbx.example.com>");
        }
    }

    @ParameterizedTest(name = "a REFER challenged for digest, answered with password {0}: {1}")
    @CsvSource({"secret, TRANSFERRED", "wrong, REFUSED"})
    void a_challenged_refer_is_answered_with_the_trunk_credentials(String password, Transfer.Status status, @TempDir Path dir) throws Exception {
        try (Sipp sipp = Sipp.start(dir, "answer-challenge-refer.xml", 1)) {
            RecordingListener l = new RecordingListener();
            CallLeg leg = answered(dial(new Trunk("127.0.0.1", sipp.port, null, "alice", password, null, null, null, null, null), l), l);
            Transfer result = leg.transfer("+14155550199").get(20, TimeUnit.SECONDS);
            if (status == Transfer.Status.TRANSFERRED) {
                assertThat(result).as(sipp.log()).isEqualTo(Transfer.transferred());
                assertThat(l.ended.get(10, TimeUnit.SECONDS)).isEqualTo(new EndCause(Kind.HANGUP, 200, "transferred"));
            } else {
                assertThat(result).as(sipp.log()).isEqualTo(Transfer.refused(403, "forbidden"));
                hangUpTheCallStillUp(sipp, l, leg);
            }
            assertThat(sipp.awaitExit(Duration.ofSeconds(10))).as(sipp.log()).isZero();
            assertThat(java.util.Set.copyOf(SipTrace.headers(dir, "Authorization"))).as("one answer to one challenge (retransmissions aside)").hasSize(1);
        }
    }

    @Test
    void a_trunk_that_accepts_and_never_notifies_has_transferred_the_call(@TempDir Path dir) throws Exception {
        try (Sipp sipp = Sipp.start(dir, "answer-silent-refer.xml", 1)) {
            RecordingListener l = new RecordingListener();
            CallLeg leg = answered(dial(sipp, l), l);
            var transfer = leg.transfer("+14155550199");
            assertThat(transfer.get(Transfers.NOTIFY_WAIT.toSeconds() + 20, TimeUnit.SECONDS)).isEqualTo(Transfer.transferred());
            assertThat(l.ended.get(10, TimeUnit.SECONDS)).isEqualTo(new EndCause(Kind.HANGUP, 200, "transferred"));
            assertThat(sipp.awaitExit(Duration.ofSeconds(10))).as(sipp.log()).isZero();
        }
    }

    @Test
    void a_call_not_yet_answered_cannot_be_transferred(@TempDir Path dir) throws Exception {
        try (Sipp sipp = Sipp.start(dir, "ring-forever.xml", 1)) {
            RecordingListener l = new RecordingListener();
            CallLeg leg = dial(sipp, l);
            assertThat(leg.transfer("+14155550199").get(1, TimeUnit.SECONDS)).isEqualTo(Transfer.refused(null, "not_answered"));
            leg.hangup();
            assertThat(l.ended.get(10, TimeUnit.SECONDS).kind()).isEqualTo(Kind.CANCELED);
            assertThat(sipp.awaitExit(Duration.ofSeconds(10))).as("sipp saw our CANCEL: " + sipp.log()).isZero();
        }
    }
}
