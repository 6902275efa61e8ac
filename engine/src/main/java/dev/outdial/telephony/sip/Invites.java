package dev.outdial.telephony.sip;

import dev.outdial.media.Codec;
import dev.outdial.telephony.CallRequest;
import dev.outdial.telephony.Trunk;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import javax.sip.address.Address;
import javax.sip.address.SipURI;
import javax.sip.address.URI;
import javax.sip.header.CallIdHeader;
import javax.sip.header.ContactHeader;
import javax.sip.message.Request;

/**
 * The INVITE for a call: Request-URI {@code sip:<number>@<trunk>} (or the recipient's own SIP URI),
 * From with the caller id and a fresh tag, Contact and Via on our listening point, a loose Route
 * through the outbound proxy, and the SDP offer.
 */
final class Invites {
    private Invites() {
    }

    static Request build(SipTelephony.Stack s, CallRequest request, Trunk trunk, List<Codec> codecs, int rtpPort)
            throws java.text.ParseException, javax.sip.InvalidArgumentException {
        var af = s.addresses();
        var hf = s.headers();
        String transport = trunk.transportOrDefault();
        URI target = uri(s, request.to(), trunk);
        String fromUser = trunk.fromUser() != null ? trunk.fromUser() : request.from();
        Address fromAddress = af.createAddress(af.createSipURI(fromUser, trunk.host()));
        if (trunk.displayName() != null) fromAddress.setDisplayName(trunk.displayName());
        var from = hf.createFromHeader(fromAddress, HexFormat.of().formatHex(randomBytes(6)));
        var to = hf.createToHeader(af.createAddress(target), null);
        var via = hf.createViaHeader(s.host(), s.port(), transport, null);
        CallIdHeader callId = s.provider().getNewCallId();
        Request inv = s.messages().createRequest(target, Request.INVITE, callId, hf.createCSeqHeader(1L, Request.INVITE), from, to,
                new ArrayList<>(List.of(via)), hf.createMaxForwardsHeader(70));
        SipURI contactUri = af.createSipURI("outdial", s.host());
        contactUri.setPort(s.port());
        if (!"udp".equals(transport)) contactUri.setTransportParam(transport);
        ContactHeader contact = hf.createContactHeader(af.createAddress(contactUri));
        inv.addHeader(contact);
        if (trunk.outboundProxy() != null) {
            SipURI proxy = (SipURI) af.createURI("sip:" + trunk.outboundProxy());
            proxy.setLrParam();
            if (!"udp".equals(transport)) proxy.setTransportParam(transport);
            inv.addHeader(hf.createRouteHeader(af.createAddress(proxy)));
        }
        inv.addHeader(hf.createUserAgentHeader(List.of("Outdial")));
        inv.addHeader(hf.createAllowHeader("INVITE, ACK, CANCEL, BYE, OPTIONS, NOTIFY"));
        inv.addHeader(hf.createHeader("X-Outdial-Call-Id", request.callId()));
        String sdp = Sdp.offer(s.host(), rtpPort, codecs, ThreadLocalRandom.current().nextLong(1, 1L << 40));
        inv.setContent(sdp, hf.createContentTypeHeader("application", "sdp"));
        return inv;
    }

    /** {@code sip:<number>@<trunk host:port>} for a number (the trunk's transport too), or a SIP URI as given. */
    static URI uri(SipTelephony.Stack s, String destination, Trunk trunk) throws java.text.ParseException {
        if (destination.startsWith("sip:") || destination.startsWith("sips:")) return s.addresses().createURI(destination);
        SipURI uri = s.addresses().createSipURI(destination, trunk.host());
        uri.setPort(trunk.portOrDefault());
        String transport = trunk.transportOrDefault();
        if (!"udp".equals(transport)) uri.setTransportParam(transport);
        return uri;
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        ThreadLocalRandom.current().nextBytes(b);
        return b;
    }
}
