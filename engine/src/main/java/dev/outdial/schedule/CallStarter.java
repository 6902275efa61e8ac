package dev.outdial.schedule;

import dev.outdial.telephony.CallRequest;
import dev.outdial.telephony.EndCause;
import dev.outdial.telephony.Telephony;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands claimed calls to their carriers, in the two steps the {@link Pacer} drives: {@link #take}
 * passes them through the start fence (one database round trip for a group), {@link #dial} places one
 * call. Counts the calls live and started, and how late each dial is against its slot and its due time.
 */
final class CallStarter implements Pacer.Starter {
    private static final Logger log = LoggerFactory.getLogger(CallStarter.class);

    private final Clock clock;
    private final CallTransitions transitions;
    private final Map<String, Telephony> telephony;
    private final CallEventWriter events;
    private final LineBackoff backoff;
    private final CallAgents agents;
    private final CallMediaOptions media;
    private final Map<String, Integer> held;
    private final WorkSignal signal;
    private final AtomicInteger live = new AtomicInteger();
    private final AtomicLong started = new AtomicLong();
    private final AtomicLong early = new AtomicLong();
    private final Recorder slotToDial = new Recorder(3);
    private final Recorder dueToDial = new Recorder(3);

    /**
     * @param held   the calls this node holds leases on (call id → attempt); a call not taken is let go of here
     * @param signal told when a call ends, since a place on its line is free again
     */
    CallStarter(Clock clock, CallTransitions transitions, Map<String, Telephony> telephony, CallEventWriter events,
                LineBackoff backoff, CallAgents agents, CallMediaOptions media, Map<String, Integer> held, WorkSignal signal) {
        this.clock = clock;
        this.transitions = transitions;
        this.telephony = Map.copyOf(telephony);
        this.events = events;
        this.backoff = backoff;
        this.agents = agents;
        this.media = media;
        this.held = held;
        this.signal = signal;
    }

    @Override
    public List<ClaimedCall> take(List<ClaimedCall> due) {
        List<ClaimedCall> ours;
        try {
            ours = transitions.markStarted(due);
        } catch (RuntimeException e) {
            // Not started, so never dialed: let go of them; their leases expire and the calls are released as they were.
            log.error("dispatcher: could not start {} claimed calls; they will be released when their leases expire", due.size(), e);
            due.forEach(call -> held.remove(call.callId(), call.attempt()));
            return List.of();
        }
        if (ours.size() < due.size()) {
            Set<String> taken = new HashSet<>();
            for (ClaimedCall call : ours) taken.add(call.callId());
            for (ClaimedCall call : due) {
                if (!taken.contains(call.callId())) held.remove(call.callId(), call.attempt()); // cancelled, suppressed or lost
            }
        }
        return new ArrayList<>(ours);
    }

    @Override
    public void dial(ClaimedCall call) {
        Instant now = clock.instant();
        if (now.isBefore(call.dialAt())) early.incrementAndGet(); // never, unless the pacer is wrong; the bench reports it
        slotToDial.recordValue(micros(call.dialAt(), now));
        dueToDial.recordValue(micros(call.dueAt(), now));
        Telephony t = telephony.get(call.provider());
        CallRunner runner;
        try {
            runner = new CallRunner(call, events, backoff, agents, () -> ended(call));
        } catch (RuntimeException e) {
            // Started but not dialed, and no runner to record an end: let go of it, so this node's check of its
            // untracked calls settles it as interrupted instead of it staying in dialing while the node runs.
            log.error("call {}: could not be dialed", call.callId(), e);
            held.remove(call.callId(), call.attempt());
            return;
        }
        live.incrementAndGet();
        started.incrementAndGet();
        if (t == null) {
            log.error("line {}: no telephony provider '{}' on this node; call {} fails", call.lineId(), call.provider(), call.callId());
            runner.ended(new EndCause(EndCause.Kind.FAILED, null, "no_provider"));
            return;
        }
        try {
            // No ring timeout of our own: the trunk's, else the provider's default (sip: OUTDIAL_SIP_RING_TIMEOUT_S).
            Duration ring = call.trunk() == null ? null : call.trunk().ringTimeout(null);
            java.nio.file.Path recording = media.recording(call);
            runner.legStarted(t.originate(new CallRequest(call.callId(), call.attempt(), call.from(), call.destination(),
                    ring, call.maxDuration(), call.trunk(), media.amd(call), recording), runner), recording);
        } catch (RuntimeException e) {
            log.error("call {}: originate failed", call.callId(), e);
            runner.ended(new EndCause(EndCause.Kind.FAILED, null, "originate_error"));
        }
    }

    /** Calls dialed by this node that have not ended yet. */
    int live() {
        return live.get();
    }

    /** Calls dialed by this node since it started. */
    long started() {
        return started.get();
    }

    /** Calls dialed before their slots since this node started: zero, unless the pacer is wrong. */
    long dialedEarly() {
        return early.get();
    }

    /** How late each dial came after its slot, in microseconds, since the last call of this method. */
    Histogram slotToDialMicros() {
        return slotToDial.getIntervalHistogram();
    }

    /** How late each dial came after its call fell due, in microseconds, since the last call of this method. */
    Histogram dueToDialMicros() {
        return dueToDial.getIntervalHistogram();
    }

    private void ended(ClaimedCall call) {
        held.remove(call.callId(), call.attempt());
        live.decrementAndGet();
        signal.freed(); // a place on the line is free again
    }

    /** Microseconds from {@code from} to {@code to}; zero when {@code to} is not later (clock steps, tests). */
    private static long micros(Instant from, Instant to) {
        long nanos = Duration.between(from, to).toNanos();
        return nanos <= 0 ? 0 : TimeUnit.NANOSECONDS.toMicros(nanos);
    }
}
