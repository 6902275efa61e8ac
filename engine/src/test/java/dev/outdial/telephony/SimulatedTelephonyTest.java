package dev.outdial.telephony;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outdial.config.OutdialConfig.SimulatedSettings;
import dev.outdial.telephony.EndCause.Kind;
import dev.outdial.telephony.simulated.SimulatedTelephony;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The simulated carrier does what its documented rule says, in order, ending exactly once. */
class SimulatedTelephonyTest {

    @Test
    void the_last_digit_picks_the_behaviour() {
        assertThat(SimulatedTelephony.behaviourOf("+14155552670")).isEqualTo(Kind.HANGUP);
        assertThat(SimulatedTelephony.behaviourOf("+14155552675")).isEqualTo(Kind.HANGUP);
        assertThat(SimulatedTelephony.behaviourOf("+14155552676")).isEqualTo(Kind.BUSY);
        assertThat(SimulatedTelephony.behaviourOf("+14155552677")).isEqualTo(Kind.NO_ANSWER);
        assertThat(SimulatedTelephony.behaviourOf("+14155552678")).isEqualTo(Kind.MACHINE);
        assertThat(SimulatedTelephony.behaviourOf("+14155552679")).isEqualTo(Kind.FAILED);
        assertThat(SimulatedTelephony.behaviourOf("sip:agent7@pbx.example.com")).isEqualTo(Kind.NO_ANSWER);
        assertThat(SimulatedTelephony.behaviourOf("sip:bob@pbx.example.com")).isEqualTo(Kind.HANGUP);
    }

    @Test
    void events_arrive_in_order_and_end_once() throws Exception {
        SimulatedTelephony t = new SimulatedTelephony(new SimulatedSettings(Duration.ofMillis(10), Duration.ofMillis(10)));
        try {
            assertThat(run(t, "+14155552670")).containsExactly("ringing", "answered human", "ended HANGUP 200");
            assertThat(run(t, "+14155552676")).containsExactly("ended BUSY 486");
            assertThat(run(t, "+14155552677")).containsExactly("ringing", "ended NO_ANSWER 480");
            assertThat(run(t, "+14155552678")).containsExactly("ringing", "answered machine", "ended MACHINE 200");
            assertThat(run(t, "+14155552679")).containsExactly("ended FAILED 404");
        } finally {
            t.close();
        }
    }

    @Test
    void hanging_up_before_answer_cancels_and_no_later_event_follows() throws Exception {
        SimulatedTelephony t = new SimulatedTelephony(new SimulatedSettings(Duration.ofMillis(200), Duration.ofSeconds(5)));
        try {
            List<String> events = new CopyOnWriteArrayList<>();
            CallLeg leg = t.originate(new CallRequest("cal_x", 1, "+1", "+14155552670", Duration.ofSeconds(30), Duration.ofMinutes(1)),
                    recorder(events, new CountDownLatch(1)));
            Thread.sleep(50);
            leg.hangup();
            Thread.sleep(400);
            assertThat(events).containsExactly("ringing", "ended CANCELED 487");
        } finally {
            t.close();
        }
    }

    @Test
    void a_transfer_of_an_answered_call_ends_it_as_transferred_unless_the_target_refuses() throws Exception {
        SimulatedTelephony t = new SimulatedTelephony(new SimulatedSettings(Duration.ofMillis(10), Duration.ofSeconds(30)));
        try {
            List<String> events = new CopyOnWriteArrayList<>();
            CountDownLatch answered = new CountDownLatch(1);
            CountDownLatch ended = new CountDownLatch(1);
            CallLeg leg = t.originate(new CallRequest("cal_x", 1, "+1", "+14155552670", Duration.ofSeconds(30), Duration.ofMinutes(1)),
                    recorder(events, ended, answered));
            assertThat(leg.transfer("+14155552671").get(5, TimeUnit.SECONDS))
                    .as("not answered yet").isEqualTo(Transfer.refused(null, "not_answered"));
            assertThat(answered.await(5, TimeUnit.SECONDS)).isTrue();
            assertThat(leg.transfer("+14155552676").get(5, TimeUnit.SECONDS)).isEqualTo(Transfer.refused(486, "busy"));
            assertThat(leg.transfer("sip:desk9@pbx.example.com").get(5, TimeUnit.SECONDS)).isEqualTo(Transfer.refused(404, "invalid_number"));
            assertThat(events).as("a refused transfer leaves the call up").containsExactly("ringing", "answered human");
            assertThat(leg.transfer("+14155552671").get(5, TimeUnit.SECONDS)).isEqualTo(Transfer.transferred());
            assertThat(ended.await(5, TimeUnit.SECONDS)).isTrue();
            assertThat(events).containsExactly("ringing", "answered human", "ended HANGUP 200 transferred");
            assertThat(leg.transfer("+14155552671").get(5, TimeUnit.SECONDS)).isEqualTo(Transfer.refused(null, "call_ended"));
        } finally {
            t.close();
        }
    }

