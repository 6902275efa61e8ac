package dev.outdial.media;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The 20 ms clock every call's media runs on. A timer per call would wake the machine tens of
 * thousands of times a second and drift call by call; instead a few platform threads ("lanes", one
 * per core up to {@link #MAX_LANES}) tick on shared absolute deadlines and serve their share of the
 * sessions: send a frame, read what arrived, hand listeners a frame.
 *
 * <p>Each 20 ms frame is cut into {@link #PHASES} phases of 5 ms, and each session belongs to one
 * lane and one phase (a new session joins the emptiest). A session is served once per frame, at its
 * phase, so its packets still go out exactly every 20 ms, but a lane never sends for all its calls
 * at once: at 1,000 calls on two lanes a phase serves 125, not 500, so no packet waits behind
 * hundreds of others (send lateness fell from p99 7.1 ms to the figure in bench/README.md), and the
 * packets leave in four small bursts instead of one large one. Within a phase every session sends
 * first, then every one reads, so reading never delays a send.
 *
 * <p>A phase that runs late does not shift the ones after it. When a lane falls more than
 * {@link #MAX_BEHIND_FRAMES} frames behind (a stalled machine), it skips the missed phases rather
 * than send a burst: RTP timestamps follow the frame number, so the far end hears a gap, not
 * sped-up audio. Two figures are recorded per phase: how late the lane woke, and the send lateness
 * (when its last packet of the phase went out, against when the phase was due).
 */
public final class MediaClock implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MediaClock.class);
    /** One frame of audio. */
    public static final long FRAME_NANOS = 20_000_000L;
    /** Phases per frame: sessions are spread over them. */
    static final int PHASES = 4;
    /** Frames a lane may fall behind before it skips ahead. */
    static final int MAX_BEHIND_FRAMES = 3;
    /** The most lanes, whatever the number of cores. */
    static final int MAX_LANES = 8;

    /** Something that sends and receives one frame per tick (per 20 ms frame, numbered from the clock's start). */
    interface Ticking {
        void send(long tick);

        void receive(long tick);
    }

    private final Lane[] lanes;
    private final java.util.Map<Ticking, CopyOnWriteArrayList<Ticking>> placeOf = new java.util.concurrent.ConcurrentHashMap<>();
    private final Recorder lateness = new Recorder(3);
    private final Recorder wakeLateness = new Recorder(3);
    /** Work a tick must not wait for (completing futures, file writes) goes here, off the clock thread. */
    private final ExecutorService offload = Executors.newVirtualThreadPerTaskExecutor();
    private final long start = System.nanoTime();
    private volatile boolean running = true;

    /** One lane per core (at most {@link #MAX_LANES}). */
    public MediaClock() {
        this(Math.min(MAX_LANES, Runtime.getRuntime().availableProcessors()));
    }

    public MediaClock(int laneCount) {
        if (laneCount < 1) throw new IllegalArgumentException("media clock lanes must be >= 1, got " + laneCount);
        lanes = new Lane[laneCount];
        for (int i = 0; i < laneCount; i++) lanes[i] = new Lane(i);
    }

    synchronized void add(Ticking session) {
        CopyOnWriteArrayList<Ticking> least = lanes[0].phases[0];
        for (Lane l : lanes) {
            for (CopyOnWriteArrayList<Ticking> phase : l.phases) if (phase.size() < least.size()) least = phase;
        }
        placeOf.put(session, least);
        least.add(session);
    }

    void remove(Ticking session) {
        CopyOnWriteArrayList<Ticking> place = placeOf.remove(session);
        if (place != null) place.remove(session);
    }

    /** Runs {@code task} off the clock thread. */
    void offload(Runnable task) {
        if (!offload.isShutdown()) offload.execute(task);
    }

    /** Sessions on the clock now. */
    public int sessions() {
        return placeOf.size();
    }

    /** How many sessions each lane's phase holds, lane by lane (for tests of the spreading). */
    List<Integer> placesInUse() {
        List<Integer> out = new java.util.ArrayList<>();
        for (Lane l : lanes) for (CopyOnWriteArrayList<Ticking> phase : l.phases) out.add(phase.size());
        return out;
    }

    /** Frames skipped because a lane fell behind, over all lanes. */
    public long skippedTicks() {
        long n = 0;
        for (Lane l : lanes) n += l.skipped;
        return n;
    }

    /** Send lateness (a lane's last packet of a phase sent vs when the phase was due) in microseconds since the last call: each call starts a new interval. */
    public Histogram latenessMicros() {
        return lateness.getIntervalHistogram();
    }

    /** How late the clock woke for its ticks, in microseconds, since the last call. */
    public Histogram wakeLatenessMicros() {
        return wakeLateness.getIntervalHistogram();
    }

    /** One thread serving its share of the sessions, phase by phase. */
    private final class Lane {
        @SuppressWarnings("unchecked")
        final CopyOnWriteArrayList<Ticking>[] phases = new CopyOnWriteArrayList[PHASES];
        final Thread thread;
        volatile long skipped;

        Lane(int index) {
            for (int i = 0; i < PHASES; i++) phases[i] = new CopyOnWriteArrayList<>();
            thread = Thread.ofPlatform().name("media-clock-" + index).daemon().priority(Thread.MAX_PRIORITY).start(this::run);
        }

        private void run() {
            long step = 0; // phases since the start: frame = step / PHASES
            long phaseNanos = FRAME_NANOS / PHASES;
            while (running) {
                long due = start + step * phaseNanos;
                long wait;
                while ((wait = due - System.nanoTime()) > 0 && running) LockSupport.parkNanos(wait);
                wakeLateness.recordValue(Math.max(0, -wait / 1000));
                long frame = step / PHASES;
                CopyOnWriteArrayList<Ticking> sessions = phases[(int) (step % PHASES)];
                if (!sessions.isEmpty()) {
                    for (Ticking s : sessions) {
                        try {
                            s.send(frame);
                        } catch (RuntimeException e) {
                            log.warn("media clock: a session failed to send; it goes on with the next", e);
                        }
                    }
                    lateness.recordValue(Math.max(0, (System.nanoTime() - due) / 1000));
                    for (Ticking s : sessions) {
                        try {
                            s.receive(frame);
                        } catch (RuntimeException e) {
                            log.warn("media clock: a session failed to receive; it goes on with the next", e);
                        }
                    }
                }
                step++;
                long behind = (System.nanoTime() - start) / phaseNanos - step;
                if (behind > (long) MAX_BEHIND_FRAMES * PHASES) {
                    skipped += behind / PHASES;
                    step += behind - behind % PHASES; // whole frames, so each session keeps its phase
                }
            }
        }
    }

    /** Stops the clock; sessions still on it stop being served. */
    @Override
    public void close() {
        running = false;
        for (Lane l : lanes) LockSupport.unpark(l.thread);
        offload.shutdown();
    }
}
