package dev.outdial.media;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.DatagramChannel;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Hands out RTP sockets from a configured range of even UDP ports (RFC 3550 §11: RTP on the even
 * port, RTCP on the next odd one). It goes round the range, skipping ports something else holds,
 * so a port is reused only after all the others: a late packet of an ended call rarely finds a new call.
 */
public final class RtpPorts {
    private final InetAddress bind;
    private final int first;
    private final int last;
    private final AtomicInteger cursor = new AtomicInteger();

    /** Even ports in {@code [first, last]}, bound on {@code bind}. */
    public RtpPorts(InetAddress bind, int first, int last) {
        if (first < 1024 || last > 65534 || first > last) {
            throw new IllegalArgumentException("rtp port range must lie within 1024-65534 with first <= last, got " + first + "-" + last);
        }
        this.bind = bind;
        this.first = first + (first & 1);
        this.last = last;
        if (this.first > last) throw new IllegalArgumentException("rtp port range " + first + "-" + last + " holds no even port");
    }

    /** A bound, blocking channel on the next free even port; the caller closes it. */
    public DatagramChannel open() throws IOException {
        int size = (last - first) / 2 + 1;
        IOException lastError = null;
        for (int tries = 0; tries < size; tries++) {
            int port = first + 2 * Math.floorMod(cursor.getAndIncrement(), size);
            DatagramChannel ch = DatagramChannel.open(StandardProtocolFamily.INET);
            try {
                ch.bind(new InetSocketAddress(bind, port));
                return ch;
            } catch (IOException e) {
                ch.close();
                lastError = e;
            }
        }
        throw new IOException("rtp: no free port in " + first + "-" + last + " on " + bind.getHostAddress()
                + "; widen OUTDIAL_SIP_RTP_PORTS or lower the lines' max_concurrent", lastError);
    }
}
