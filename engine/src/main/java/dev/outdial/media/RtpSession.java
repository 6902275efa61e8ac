package dev.outdial.media;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One call's RTP media (RFC 3550) on its own UDP port: G.711 both ways, RFC 4733 DTMF, a jitter
 * buffer, optional recording. It is opened before the SDP offer (the offer names its port) and
 * joins the {@link MediaClock} when the far end's address is known (from a 183 with SDP: early media,
 * or the 200): from then on every tick sends one frame (queued playback, else comfort silence),
 * reads what arrived on the socket since the last tick, and hands listeners one received frame
 * (silence for a lost or missing packet, so they hear a steady 50 frames a second).
 *
 * <p>The socket is non-blocking and read by the clock itself, not by a thread per call: a receiving
 * thread would be woken 50 times a second per call (at 1,000 calls that cost more CPU than all the
 * sending, measured with bench sip-media), while one read per tick costs one system call.
 * Packets that arrive before the session starts wait in the socket's buffer. Nothing here blocks.
 */
public final class RtpSession implements MediaChannel, MediaClock.Ticking, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RtpSession.class);
    /** Packets the jitter buffer gathers before playout: 40 ms of jitter absorbed, 40 ms of delay added. */
    static final int JITTER_DEPTH = 2;
    /** Ticks one RFC 4733 key press lasts (100 ms), then its end packet, then a pause of {@link #DTMF_GAP_TICKS}. */
    static final int DTMF_TICKS = 5;
    static final int DTMF_GAP_TICKS = 3;
    /** The volume RFC 4733 events are sent at (-10 dBm0). */
    static final int DTMF_VOLUME = 10;
    /** Most packets read in one tick: a flood on one port cannot hold up the clock. */
    static final int MAX_READ_PER_TICK = 16;
    /** Every this many ticks (0.5 s) the socket is read until empty; between, one packet a tick. */
    static final int DRAIN_EVERY_TICKS = 25;
    private static final short[] SILENCE = new short[FRAME_SAMPLES];

    private final DatagramChannel channel;
    private final MediaClock clock;
    private final String name;
    private final int offeredDtmfPayloadType;
    private final long ssrc = ThreadLocalRandom.current().nextLong(1L << 32);
    private final long timestampBase = ThreadLocalRandom.current().nextLong(1L << 32);
    private final JitterBuffer jitter = new JitterBuffer(JITTER_DEPTH);
    private final List<MediaListener> listeners = new CopyOnWriteArrayList<>();
    private final ArrayDeque<Playback> playback = new ArrayDeque<>();
    private final ArrayDeque<Character> dtmfOut = new ArrayDeque<>();
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong received = new AtomicLong();
    private final byte[] out = new byte[RtpPacket.HEADER + FRAME_SAMPLES];
    /** Direct, so a send does not first copy into the JDK's temporary direct buffer. */
    private final ByteBuffer outBuffer = ByteBuffer.allocateDirect(RtpPacket.HEADER + FRAME_SAMPLES);
    private final ByteBuffer inBuffer = ByteBuffer.allocate(2048);
    private volatile InetSocketAddress remote;
    private volatile Codec codec = Codec.PCMU;
    private volatile int dtmfPayloadType = -1;
    private volatile WavRecorder recorder;
    private volatile boolean closed;
    private int sequence = ThreadLocalRandom.current().nextInt(1 << 16);
    private long firstTick = -1;
    private short[] lastSent = SILENCE;
    private DtmfSending dtmf;
    private long lastDtmfTimestamp = -1;

    private RtpSession(DatagramChannel channel, MediaClock clock, String name, int offeredDtmfPayloadType) {
        this.channel = channel;
        this.clock = clock;
        this.name = name;
        this.offeredDtmfPayloadType = offeredDtmfPayloadType;
    }

    /**
     * Opens a session on a free port and starts receiving.
     *
     * @param name                   for logs (the call id)
     * @param offeredDtmfPayloadType the telephone-event payload type our offer names; received events may use it
     */
    public static RtpSession open(RtpPorts ports, MediaClock clock, String name, int offeredDtmfPayloadType) throws IOException {
        DatagramChannel channel = ports.open();
        channel.configureBlocking(false);
        return new RtpSession(channel, clock, name, offeredDtmfPayloadType);
    }

    /** The local UDP port, for the SDP offer. */
    public int localPort() {
        return ((InetSocketAddress) channel.socket().getLocalSocketAddress()).getPort();
    }

    /**
     * Points the media at the far end (from its SDP) and joins the clock; calling it again (a 200 after
     * a 183 with other SDP) only moves the far end.
     *
     * @param dtmfPayloadType the far end's telephone-event payload type, or -1 if it offered none
     */
    public void start(InetSocketAddress remote, Codec codec, int dtmfPayloadType) {
        boolean first = this.remote == null;
        if (channel.isConnected() && !remote.equals(this.remote)) {
            try {
                channel.disconnect(); // the far end moved (a 200 with other SDP than the 183's)
            } catch (IOException e) {
                log.debug("rtp {}: disconnect: {}", name, e.toString());
            }
        }
        this.codec = codec;
        this.dtmfPayloadType = dtmfPayloadType;
        this.remote = remote;
        if (first && !closed) clock.add(this);
    }

    /** Records both directions to a WAV file from now until the session closes. */
    public void record(WavRecorder recorder) {
        this.recorder = recorder;
    }

    public long packetsSent() {
        return sent.get();
    }

    public long packetsReceived() {
        return received.get();
    }

    /** Received packets that never arrived in time to be played. */
    public long packetsLost() {
        return jitter.lost(); // a plain read of a counter the clock thread writes: close enough for figures
    }

    @Override
    public CompletableFuture<Boolean> play(short[] pcm) {
        CompletableFuture<Boolean> done = new CompletableFuture<>();
        synchronized (playback) {
            if (closed) return CompletableFuture.completedFuture(false);
            playback.add(new Playback(pcm, done));
        }
        return done;
    }

    @Override
    public void stopPlayback() {
        List<Playback> dropped;
        synchronized (playback) {
            dropped = List.copyOf(playback);
            playback.clear();
        }
        dropped.forEach(p -> finish(p, false));
    }

    @Override
    public boolean playing() {
        synchronized (playback) {
            return !playback.isEmpty();
        }
    }

    @Override
    public void listen(MediaListener listener) {
        listeners.add(listener);
    }

    @Override
    public void sendDtmf(String digits) {
        for (char d : digits.toCharArray()) {
            if (Dtmf.event(d) < 0) throw new IllegalArgumentException("digits: '" + d + "' is not a DTMF key (0-9, *, #, A-D)");
        }
        if (dtmfPayloadType < 0) { // the far end takes no telephone-event: play the tones in-band
            for (char d : digits.toCharArray()) play(Dtmf.tones(d));
            return;
        }
        synchronized (dtmfOut) {
            for (char d : digits.toCharArray()) dtmfOut.add(d);
        }
    }

    @Override
    public void send(long tick) {
        if (firstTick < 0) firstTick = tick;
        long timestamp = (timestampBase + FRAME_SAMPLES * (tick - firstTick)) & 0xFFFFFFFFL;
        lastSent = sendOne(timestamp);
    }

    @Override
    public void receive(long tick) {
        // One read a tick keeps pace with a far end sending every 20 ms; a full drain every DRAIN_EVERY_TICKS
        // catches up after a burst or a far end whose clock runs a little fast. Each read is a system call.
        if (tick % DRAIN_EVERY_TICKS == 0) drain(MAX_READ_PER_TICK);
        else drain(1);
        short[] heard = receiveOne();
        short[] sentFrame = lastSent;
        for (MediaListener l : listeners) {
            try {
                l.audio(heard);
            } catch (RuntimeException e) {
                log.warn("rtp {}: a media listener failed", name, e);
            }
        }
        WavRecorder r = recorder;
        if (r != null) r.frame(heard, sentFrame);
    }

    /** Sends this tick's packet(s); returns the audio sent (silence during DTMF events). */
    private short[] sendOne(long timestamp) {
        if (dtmf == null) {
            synchronized (dtmfOut) {
                Character d = dtmfOut.poll();
                if (d != null) dtmf = new DtmfSending(Dtmf.event(d), timestamp);
            }
        }
        if (dtmf != null) {
            DtmfSending d = dtmf;
            int step = d.step++;
            if (step < DTMF_TICKS) {
                send(dtmfPayloadType, step == 0, d.timestamp, Dtmf.payload(d.event, false, DTMF_VOLUME, (step + 1) * FRAME_SAMPLES));
                return SILENCE;
            }
            if (step == DTMF_TICKS) { // the end packet, three times (RFC 4733 §2.5.1.4)
                byte[] end = Dtmf.payload(d.event, true, DTMF_VOLUME, DTMF_TICKS * FRAME_SAMPLES);
                for (int i = 0; i < 3; i++) send(dtmfPayloadType, false, d.timestamp, end);
                return SILENCE;
            }
            if (step >= DTMF_TICKS + DTMF_GAP_TICKS) dtmf = null;
        }
        short[] frame = nextPlaybackFrame();
        byte[] payload = new byte[FRAME_SAMPLES];
        codec.encode(frame, 0, payload, 0, FRAME_SAMPLES);
        send(codec.payloadType, false, timestamp, payload);
        return frame;
    }

    private void send(int payloadType, boolean marker, long timestamp, byte[] payload) {
        InetSocketAddress to = remote;
        if (to == null) return;
        RtpPacket p = new RtpPacket(payloadType, marker, sequence, timestamp, ssrc, payload);
        sequence = (sequence + 1) & 0xFFFF;
        int len = p.writeTo(out);
        outBuffer.clear();
        outBuffer.put(out, 0, len).flip();
        try {
            if (channel.isConnected()) channel.write(outBuffer);
            else channel.send(outBuffer, to);
            sent.incrementAndGet();
        } catch (IOException e) {
            if (!closed) log.debug("rtp {}: send to {} failed: {}", name, to, e.toString());
        }
    }

    private short[] nextPlaybackFrame() {
        Playback done = null;
        short[] frame;
        synchronized (playback) {
            Playback p = playback.peek();
            if (p == null) return SILENCE;
            frame = new short[FRAME_SAMPLES];
            int n = Math.min(FRAME_SAMPLES, p.pcm.length - p.position);
            System.arraycopy(p.pcm, p.position, frame, 0, n);
            p.position += n;
            if (p.position >= p.pcm.length) done = playback.poll();
        }
        if (done != null) finish(done, true);
        return frame;
    }

    private short[] receiveOne() {
        RtpPacket p = jitter.poll();
        if (p == null) return SILENCE.clone();
        short[] frame = new short[FRAME_SAMPLES];
        Codec c = Codec.ofPayloadType(p.payloadType());
        if (c != null) c.decode(p.payload(), 0, frame, 0, Math.min(FRAME_SAMPLES, p.payload().length));
        return frame;
    }

    /** Reads what arrived since the last tick into the jitter buffer (DTMF events straight to the listeners). */
    private void drain(int most) {
        for (int i = 0; i < most; i++) {
            inBuffer.clear();
            try {
                java.net.SocketAddress from = channel.receive(inBuffer);
                if (from == null) return;
                // Symmetric RTP (the far end sends from the address it gave): connect, so sends skip the per-packet
                // address handling (about a tenth of the media CPU in bench sip-media). Others stay unconnected.
                if (!channel.isConnected() && from.equals(remote)) channel.connect(remote);
            } catch (IOException e) {
                if (!closed) log.debug("rtp {}: receive failed: {}", name, e.toString());
                return;
            }
            RtpPacket p = RtpPacket.parse(inBuffer.array(), inBuffer.position());
            if (p == null) continue; // not RTP (RTCP goes to the odd port; anything else is noise)
            received.incrementAndGet();
            int pt = p.payloadType();
            if (pt == dtmfPayloadType || pt == offeredDtmfPayloadType) {
                dtmfReceived(p);
            } else if (Codec.ofPayloadType(pt) != null) {
                jitter.offer(p);
            }
        }
    }

    /** One key press is many packets with the same timestamp: report it once, at its first packet. */
    private void dtmfReceived(RtpPacket p) {
        if (p.payload().length < 4 || p.timestamp() == lastDtmfTimestamp) return;
        lastDtmfTimestamp = p.timestamp();
        char digit = Dtmf.digit(p.payload()[0] & 0xff);
        if (digit == 0) return;
        for (MediaListener l : listeners) l.dtmf(digit);
    }

    private void finish(Playback p, boolean played) {
        clock.offload(() -> p.done.complete(played)); // its dependents must not run on the clock thread
    }

    /** Leaves the clock, closes the port, ends queued playback (false) and the recording. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        clock.remove(this);
        stopPlayback();
        try {
            channel.close();
        } catch (IOException e) {
            log.debug("rtp {}: close: {}", name, e.toString());
        }
        WavRecorder r = recorder;
        if (r != null) r.close();
    }

    /** Audio queued to play, and how far it has been sent. */
    private static final class Playback {
        final short[] pcm;
        final CompletableFuture<Boolean> done;
        int position;

        Playback(short[] pcm, CompletableFuture<Boolean> done) {
            this.pcm = pcm;
            this.done = done;
        }
    }

    /** An RFC 4733 event being sent: its code, the timestamp all its packets carry, and the tick it is on. */
    private static final class DtmfSending {
        final int event;
        final long timestamp;
        int step;

        DtmfSending(int event, long timestamp) {
            this.event = event;
            this.timestamp = timestamp;
        }
    }
}
