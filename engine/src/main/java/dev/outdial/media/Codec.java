package dev.outdial.media;

/** The audio codecs Outdial speaks on a call, with their static RTP payload types (RFC 3551). */
public enum Codec {
    PCMU(0),
    PCMA(8);

    /** The RTP payload type. */
    public final int payloadType;

    Codec(int payloadType) {
        this.payloadType = payloadType;
    }

    /** The codec with this payload type, or null. */
    public static Codec ofPayloadType(int pt) {
        return switch (pt) {
            case 0 -> PCMU;
            case 8 -> PCMA;
            default -> null;
        };
    }

    /** The codec with this SDP encoding name (case-insensitive), or null. */
    public static Codec ofName(String name) {
        for (Codec c : values()) if (c.name().equalsIgnoreCase(name)) return c;
        return null;
    }

    public void encode(short[] pcm, int from, byte[] out, int at, int n) {
        if (this == PCMU) G711.encodeUlaw(pcm, from, out, at, n);
        else G711.encodeAlaw(pcm, from, out, at, n);
    }

    public void decode(byte[] in, int from, short[] pcm, int at, int n) {
        if (this == PCMU) G711.decodeUlaw(in, from, pcm, at, n);
        else G711.decodeAlaw(in, from, pcm, at, n);
    }
}
