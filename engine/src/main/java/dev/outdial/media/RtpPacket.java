package dev.outdial.media;

/**
 * One RTP packet (RFC 3550 §5.1): version 2, payload type, marker, 16-bit sequence number, 32-bit
 * timestamp and SSRC, and the payload. Parsing skips CSRCs, a header extension and padding, and
 * refuses (null) anything that is not RTP version 2 or does not fit, since media ports receive
 * whatever the network sends.
 */
public record RtpPacket(int payloadType, boolean marker, int sequence, long timestamp, long ssrc, byte[] payload) {
    /** Bytes of the fixed header. */
    public static final int HEADER = 12;

    /** The packet in {@code buf[0..len)}, or null if it is not a well-formed RTP version 2 packet. */
    public static RtpPacket parse(byte[] buf, int len) {
        if (len < HEADER || (buf[0] & 0xC0) != 0x80) return null;
        boolean padding = (buf[0] & 0x20) != 0;
        boolean extension = (buf[0] & 0x10) != 0;
        int csrcs = buf[0] & 0x0F;
        int offset = HEADER + 4 * csrcs;
        if (extension) {
            if (offset + 4 > len) return null;
            int words = ((buf[offset + 2] & 0xff) << 8) | (buf[offset + 3] & 0xff);
            offset += 4 + 4 * words;
        }
        int end = len;
        if (padding) {
            int pad = buf[len - 1] & 0xff;
            if (pad == 0 || pad > len - offset) return null;
            end -= pad;
        }
        if (offset > end) return null;
        byte[] payload = java.util.Arrays.copyOfRange(buf, offset, end);
        return new RtpPacket(buf[1] & 0x7F, (buf[1] & 0x80) != 0, ((buf[2] & 0xff) << 8) | (buf[3] & 0xff),
                u32(buf, 4), u32(buf, 8), payload);
    }

    /** Writes the packet (no CSRCs, no extension, no padding) into {@code buf}; returns its length. */
    public int writeTo(byte[] buf) {
        buf[0] = (byte) 0x80;
        buf[1] = (byte) ((marker ? 0x80 : 0) | (payloadType & 0x7F));
        buf[2] = (byte) (sequence >> 8);
        buf[3] = (byte) sequence;
        put32(buf, 4, timestamp);
        put32(buf, 8, ssrc);
        System.arraycopy(payload, 0, buf, HEADER, payload.length);
        return HEADER + payload.length;
    }

    private static long u32(byte[] b, int at) {
        return ((long) (b[at] & 0xff) << 24) | ((b[at + 1] & 0xff) << 16) | ((b[at + 2] & 0xff) << 8) | (b[at + 3] & 0xff);
    }

    private static void put32(byte[] b, int at, long v) {
        b[at] = (byte) (v >> 24);
        b[at + 1] = (byte) (v >> 16);
        b[at + 2] = (byte) (v >> 8);
        b[at + 3] = (byte) v;
    }
}
