package dev.outdial.schedule;

import dev.outdial.telephony.CallListener;
import dev.outdial.telephony.EndCause;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Turns one leg's events into the call's state changes, in order, off the carrier's thread. */
final class CallRunner implements CallListener {
    private static final Logger log = LoggerFactory.getLogger(CallRunner.class);

    private final ClaimedCall call;
    private final CallTransitions transitions;
    private final SerialExecutor serial;
    private final Runnable onEnd;
    private volatile boolean answered;

    CallRunner(ClaimedCall call, CallTransitions transitions, Executor executor, Runnable onEnd) {
        this.call = call;
        this.transitions = transitions;
        this.serial = new SerialExecutor(executor);
        this.onEnd = onEnd;
    }

    @Override
    public void ringing() {
        serial.execute(() -> guarded("ringing", () -> transitions.ringing(call)));
    }

    @Override
    public void answered(boolean machine) {
        answered = true;
        serial.execute(() -> guarded("answered", () -> transitions.answered(call, machine)));
    }

    @Override
    public void ended(EndCause cause) {
        serial.execute(() -> {
            try {
                guarded("ended", () -> transitions.ended(call, outcome(cause, answered), cause.sipCode(), cause.reason()));
            } finally {
                onEnd.run();
            }
        });
    }

    /** The call outcome an ended leg means. */
    static String outcome(EndCause cause, boolean answered) {
        return switch (cause.kind()) {
            case HANGUP -> answered ? "completed" : "failed";
            case MACHINE -> "voicemail";
            case BUSY -> "busy";
            case NO_ANSWER -> "no_answer";
            case FAILED -> "failed";
            case CANCELED -> "canceled";
        };
    }

    private void guarded(String what, Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            // The lease will expire and another node will settle the call as interrupted: nothing is lost.
            log.error("call {}: recording '{}' of attempt {} failed; the lease will expire and the retry policy decide",
                    call.callId(), what, call.attempt(), e);
        }
    }
}
