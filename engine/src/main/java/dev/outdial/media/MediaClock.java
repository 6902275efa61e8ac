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
 * The one 20 ms clock every call's media runs on. A timer per call would wake the machine tens of
 * thousands of times a second and drift call by call; one platform thread ticking on absolute
 * deadlines (start + n × 20 ms) sends a frame for every live session per tick and hands each its
 * received frame, so 1,000 calls cost 50 wake-ups a second, not 50,000.
 *
 * <p>A tick that runs late does not shift the ones after it. When the clock falls more than
 * {@link #MAX_BEHIND_TICKS} behind (a stalled machine), it skips the missed ticks rather than send
 * a burst: RTP timestamps follow the tick number, so the far end hears a gap, not sped-up audio.
 * Each tick's lateness (when its last packet went out, against when it was due) is recorded.
 */
public final class MediaClock implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MediaClock.class);
    /** One frame of audio. */
    public static final long FRAME_NANOS = 20_000_000L;
    /** Ticks the clock may fall behind before it skips ahead. */
    static final int MAX_BEHIND_TICKS = 3;

    /** Something that sends and receives one frame per tick. */
    interface Ticking {
        void tick(long tick);
    }

    private final CopyOnWriteArrayList<Ticking> sessions = new CopyOnWriteArrayList<>();
    private final Recorder lateness = new Recorder(3);
    /** Work a tick must not wait for (completing futures, file writes) goes here, off the clock thread. */
    private final ExecutorService offload = Executors.newVirtualThreadPerTaskExecutor();
    private final Thread thread;
    private volatile boolean running = true;
    private volatile long skipped;

    public MediaClock() {
        thread = Thread.ofPlatform().name("media-clock").daemon().priority(Thread.MAX_PRIORITY).unstarted(this::run);
        thread.start();
    }

    void add(Ticking session) {
        sessions.add(session);
    }

    void remove(Ticking session) {
        sessions.remove(session);
    }

    /** Runs {@code task} off the clock thread. */
    void offload(Runnable task) {
        if (!offload.isShutdown()) offload.execute(task);
    }

    /** Sessions on the clock now. */
    public int sessions() {
        return sessions.size();
    }

    /** Ticks skipped because the clock fell behind. */
    public long skippedTicks() {
        return skipped;
    }

    /** Tick lateness in microseconds since the last call (an interval histogram: each call starts a new interval). */
    public Histogram latenessMicros() {
        return lateness.getIntervalHistogram();
    }

    private void run() {
        long start = System.nanoTime();
        long tick = 0;
        while (running) {
            long due = start + tick * FRAME_NANOS;
            long wait;
            while ((wait = due - System.nanoTime()) > 0 && running) LockSupport.parkNanos(wait);
            for (Ticking s : sessions) {
                try {
                    s.tick(tick);
                } catch (RuntimeException e) {
                    log.warn("media clock: a session failed its tick; it goes on with the next", e);
                }
            }
            long late = System.nanoTime() - due;
            lateness.recordValue(Math.max(0, late / 1000));
            tick++;
            long behind = (System.nanoTime() - start) / FRAME_NANOS - tick;
            if (behind > MAX_BEHIND_TICKS) {
                skipped += behind;
                tick += behind;
            }
        }
    }

    /** Stops the clock; sessions still on it stop being served. */
    @Override
    public void close() {
        running = false;
        LockSupport.unpark(thread);
        offload.shutdown();
    }
}
