package dev.outdial.media;

import java.util.TreeMap;

/**
 * Puts received RTP packets back in order for a 20 ms playout clock. Packets are keyed by their
 * extended sequence number (the 16-bit one unwrapped across 65535 → 0), held until {@code depth}
 * are waiting before playout starts (absorbing that much jitter), and then taken one per tick:
 * a late packet (behind the playout point) or a duplicate is dropped, and a missing one yields
 * null so the caller plays silence in its place rather than stalling.
 */
public final class JitterBuffer {
    /** Most packets held: beyond this (a long burst after a stall) the oldest are played at once. */
    static final int MAX_HELD = 50;

    private final int depth;
    private final TreeMap<Long, RtpPacket> held = new TreeMap<>();
    private long highest = -1;    // extended sequence of the newest packet seen
    private long next = -1;       // extended sequence to play next; -1 until playout starts
    private volatile long lost; // written by the media clock only; read for figures
    private long dropped;

    /** {@code depth}: packets to gather before playout starts (2 = 40 ms at 20 ms frames). */
    public JitterBuffer(int depth) {
        if (depth < 1) throw new IllegalArgumentException("depth must be >= 1, got " + depth);
        this.depth = depth;
    }

    public void offer(RtpPacket p) {
        long ext = extend(p.sequence());
        if ((next >= 0 && ext < next) || held.containsKey(ext)) {
            dropped++;
            return;
        }
        held.put(ext, p);
        if (ext > highest) highest = ext;
        while (held.size() > MAX_HELD) {
            held.pollFirstEntry();
            dropped++;
            if (next >= 0) next = held.firstKey();
        }
    }

    /** The next packet in order, null for a lost one (play silence), or null while filling (see {@link #filling()}). */
    public RtpPacket poll() {
        if (next < 0) {
            if (held.size() < depth) return null;
            next = held.firstKey();
        }
        if (held.isEmpty() && next > highest) return null; // nothing sent yet for this tick: an underrun, not a loss
        RtpPacket p = held.remove(next);
        if (p == null) lost++;
        next++;
        return p;
    }

    /** True until playout has started. */
    public boolean filling() {
        return next < 0;
    }

    public long lost() {
        return lost;
    }

    public long dropped() {
        return dropped;
    }

    /** Unwraps a 16-bit sequence number next to the highest seen (RFC 3550 Appendix A.1). */
    private long extend(int seq) {
        if (highest < 0) return seq + 65536L; // start one cycle up so a first reordered packet can sit below it
        long cycle = highest & ~0xFFFFL;
        long candidate = cycle | seq;
        if (candidate - highest > 32768) candidate -= 65536;
        else if (highest - candidate > 32768) candidate += 65536;
        return candidate;
    }
}
