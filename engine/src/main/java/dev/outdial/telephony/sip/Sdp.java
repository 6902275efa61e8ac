package dev.outdial.telephony.sip;

import dev.outdial.media.Codec;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Vector;
import javax.sdp.Attribute;
import javax.sdp.Connection;
import javax.sdp.MediaDescription;
import javax.sdp.SdpException;
import javax.sdp.SdpFactory;
import javax.sdp.SessionDescription;

/** Our SDP offer (RFC 4566, RFC 3264) and the reading of the far end's answer. */
final class Sdp {
    /** The payload type our offer gives telephone-event (RFC 4733); the dynamic one most carriers use. */
    static final int DTMF_PAYLOAD_TYPE = 101;

    /** What the far end's SDP says: where to send audio, in which codec, and its telephone-event payload type (-1: none). */
    record Answer(InetSocketAddress remote, Codec codec, int dtmfPayloadType) {
    }

    private Sdp() {
    }

    /** An audio offer of {@code codecs} in order, plus telephone-event, at {@code address:port}. */
    static String offer(String address, int port, List<Codec> codecs, long sessionId) {
        StringBuilder formats = new StringBuilder();
        StringBuilder maps = new StringBuilder();
        for (Codec c : codecs) {
            formats.append(' ').append(c.payloadType);
            maps.append("a=rtpmap:").append(c.payloadType).append(' ').append(c.name()).append("/8000\r\n");
        }
        return "v=0\r\n"
                + "o=outdial " + sessionId + " " + sessionId + " IN IP4 " + address + "\r\n"
                + "s=outdial\r\n"
                + "c=IN IP4 " + address + "\r\n"
                + "t=0 0\r\n"
                + "m=audio " + port + " RTP/AVP" + formats + " " + DTMF_PAYLOAD_TYPE + "\r\n"
                + maps
                + "a=rtpmap:" + DTMF_PAYLOAD_TYPE + " telephone-event/8000\r\n"
                + "a=fmtp:" + DTMF_PAYLOAD_TYPE + " 0-16\r\n"
                + "a=ptime:20\r\n"
                + "a=sendrecv\r\n";
    }

    /**
     * Reads an answer: the first audio stream, its address (media-level c= over session-level), the first
     * of its formats we offered, and its telephone-event type.
     *
     * @throws IllegalArgumentException when the SDP is unreadable or shares no codec with {@code offered}
     */
    static Answer answer(String sdp, List<Codec> offered) {
        try {
            SessionDescription sd = SdpFactory.getInstance().createSessionDescription(sdp);
            Connection session = sd.getConnection();
            @SuppressWarnings("unchecked")
            Vector<MediaDescription> media = sd.getMediaDescriptions(false);
            if (media == null) throw new IllegalArgumentException("sdp: no media line");
            for (MediaDescription md : media) {
                if (!"audio".equalsIgnoreCase(md.getMedia().getMediaType())) continue;
                Connection c = md.getConnection() != null ? md.getConnection() : session;
                if (c == null) throw new IllegalArgumentException("sdp: no connection address");
                int port = md.getMedia().getMediaPort();
                @SuppressWarnings("unchecked")
                Vector<String> formats = md.getMedia().getMediaFormats(false);
                Codec codec = null;
                int dtmf = -1;
                for (String f : formats) {
                    int pt = Integer.parseInt(f.trim());
                    String name = rtpmapName(md, pt);
                    Codec candidate = name != null ? Codec.ofName(name) : Codec.ofPayloadType(pt);
                    if (codec == null && candidate != null && candidate.payloadType == pt && offered.contains(candidate)) codec = candidate;
                    if (name != null && name.equalsIgnoreCase("telephone-event")) dtmf = pt;
                }
                if (codec == null) throw new IllegalArgumentException("sdp: no codec in common; answered " + formats + ", offered " + offered);
                return new Answer(new InetSocketAddress(c.getAddress(), port), codec, dtmf);
            }
            throw new IllegalArgumentException("sdp: no audio stream");
        } catch (SdpException | NumberFormatException e) {
            throw new IllegalArgumentException("sdp: unreadable answer: " + e.getMessage(), e);
        }
    }

    private static String rtpmapName(MediaDescription md, int pt) throws SdpException {
        @SuppressWarnings("unchecked")
        Vector<Attribute> attributes = md.getAttributes(false);
        if (attributes == null) return null;
        for (Attribute a : attributes) {
            if (!"rtpmap".equalsIgnoreCase(a.getName()) || a.getValue() == null) continue;
            String[] parts = a.getValue().trim().split("[ /]");
            if (parts.length >= 2 && parts[0].equals(Integer.toString(pt))) return parts[1];
        }
        return null;
    }
}