    @Test
    void a_persona_answers_each_agent_turn_with_its_next_line_then_hangs_up() throws Exception {
        // Talk time 400 ms: without an agent the call would end then; with one it lasts until the script is done.
        SimulatedTelephony t = new SimulatedTelephony(new SimulatedSettings(Duration.ZERO, Duration.ofMillis(400), true));
        try {
            List<String> events = new CopyOnWriteArrayList<>();
            CountDownLatch ended = new CountDownLatch(1);
            java.util.concurrent.BlockingQueue<String> said = new java.util.concurrent.LinkedBlockingQueue<>();
            CountDownLatch answered = new CountDownLatch(1);
            CallLeg leg = t.originate(new CallRequest("cal_x", 1, "+1", "+14155550001", Duration.ofSeconds(30), Duration.ofMinutes(1)),
                    recorder(events, ended, answered));
            assertThat(answered.await(5, TimeUnit.SECONDS)).isTrue();
            TextCallee callee = leg.textCallee();
            assertThat(callee).as("a person answered and personas are on").isNotNull();
            assertThat(leg.textCallee()).as("one callee per leg").isSameAs(callee);
            callee.replyTo(said::add);
            Thread.sleep(600); // past the talk time: the call goes on, an agent is talking
            assertThat(events).containsExactly("ringing", "answered human");
            callee.heard("Hi, this is Acme Clinic about Monday.");
            assertThat(said.poll(5, TimeUnit.SECONDS)).isEqualTo("Yes, that works for me. I'll be there.");
            callee.heard("Anything else?");
            assertThat(said.poll(5, TimeUnit.SECONDS)).isEqualTo("No, that's all. Thanks!");
            callee.heard("Have a good day.");
            assertThat(ended.await(5, TimeUnit.SECONDS)).as("the script is done: the callee hangs up").isTrue();
            assertThat(events).containsExactly("ringing", "answered human", "ended HANGUP 200");
            assertThat(said).isEmpty();
        } finally {
            t.close();
        }
    }

    @Test
    void without_personas_or_for_machines_there_is_no_text_callee() throws Exception {
        SimulatedTelephony quiet = new SimulatedTelephony(new SimulatedSettings(Duration.ZERO, Duration.ofSeconds(5)));
        SimulatedTelephony talking = new SimulatedTelephony(new SimulatedSettings(Duration.ZERO, Duration.ofSeconds(5), true));
        try {
            assertThat(answeredLeg(quiet, "+14155550001").textCallee()).isNull();
            assertThat(answeredLeg(talking, "+14155550008").textCallee()).as("an answering machine").isNull();
            assertThat(answeredLeg(talking, "+14155550001").textCallee()).isNotNull();
        } finally {
            quiet.close();
            talking.close();
        }
    }

    private static CallLeg answeredLeg(SimulatedTelephony t, String to) throws InterruptedException {
        CountDownLatch answered = new CountDownLatch(1);
        CallLeg leg = t.originate(new CallRequest("cal_x", 1, "+1", to, Duration.ofSeconds(30), Duration.ofMinutes(1)),
                recorder(new CopyOnWriteArrayList<>(), new CountDownLatch(1), answered));
        assertThat(answered.await(5, TimeUnit.SECONDS)).isTrue();
        return leg;
    }

    private static List<String> run(SimulatedTelephony t, String to) throws InterruptedException {
        List<String> events = new CopyOnWriteArrayList<>();
        CountDownLatch ended = new CountDownLatch(1);
        t.originate(new CallRequest("cal_x", 1, "+1", to, Duration.ofSeconds(30), Duration.ofMinutes(1)), recorder(events, ended));
        assertThat(ended.await(5, TimeUnit.SECONDS)).isTrue();
        return events;
    }

    private static CallListener recorder(List<String> events, CountDownLatch ended) {
        return recorder(events, ended, new CountDownLatch(1));
    }

    private static CallListener recorder(List<String> events, CountDownLatch ended, CountDownLatch answered) {
        return new CallListener() {
            @Override
            public void ringing() {
                events.add("ringing");
            }

            @Override
            public void answered(boolean machine) {
                events.add(machine ? "answered machine" : "answered human");
                answered.countDown();
            }

            @Override
            public void ended(EndCause cause) {
                events.add("ended " + cause.kind() + " " + cause.sipCode() + ("transferred".equals(cause.reason()) ? " transferred" : ""));
                ended.countDown();
            }
        };
    }
}
