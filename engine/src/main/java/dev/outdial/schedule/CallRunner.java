package dev.outdial.schedule;

import dev.outdial.agent.AgentRuntime;
import dev.outdial.media.AnsweringMachineDetector;
import dev.outdial.telephony.CallLeg;
import dev.outdial.telephony.CallListener;
import dev.outdial.telephony.EndCause;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns one leg's events into the call's state changes. It only queues them: the carrier's thread
 * is never held up by the database, and the {@link CallEventWriter} writes them in order, in batches.
 */
final class CallRunner implements CallListener {
    private static final Logger log = LoggerFactory.getLogger(CallRunner.class);
    private final ClaimedCall call;
    private final CallEventWriter writer;
    private final Runnable onEnd;
    private final LineBackoff backoff;
    private final CallAgents agents;
    private volatile boolean answered;
    private volatile boolean over;
    private final AtomicBoolean agentStarted = new AtomicBoolean();
    private volatile AgentRuntime.Session agent;
    private volatile CallLeg leg;
    private volatile Path recording;

    CallRunner(ClaimedCall call, CallEventWriter writer, LineBackoff backoff, CallAgents agents, Runnable onEnd) {
        this.call = call;
        this.writer = writer;
        this.backoff = backoff;
        this.agents = agents;
        this.onEnd = onEnd;
    }

    /** The carrier took the call: its leg, and where it is being recorded (null: not). */
    void legStarted(CallLeg leg, Path recording) {
        this.leg = leg;
        this.recording = recording;
        if (answered) startAgent(leg); // a carrier may answer before originate has returned (the simulated one, ringing 0 s)
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
        CallLeg l = leg;
        if (l != null) startAgent(l);
    }

    /** Puts the agent on the answered leg, once: whichever of the answer and {@link #legStarted} comes second does it. */
    private void startAgent(CallLeg l) {
        if (agents != null && !over && agentStarted.compareAndSet(false, true)) {
            // The agent's settings come from the database: never on the carrier's thread.
            Thread.ofVirtual().name("agent-start " + call.callId()).start(() -> {
                try {
                    agent = agents.start(call, l);
                    if (over && agent != null) agent.callEnded(); // the call ended while the agent was starting
                } catch (RuntimeException e) {
                    // Nobody would speak to the callee: better to hang up than to leave them on a silent line.
                    log.error("call {}: the agent could not start; hanging up", call.callId(), e);
                    l.hangup();
                }
            });
        }
    }

    @Override
    public void ended(EndCause cause) {
        over = true;
        var a = agent;
        if (a != null) a.callEnded();
        if (cause.kind() == EndCause.Kind.LINE_TROUBLE) backoff.trouble(call.lineId(), cause.sipCode());
        CallLeg l = leg;
        AnsweringMachineDetector.Result by = l == null || !answered ? null : l.answeredBy().getNow(null);
        Path rec = recording;
        writer.ended(call, outcome(cause, answered), cause.sipCode(), cause.reason(),
                by == null ? null : by.name().toLowerCase(java.util.Locale.ROOT),
                answered && rec != null && Files.exists(rec) ? rec.toString() : null, onEnd);
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
