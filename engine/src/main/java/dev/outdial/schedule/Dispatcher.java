package dev.outdial.schedule;

import dev.outdial.config.OutdialConfig.DispatchSettings;
import dev.outdial.store.Database;
import dev.outdial.telephony.Telephony;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The schedule's front door: on every node it claims due calls per line, paces their starts,
 * dials them through the line's telephony provider, records what happens, and keeps leases and
 * batches in order.
 *
 * <p>Threads: one claim loop, one pacer, one housekeeping loop, one LISTEN connection, and one
 * writer of call events (batched). All state lives in PostgreSQL; a crash loses only leases, which
 * expire. Stopping runs in order: stop claiming → dial the calls already taken for dialing at their
 * slots (within the arm lead) and give back the others not yet dialed → let live calls
 * end (up to a limit) → stop renewing leases.
 *
 * <p>Tests run it without the loops ({@link DispatchSettings#enabled()} false) and drive each step
 * on a controlled clock: {@link #claimDue()}, {@link #startDue()}, {@link #housekeep()}.
 */
public final class Dispatcher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);
    /** How often the housekeeping loop runs (with ±10 % jitter). */
    private static final Duration HOUSEKEEPING_INTERVAL = Duration.ofSeconds(1);
    /** How long a stopping node waits for agents to hand over their transcripts after the calls ended (a model may take 15 s). */
    private static final Duration AGENT_WRAP_UP = Duration.ofSeconds(20);
    /** Re-claim delay for a line whose next second of slots is handed out. */
    private static final long SATURATED_WAIT_MS = 20;
    /**
     * While calls end on busy lines, the claim loop goes back to those lines alone and looks for other
     * lines with due work at most this often: the look walks each line's queue index, ~15 ms at
     * 1,000,000 calls, and calls end thousands of times a second (new work or no busy line still make
     * it look at once).
     */
    private static final long LINE_SCAN_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(250);

    private final Clock clock;
    private final DispatchSettings settings;
    private final LineClaimer claimer;
    private final CallTransitions transitions;
    private final Housekeeper housekeeper;
    private final Pacer pacer;
    private final CallStarter starter;
    private final WorkSignal signal;
    private final String nodeId;
    private final WorkListener listener;
    private final CallEventWriter events;
    private final LineBackoff backoff;
    private final CallMediaOptions media;
    private final CallAgents agents;
    private final CallAnalyses analyses;
    /** Calls this node holds a lease on (claimed, queued or live) → attempt; only these leases are renewed. */
    private final Map<String, Integer> held = new java.util.concurrent.ConcurrentHashMap<>();
    private final AtomicLong loopErrors = new AtomicLong();
    private volatile boolean running;
    private volatile boolean housekeepingRunning;
    private volatile boolean heartbeatRunning;
    private Thread heartbeatThread;
    private Thread claimThread;
    private Thread housekeepingThread;

    /**
     * @param recordings where calls of agents that record are recorded (one folder per organization)
     * @param voice      speaks the messages left on answering machines
     * @param agentRuntime puts the AI agent on answered calls whose agent has engines
     * @param analysis     analyses each conversation after the call
     */
    public Dispatcher(Database db, Clock clock, String nodeId, DispatchSettings settings, Map<String, Telephony> telephony,
                      WorkSignal signal, java.nio.file.Path recordings, dev.outdial.agent.speech.Voice voice,
                      dev.outdial.agent.AgentRuntime agentRuntime, dev.outdial.agent.CallAnalysis analysis) {
        this.media = new CallMediaOptions(recordings, voice, clock);
        this.analyses = analysis == null ? null : new CallAnalyses(db, clock, analysis);
        this.agents = new CallAgents(db, clock, agentRuntime, analyses);
        this.clock = clock;
        this.settings = settings;
        this.signal = signal;
        this.nodeId = nodeId;
        this.claimer = new LineClaimer(db, clock, nodeId, settings.slotHorizon(), settings.leaseDuration(), settings.maxClaim());
        this.transitions = new CallTransitions(db, clock, nodeId);
        this.housekeeper = new Housekeeper(db, clock, nodeId, settings.leaseDuration(), transitions);
        this.events = new CallEventWriter(db, clock, nodeId, transitions);
        java.util.concurrent.ThreadFactory backoffThreads = Thread.ofVirtual().name("line-backoff").factory();
        this.backoff = new LineBackoff(db, clock, task -> backoffThreads.newThread(task).start());
        this.starter = new CallStarter(clock, transitions, telephony, events, backoff, agents, media, held, signal);
        this.pacer = new Pacer(clock, settings.armLead(), starter);
        this.listener = new WorkListener(db, signal);
    }

    /** Starts the loops, unless the settings disable them (tests drive the steps themselves). */
    public void start() {
        // Always, even when the loops are off: the node must be registered before it claims anything.
        int recovered = housekeeper.recoverOwnLeases();
        if (recovered > 0) log.warn("dispatcher: settled {} calls a previous process with node id {} left live", recovered, nodeId);
        if (!settings.enabled()) return;
        running = true;
        heartbeatRunning = true;
        heartbeatThread = Thread.ofPlatform().daemon().name("heartbeat").start(this::heartbeatLoop);
        pacer.start();
        listener.start();
        claimThread = Thread.ofPlatform().daemon().name("dispatcher").start(this::claimLoop);
        housekeepingRunning = true;
        housekeepingThread = Thread.ofPlatform().daemon().name("housekeeper").start(this::housekeepingLoop);
    }

    /** One claim round over every line with due work; returns the calls claimed and queued for their slots. */
    public int claimDue() {
        return claimLines(claimer.linesWithDueWork()).stream().mapToInt(r -> r.calls().size()).sum();
    }

    /** Starts every claimed call whose slot has come (normally the pacer's thread does this). */
    public int startDue() {
        return pacer.startDue();
    }

    /** One round of housekeeping: lease renewal and expiry, deadlines, batch completion, live-call tallies, overdue analyses. */
    public void housekeep() {
        housekeeper.heartbeat();
        housekeeper.expireLeases();
        housekeeper.settleOrphans(held);
        housekeeper.expireDeadlines();
        housekeeper.completeBatches();
        housekeeper.foldLiveTallies();
        if (analyses != null) analyses.catchUp();
    }

    /** Stops renewing the lease of one call, as if this node had lost track of it (tests of lease expiry). */
    public void forget(String callId) {
        held.remove(callId);
    }

    /** Calls of this node that are dialing, ringing or talking. */
    public int liveCalls() {
        return starter.live();
    }

    /** Calls handed to a carrier by this node since it started. */
    public long startedCalls() {
        return starter.started();
    }

    /** Calls this node dialed before their slots: zero, unless the pacer is wrong (the bench reports it). */
    public long dialedEarly() {
        return starter.dialedEarly();
    }

    /** How late each dial came after its slot, in microseconds, since the last call (the pacer's precision). */
    public org.HdrHistogram.Histogram slotToDialMicros() {
        return starter.slotToDialMicros();
    }

    /** How late each dial came after its call fell due, in microseconds, since the last call (the scheduling latency). */
    public org.HdrHistogram.Histogram dueToDialMicros() {
        return starter.dueToDialMicros();
    }

    /** Claimed calls waiting for their dial slot. */
    public int queuedCalls() {
        return pacer.queued();
    }

    private LineClaimer.Result claimLine(String lineId) {
        LineClaimer.Result r = claimer.claim(lineId);
        for (ClaimedCall call : r.calls()) held.put(call.callId(), call.attempt());
        if (!r.calls().isEmpty()) pacer.add(r.calls());
        return r;
    }

    private List<LineClaimer.Result> claimLines(List<String> lines) {
        return ClaimRound.run(lines, this::claimLine);
    }

    private void claimLoop() {
        List<String> lines = List.of();
        long lastScan = System.nanoTime() - LINE_SCAN_INTERVAL_NANOS;
        WorkSignal.Wake wake = WorkSignal.Wake.NEW_WORK;
        while (running) {
            try {
                long now = System.nanoTime();
                if (wake == WorkSignal.Wake.NEW_WORK || lines.isEmpty() || now - lastScan >= LINE_SCAN_INTERVAL_NANOS) {
                    lines = claimer.linesWithDueWork();
                    lastScan = now;
                }
                boolean saturated = false;
                boolean full = false;
                List<String> busy = new ArrayList<>();
                List<LineClaimer.Result> results = claimLines(lines);
                for (int i = 0; i < results.size(); i++) {
                    saturated |= results.get(i).saturated();
                    full |= results.get(i).full();
                    if (results.get(i).busy()) busy.add(lines.get(i));
                }
                lines = busy;
                // Within half a horizon of any call falling due, a round has claimed it: it starts on time.
                long idleMs = Math.min(settings.pollInterval().toMillis(), settings.slotHorizon().toMillis() / 2);
                wake = awaitRound(TimeUnit.MILLISECONDS.toNanos(saturated ? SATURATED_WAIT_MS : Math.max(1, idleMs)), full);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Throwable t) { // the loop must never die: log, count, back off, go on
                loopErrors.incrementAndGet();
                log.error("dispatcher: claim round failed; retrying in 1 s", t);
                sleepQuietly(1000);
                wake = WorkSignal.Wake.NEW_WORK;
            }
        }
    }

    /**
     * Waits for the next claim round: until {@code waitNanos} pass or new work is signalled. A call's end
     * cuts the wait short only when a line was full, since only a full line has a place to fill at once;
     * for the others their next calls are claimed half a horizon ahead anyway. Ending the wait at every
     * end (thousands a second) made each line's claims small and many, each with its line lock, tally fold
     * and commit: on four lines, 5,384 claims of 11 calls on average at 2,000 calls/s (216 of 278 now), and
     * 3,590 of 84 at 6,000/s (258 of 1,163 now); CPU per call at 2,000/s 1,006–1,010 → 928–945 µs.
     */
    private WorkSignal.Wake awaitRound(long waitNanos, boolean fullLine) throws InterruptedException {
        long until = System.nanoTime() + waitNanos;
        while (true) {
            WorkSignal.Wake wake = signal.await(Math.max(1, until - System.nanoTime()));
            if (wake != WorkSignal.Wake.FREED || fullLine || System.nanoTime() >= until) return wake;
        }
    }

    /** The node's heartbeat, on its own thread so that slow housekeeping can never let this node's claims lapse. */
    private void heartbeatLoop() {
        while (heartbeatRunning) {
            try {
                housekeeper.heartbeat();
            } catch (Throwable t) {
                loopErrors.incrementAndGet();
                log.error("heartbeat: failed; the node's claims lapse if this goes on for {}", settings.leaseDuration(), t);
            }
            sleepQuietly(settings.leaseRenewal().toMillis());
        }
    }

    private void housekeepingLoop() {
        long lastOrphanCheck = System.nanoTime();
        while (housekeepingRunning) {
            try {
                long nowNanos = System.nanoTime();
                if (nowNanos - lastOrphanCheck >= settings.leaseDuration().toNanos()) {
                    housekeeper.settleOrphans(held);
                    lastOrphanCheck = nowNanos;
                }
                housekeeper.expireLeases();
                housekeeper.expireDeadlines();
                housekeeper.completeBatches();
                housekeeper.foldLiveTallies();
                if (analyses != null) analyses.catchUp();
                if (ThreadLocalRandom.current().nextInt(600) == 0) {
                    housekeeper.purgeIdempotency();
                    housekeeper.purgeNodes();
                }
            } catch (Throwable t) {
                loopErrors.incrementAndGet();
                log.error("housekeeper: round failed; continuing", t);
            }
            long base = HOUSEKEEPING_INTERVAL.toMillis();
            sleepQuietly(base + ThreadLocalRandom.current().nextLong(-base / 10, base / 10 + 1));
        }
    }

    /**
     * Stops in order: no new claims, calls taken for dialing are dialed at their slots and the others
     * waiting for their slot go back to the queue, live calls
     * get up to {@code drain} to end, and leases are renewed until then. Calling it twice is harmless.
     */
    public void stop(Duration drain) {
        stop(drain, () -> { });
    }

    /**
     * As {@link #stop(Duration)}; {@code hangUp} is run if calls are still live when the drain ends
     * (the carriers hang them up), and their ends are recorded before the loops stop.
     */
    public void stop(Duration drain, Runnable hangUp) {
        if (!running && claimThread == null) {
            List<ClaimedCall> queued = pacer.stop();
            queued.forEach(call -> held.remove(call.callId(), call.attempt()));
            transitions.release(queued);
            if (starter.live() > 0) hangUpAndWait(hangUp);
            events.close();
            return;
        }
        running = false;
        signal.run();
        join(claimThread);
        claimThread = null;
        List<ClaimedCall> queued = pacer.stop();
        queued.forEach(call -> held.remove(call.callId(), call.attempt()));
        int released = transitions.release(queued);
        if (released > 0) log.info("dispatcher: gave back {} claimed calls not yet dialed", released);
        long deadline = System.nanoTime() + drain.toNanos();
        while (starter.live() > 0 && System.nanoTime() < deadline) {
            sleepQuietly(50); // the housekeeping loop keeps renewing the live calls' leases meanwhile
        }
        if (starter.live() > 0) {
            log.warn("dispatcher: {} calls still live after {}; hanging up", starter.live(), drain);
            hangUpAndWait(hangUp);
        }
        // A call's end is recorded before its agent has handed its transcript over: wait for them, before the database goes.
        if (!agents.awaitIdle(AGENT_WRAP_UP)) {
            log.warn("dispatcher: agents still busy {} after their calls ended; their transcripts are lost", AGENT_WRAP_UP);
        }
        events.close(); // every recorded end is written before the heartbeat stops
        housekeepingRunning = false;
        join(housekeepingThread);
        housekeepingThread = null;
        heartbeatRunning = false;
        join(heartbeatThread);
        heartbeatThread = null;
        listener.close();
    }

    private void hangUpAndWait(Runnable hangUp) {
        hangUp.run();
        long until = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (starter.live() > 0 && System.nanoTime() < until) sleepQuietly(20);
        if (starter.live() > 0) {
            log.warn("dispatcher: {} calls did not report their end; their leases will expire and they will be settled as interrupted",
                    starter.live());
        }
    }

    /**
     * Stops every thread at once without writing anything: what a crash leaves behind. Tests use
     * it to check that leases expire and nothing is dialed twice.
     */
    public void crash() {
        running = false;
        housekeepingRunning = false;
        heartbeatRunning = false;
        join(heartbeatThread);
        signal.run();
        join(claimThread);
        pacer.abandon(); // calls taken for dialing but not yet dialed stay so, as a killed process leaves them
        join(housekeepingThread);
        listener.close();
        events.abandon();
    }

    @Override
    public void close() {
        stop(Duration.ofSeconds(10));
    }

    private static void join(Thread t) {
        if (t == null) return;
        t.interrupt();
        try {
            t.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void sleepQuietly(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
