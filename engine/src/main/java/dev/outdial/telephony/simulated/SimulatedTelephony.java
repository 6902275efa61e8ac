package dev.outdial.telephony.simulated;

import dev.outdial.config.OutdialConfig.SimulatedSettings;
import dev.outdial.telephony.CallLeg;
import dev.outdial.telephony.CallListener;
import dev.outdial.telephony.CallRequest;
import dev.outdial.telephony.EndCause;
import dev.outdial.telephony.EndCause.Kind;
import dev.outdial.media.AnsweringMachineDetector;
import dev.outdial.telephony.Telephony;
import dev.outdial.telephony.TextCallee;
import dev.outdial.telephony.Transfer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A deterministic carrier and callee for demos and load tests. The destination's last digit
 * decides what happens (a SIP URI uses the last digit it contains; none counts as 0):
 *
 * <pre>
 *   0–5  answered by a person, talks for talk_time, then hangs up    → completed
 *   6    busy (SIP 486) at once                                         → busy
 *   7    rings for ring_time, then no answer (SIP 480)                  → no_answer
 *   8    answered by an answering machine after ring_time              → voicemail
 *   9    number does not exist (SIP 404) at once                       → failed, invalid_number
 * </pre>
 *
 * With personas on (the default outside load tests), a person who answers talks with the agent in
 * words ({@link TextCallee}): the second-to-last digit picks a scripted {@link Persona}. Once an agent
 * speaks to it, the call lasts until one side hangs up or the maximum duration is reached, instead
 * of talk_time; the callee pauses a quarter of talk_time (at most 2 s) before each line. A persona
 * nobody talks to hangs up after talk_time, but never within {@link #PERSONA_PATIENCE}.
 * A transfer of an answered call follows the same rule on the target's last digit: 6, 7, 8 and 9
 * refuse it (486 busy, 480 no_answer, 480 no_answer, 404 invalid_number) and the call goes on;
 * any other digit takes the callee, and the leg ends as completed, {@code transferred}.
 *
 * Timers run on one scheduler thread, not a thread per call, so a load test can hold many
 * thousands of simulated calls at once.
 */
public final class SimulatedTelephony implements Telephony {
    /** How long a persona nobody talks to stays on the line, at least: an agent may take a moment to start. */
    static final Duration PERSONA_PATIENCE = Duration.ofSeconds(10);

    private final SimulatedSettings settings;
    private final java.util.Set<Leg> live = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "simulated-carrier");
        t.setDaemon(true);
        return t;
    });

    public SimulatedTelephony(SimulatedSettings settings) {
        this.settings = settings;
    }

    @Override
    public String provider() {
        return "simulated";
    }

    /** The documented rule: what a call to {@code destination} will do. */
    public static Kind behaviourOf(String destination) {
        int digit = 0;
        for (int i = destination.length() - 1; i >= 0; i--) {
            char ch = destination.charAt(i);
            if (ch >= '0' && ch <= '9') {
                digit = ch - '0';
                break;
            }
        }
        return switch (digit) {
            case 6 -> Kind.BUSY;
            case 7 -> Kind.NO_ANSWER;
            case 8 -> Kind.MACHINE;
            case 9 -> Kind.FAILED;
            default -> Kind.HANGUP;
        };
    }

    @Override
    public CallLeg originate(CallRequest request, CallListener listener) {
        Leg leg = new Leg(listener, request);
        live.add(leg);
        Duration ring = min(settings.ringTime(), request.ringTimeout());
        Duration talk = min(settings.talkTime(), request.maxDuration());
        switch (behaviourOf(request.to())) {
            case BUSY -> leg.at(Duration.ZERO, () -> leg.end(new EndCause(Kind.BUSY, 486, "busy_here")));
            case FAILED -> leg.at(Duration.ZERO, () -> leg.end(new EndCause(Kind.FAILED, 404, "invalid_number")));
            case NO_ANSWER -> {
                leg.at(Duration.ZERO, listener::ringing);
                leg.at(ring, () -> leg.end(new EndCause(Kind.NO_ANSWER, 480, "no_answer")));
            }
            case MACHINE -> {
                leg.at(Duration.ZERO, listener::ringing);
                leg.at(ring, () -> leg.answer(true));
                leg.at(ring.plus(talk), () -> leg.end(new EndCause(Kind.MACHINE, 200, "answering_machine")));
            }
            default -> {
                leg.at(Duration.ZERO, listener::ringing);
                leg.at(ring, () -> leg.answer(false));
                // A persona waits longer for the agent to start talking (it may take a moment) than a plain callee talks.
                Duration untilHangup = settings.personas() && talk.compareTo(PERSONA_PATIENCE) < 0 ? PERSONA_PATIENCE : talk;
                leg.talkTimer = leg.at(ring.plus(untilHangup), () -> leg.end(new EndCause(Kind.HANGUP, 200, "callee_hangup")));
            }
        }
        return leg;
    }

    private static Duration min(Duration a, Duration b) {
        return b == null || a.compareTo(b) <= 0 ? a : b;
    }

    /** Hangs up every leg still up, then stops the timers. */
    @Override
    public void close() {
        for (Leg leg : live) {
            try {
                leg.hangup();
            } catch (RuntimeException e) {
                // the listener is gone (its node crashed or stopped): nothing left to tell
            }
        }
        timers.shutdownNow();
    }

    /** One simulated leg: its pending timers and whether it has ended. */
    private final class Leg implements CallLeg {
        private final CallListener listener;
        private final CallRequest request;
        private final AtomicBoolean ended = new AtomicBoolean();
        private volatile boolean answered;
        private volatile boolean human;
        /** The simulated carrier knows who answers: as answering-machine detection would tell. */
        private final CompletableFuture<AnsweringMachineDetector.Result> answeredBy = new CompletableFuture<>();
        private volatile ScheduledFuture<?> talkTimer;
        /** Transfers asked for; one still open when the leg ends (the callee hung up first) ends with it. */
        private final java.util.List<CompletableFuture<Transfer>> transfers = new java.util.concurrent.CopyOnWriteArrayList<>();
        private final java.util.List<ScheduledFuture<?>> pending = new java.util.concurrent.CopyOnWriteArrayList<>();

        Leg(CallListener listener, CallRequest request) {
            this.listener = listener;
            this.request = request;
        }

        ScheduledFuture<?> at(Duration delay, Runnable step) {
            ScheduledFuture<?> f = timers.schedule(() -> {
                if (!ended.get()) step.run();
            }, delay.toNanos(), TimeUnit.NANOSECONDS);
            pending.add(f);
            return f;
        }

        void answer(boolean machine) {
            answered = true;
            human = !machine;
            answeredBy.complete(machine ? AnsweringMachineDetector.Result.MACHINE : AnsweringMachineDetector.Result.HUMAN);
            listener.answered(machine);
        }

        @Override
        public CompletableFuture<AnsweringMachineDetector.Result> answeredBy() {
            return answeredBy;
        }

        private Callee callee;

        @Override
        public synchronized TextCallee textCallee() {
            if (callee == null && settings.personas() && human) callee = new Callee(Persona.of(request.to()));
            return callee;
        }

        /** The persona on this leg, talking in words. */
        private final class Callee implements TextCallee {
            private final Persona persona;
            private final Duration pause = min(settings.talkTime().dividedBy(4), Duration.ofSeconds(2));
            private volatile java.util.function.Consumer<String> replies;
            private volatile ScheduledFuture<?> nextLine;
            private int said; // only touched on the timer thread

            Callee(Persona persona) {
                this.persona = persona;
            }

            @Override
            public void replyTo(java.util.function.Consumer<String> replies) {
                this.replies = replies;
                // An agent talks on this call now: it lasts until someone hangs up, at most the maximum duration.
                ScheduledFuture<?> t = talkTimer;
                if (t != null) t.cancel(false);
                if (request.maxDuration() != null) at(request.maxDuration(), () -> end(new EndCause(Kind.HANGUP, 200, "max_duration")));
            }

            @Override
            public void heard(String agentTurn) {
                if (persona.silent()) return;
                // The agent may say more before the pause is over (a fallback after a failed turn): one answer for all of it.
                ScheduledFuture<?> previous = nextLine;
                if (previous != null) previous.cancel(false);
                nextLine = at(pause, () -> {
                    if (said < persona.lines().size()) {
                        replies.accept(persona.lines().get(said++));
                    } else {
                        end(new EndCause(Kind.HANGUP, 200, "callee_hangup"));
                    }
                });
            }
        }

        void end(EndCause cause) {
            if (ended.compareAndSet(false, true)) {
                live.remove(this);
                pending.forEach(f -> f.cancel(false));
                answeredBy.complete(AnsweringMachineDetector.Result.UNKNOWN); // nobody answered (no-op if someone did)
                listener.ended(cause);
                transfers.forEach(t -> t.complete(Transfer.refused(null, "call_ended")));
            }
        }

        @Override
        public void hangup() {
            end(answered ? new EndCause(Kind.HANGUP, 200, "agent_hangup") : new EndCause(Kind.CANCELED, 487, "canceled"));
        }

        /** The target's last digit decides, as for a call (see the class comment); on the timer thread, like every event. */
        @Override
        public CompletableFuture<Transfer> transfer(String target) {
            CompletableFuture<Transfer> result = new CompletableFuture<>();
            if (!answered || ended.get()) {
                result.complete(Transfer.refused(null, ended.get() ? "call_ended" : "not_answered"));
                return result;
            }
            transfers.add(result);
            if (ended.get()) result.complete(Transfer.refused(null, "call_ended")); // it ended before end() could see this one
            at(Duration.ZERO, () -> {
                switch (behaviourOf(target)) {
                    case BUSY -> result.complete(Transfer.refused(486, "busy"));
                    case NO_ANSWER, MACHINE -> result.complete(Transfer.refused(480, "no_answer"));
                    case FAILED -> result.complete(Transfer.refused(404, "invalid_number"));
                    default -> {
                        result.complete(Transfer.transferred());
                        end(new EndCause(Kind.HANGUP, 200, "transferred"));
                    }
                }
            });
            return result;
        }
    }
}
