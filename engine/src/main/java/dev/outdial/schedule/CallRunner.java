package dev.outdial.schedule;

import dev.outdial.telephony.CallListener;
import dev.outdial.telephony.EndCause;

/**
 * Turns one leg's events into the call's state changes. It only queues them: the carrier's thread
 * is never held up by the database, and the {@link CallEventWriter} writes them in order, in batches.
 */
final class CallRunner implements CallListener {
    private final ClaimedCall call;
    private final CallEventWriter writer;
    private final Runnable onEnd;
    private final LineBackoff backoff;
    private volatile boolean answered;

    CallRunner(ClaimedCall call, CallEventWriter writer, LineBackoff backoff, Runnable onEnd) {
        this.call = call;
        this.writer = writer;
        this.backoff = backoff;
        this.onEnd = onEnd;
    }

    @Override
    public void ringing() {
        backoff.reached(call.lineId());
        writer.ringing(call);
    }

    @Override
    public void answered(boolean machine) {
        answered = true;
        backoff.reached(call.lineId());
        writer.answered(call, machine);
    }

    @Override
    public void ended(EndCause cause) {
        if (cause.kind() == EndCause.Kind.LINE_TROUBLE) backoff.trouble(call.lineId(), cause.sipCode());
        writer.ended(call, outcome(cause, answered), cause.sipCode(), cause.reason(), onEnd);
    }

    /** The call outcome an ended leg means. */
    static String outcome(EndCause cause, boolean answered) {
        return switch (cause.kind()) {
            case HANGUP -> answered ? "completed" : "failed";
            case MACHINE -> "voicemail";
            case BUSY -> "busy";
            case NO_ANSWER -> "no_answer";
            case FAILED, LINE_TROUBLE -> "failed";
            // Outdial hangs up an unanswered leg only when its node stops: the callee did nothing wrong, so
            // the attempt counts as interrupted and the retry policy brings the call back (never at once).
            case CANCELED -> "interrupted";
        };
    }
}
