package dev.outdial.media;

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
 * per core up to {@link #MAX_LANES}) each tick on the same absolute deadlines (start + n × 20 ms) and
 * serve their share of the sessions: send a frame, read what arrived, hand listeners a frame. 1,000
 * calls cost 100 wake-ups a second on two cores, not 50,000. A new session joins the lane with the
 * fewest; lanes need no coordination, so a tick's lateness shrinks as cores are added.
 *
 * <p>A tick that runs late does not shift the ones after it. When the clock falls more than
 * {@link #MAX_BEHIND_TICKS} behind (a stalled machine), it skips the missed ticks rather than send
 * a burst: RTP timestamps follow the tick number, so the far end hears a gap, not sped-up audio.
 * A tick has two passes over the lane's sessions: first every session sends its frame, then every
 * one reads what arrived and feeds its listeners, so the packets go out as early as they can.
 * Two figures per tick are recorded: how late the clock woke, and the send lateness (when the lane's
 * last packet of the tick went out, against when it was due), which grows with the calls per lane.
 */
public final class MediaClock implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MediaClock.class);
    /** One frame of audio. */
    public static final long FRAME_NANOS = 20_000_000L;
    /** Ticks the clock may fall behind before it skips ahead. */
    static final int MAX_BEHIND_TICKS = 3;
    /** The most lanes, whatever the number of cores. */
    static final int MAX_LANES = 8;

    /** Something that sends and receives one frame per tick: every session of a lane sends first, then every one receives. */
    interface Ticking {
        void send(long tick);

        void receive(long tick);
    }

    private final Lane[] lanes;
    private final java.util.Map<Ticking, Lane> laneOf = new java.util.concurrent.ConcurrentHashMap<>();
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

    void add(Ticking session) {
        Lane least = lanes[0];
        for (Lane l : lanes) if (l.sessions.size() < least.sessions.size()) least = l;
        laneOf.put(session, least);
        least.sessions.add(session);
    }

    void remove(Ticking session) {
        Lane l = laneOf.remove(session);
        if (l != null) l.sessions.remove(session);
    }

    /** Runs {@code task} off the clock thread. */
    void offload(Runnable task) {
        if (!offload.isShutdown()) offload.execute(task);
    }

    /** Sessions on the clock now. */
    public int sessions() {
        return laneOf.size();
    }

    /** Ticks skipped because a lane fell behind, over all lanes. */
    public long skippedTicks() {
        long n = 0;
        for (Lane l : lanes) n += l.skipped;
        return n;
    }

    /** Send lateness (a lane's last packet of a tick sent vs due) in microseconds since the last call: each call starts a new interval. */
    public Histogram latenessMicros() {
        return lateness.getIntervalHistogram();
    }

    /** How late the clock woke for its ticks, in microseconds, since the last call. */
    public Histogram wakeLatenessMicros() {
        return wakeLateness.getIntervalHistogram();
    }

    /** One thread ticking its share of the sessions. */
    private final class Lane {
        final CopyOnWriteArrayList<Ticking> sessions = new CopyOnWriteArrayList<>();
        final Thread thread;
        volatile long skipped;

        Lane(int index) {
            thread = Thread.ofPlatform().name("media-clock-" + index).daemon().priority(Thread.MAX_PRIORITY).start(this::run);
        }

        private void run() {
            long tick = 0;
            while (running) {
                long due = start + tick * FRAME_NANOS;
                long wait;
                while ((wait = due - System.nanoTime()) > 0 && running) LockSupport.parkNanos(wait);
                wakeLateness.recordValue(Math.max(0, -wait / 1000));
                for (Ticking s : sessions) {
                    try {
                        s.send(tick);
                    } catch (RuntimeException e) {
                        log.warn("media clock: a session failed to send; it goes on with the next", e);
                    }
                }
                lateness.recordValue(Math.max(0, (System.nanoTime() - due) / 1000));
                for (Ticking s : sessions) {
                    try {
                        s.receive(tick);
                    } catch (RuntimeException e) {
                        log.warn("media clock: a session failed to receive; it goes on with the next", e);
                    }
                }
                tick++;
                long behind = (System.nanoTime() - start) / FRAME_NANOS - tick;
                if (behind > MAX_BEHIND_TICKS) {
                    skipped += behind;
                    tick += behind;
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
