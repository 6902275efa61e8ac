package dev.outdial.telephony.sip;

import dev.outdial.config.SipSettings;
import dev.outdial.media.MediaClock;
import dev.outdial.media.RtpPorts;
import dev.outdial.telephony.CallLeg;
import dev.outdial.telephony.CallListener;
import dev.outdial.telephony.CallRequest;
import dev.outdial.telephony.Telephony;
import gov.nist.javax.sip.SipStackExt;
import gov.nist.javax.sip.clientauthutils.AuthenticationHelper;
import gov.nist.javax.sip.clientauthutils.UserCredentials;
import java.net.InetAddress;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import javax.sip.DialogTerminatedEvent;
import javax.sip.IOExceptionEvent;
import javax.sip.ListeningPoint;
import javax.sip.RequestEvent;
import javax.sip.ResponseEvent;
import javax.sip.ServerTransaction;
import javax.sip.SipFactory;
import javax.sip.SipListener;
import javax.sip.SipProvider;
import javax.sip.SipStack;
import javax.sip.TimeoutEvent;
import javax.sip.TransactionTerminatedEvent;
import javax.sip.address.AddressFactory;
import javax.sip.header.CallIdHeader;
import javax.sip.header.HeaderFactory;
import javax.sip.message.MessageFactory;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code sip} provider: a SIP user agent on NIST JAIN-SIP that places outbound calls through
 * each line's trunk, with RTP media on the shared {@link MediaClock}. The stack starts on the first
 * call, so a node whose lines are all simulated opens no SIP or RTP port.
 *
 * <p>One stack serves every call: one listening port (UDP and TCP) taken from the configured range,
 * the first free one. Responses and in-dialog requests are routed to the {@link SipLeg} that owns
 * their Call-ID; the leg runs the call's state machine. Outdial only dials out: an INVITE from
 * outside a call is refused.
 */
public final class SipTelephony implements Telephony, SipListener {
    private static final Logger log = LoggerFactory.getLogger(SipTelephony.class);

    private final SipSettings settings;
    private final String nodeId;
    private final Map<String, SipLeg> legs = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "sip-timers");
        t.setDaemon(true);
        return t;
    });
    private volatile Stack stack;
    private volatile boolean closed;

    /** The started stack and what every leg uses from it. */
    record Stack(SipStack sip, SipProvider provider, AddressFactory addresses, HeaderFactory headers, MessageFactory messages,
                 AuthenticationHelper auth, String host, int port, RtpPorts rtp, MediaClock clock) {
    }

    public SipTelephony(SipSettings settings, String nodeId) {
        this.settings = settings;
        this.nodeId = nodeId;
    }

    @Override
    public String provider() {
        return "sip";
    }

    @Override
    public CallLeg originate(CallRequest request, CallListener listener) {
        if (request.trunk() == null || request.trunk().host() == null) {
            throw new IllegalArgumentException("call " + request.callId() + ": its line has no sip trunk settings (sip.host)");
        }
        SipLeg leg = new SipLeg(this, stack(), request, listener);
        leg.start();
        return leg;
    }

    /** The local SIP port, starting the stack if needed (for tests and the operations log). */
    public int port() {
        return stack().port();
    }

    /** The media clock every call's RTP runs on, for its lateness figures. */
    public MediaClock mediaClock() {
        return stack().clock();
    }

    /** Calls with a SIP dialog or transaction still open. */
    public int liveLegs() {
        return legs.size();
    }

    SipSettings settings() {
        return settings;
    }

    ScheduledExecutorService timers() {
        return timers;
    }

    void register(String callId, SipLeg leg) {
        legs.put(callId, leg);
    }

    void forget(String callId) {
        legs.remove(callId);
    }

    private Stack stack() {
        Stack s = stack;
        if (s != null) return s;
        synchronized (this) {
            if (closed) throw new IllegalStateException("sip: the provider is closed");
            if (stack == null) stack = startStack();
            return stack;
        }
    }

    private Stack startStack() {
        String host = settings.address();
        try {
            SipFactory factory = SipFactory.getInstance();
            factory.setPathName("gov.nist");
            Properties p = new Properties();
            p.setProperty("javax.sip.STACK_NAME", "outdial-" + nodeId + "-" + System.identityHashCode(this));
            p.setProperty("javax.sip.AUTOMATIC_DIALOG_SUPPORT", "on");
            p.setProperty("gov.nist.javax.sip.STACK_LOGGER", StackLog.class.getName());
            p.setProperty("gov.nist.javax.sip.TRACE_LEVEL", "0");
            p.setProperty("gov.nist.javax.sip.REENTRANT_LISTENER", "true");
            p.setProperty("gov.nist.javax.sip.THREAD_POOL_SIZE", "8");
            p.setProperty("gov.nist.javax.sip.CACHE_CLIENT_CONNECTIONS", "true");
            // Many calls start together: let the stack hold many transactions without refusing new ones.
            p.setProperty("gov.nist.javax.sip.MAX_CLIENT_TRANSACTIONS", "100000");
            p.setProperty("gov.nist.javax.sip.MAX_SERVER_TRANSACTIONS", "100000");
            SipStack sip = factory.createSipStack(p);
            HeaderFactory headers = factory.createHeaderFactory();
            int port = -1;
            SipProvider provider = null;
            Exception last = null;
            for (int candidate = settings.portFirst(); candidate <= settings.portLast() && provider == null; candidate++) {
                try {
                    ListeningPoint udp = sip.createListeningPoint(host, candidate, ListeningPoint.UDP);
                    ListeningPoint tcp;
                    try {
                        tcp = sip.createListeningPoint(host, candidate, ListeningPoint.TCP);
                    } catch (Exception e) {
                        sip.deleteListeningPoint(udp);
                        throw e;
                    }
                    provider = sip.createSipProvider(udp);
                    provider.addListeningPoint(tcp);
                    port = candidate;
                } catch (Exception e) {
                    last = e;
                }
            }
            if (provider == null) {
                throw new IllegalStateException("sip: no free port in " + settings.portFirst() + "-" + settings.portLast() + " on " + host
                        + "; set OUTDIAL_SIP_PORTS to a free range", last);
            }
            provider.addSipListener(this);
            sip.start();
            AuthenticationHelper auth = ((SipStackExt) sip).getAuthenticationHelper(this::credentials, headers);
            RtpPorts rtp = new RtpPorts(InetAddress.getByName(host), settings.rtpPortFirst(), settings.rtpPortLast());
            log.info("sip: user agent listening on {}:{} (udp, tcp); rtp ports {}-{}", host, port, settings.rtpPortFirst(), settings.rtpPortLast());
            return new Stack(sip, provider, factory.createAddressFactory(), headers, factory.createMessageFactory(), auth, host, port, rtp,
                    new MediaClock());
        } catch (IllegalStateException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("sip: the SIP stack could not start on " + host + ": " + e.getMessage()
                    + "; check OUTDIAL_SIP_ADDRESS (an address of this machine)", e);
        }
    }

    /** The digest credentials for a challenged INVITE: its line's trunk user and password. */
    private UserCredentials credentials(javax.sip.ClientTransaction challenged, String realm) {
        SipLeg leg = legs.get(callId(challenged.getRequest()));
        return leg == null ? null : leg.credentials();
    }

    private static String callId(javax.sip.message.Message m) {
        return ((CallIdHeader) m.getHeader(CallIdHeader.NAME)).getCallId();
    }

    @Override
    public void processResponse(ResponseEvent event) {
        SipLeg leg = legs.get(callId(event.getResponse()));
        if (leg == null) return; // a late retransmission for a call long gone
        try {
            leg.onResponse(event);
        } catch (RuntimeException e) {
            log.error("sip: call {}: handling {} failed", leg.callId(), event.getResponse().getStatusCode(), e);
        }
    }

    @Override
    public void processRequest(RequestEvent event) {
        Request request = event.getRequest();
        SipLeg leg = legs.get(callId(request));
        try {
            if (leg != null) {
                leg.onRequest(event);
            } else if (!Request.ACK.equals(request.getMethod())) {
                // Outbound only: an OPTIONS ping gets 200, anything else outside our calls is refused.
                int status = Request.OPTIONS.equals(request.getMethod()) ? Response.OK
                        : Request.INVITE.equals(request.getMethod()) ? Response.TEMPORARILY_UNAVAILABLE : Response.CALL_OR_TRANSACTION_DOES_NOT_EXIST;
                respond(event, status);
            }
        } catch (RuntimeException e) {
            log.warn("sip: handling an incoming {} failed", request.getMethod(), e);
        }
    }

    /** Answers a request statelessly or on its server transaction. */
    void respond(RequestEvent event, int status) {
        try {
            Response response = stack().messages().createResponse(status, event.getRequest());
            ServerTransaction tx = event.getServerTransaction();
            if (tx != null) tx.sendResponse(response);
            else ((SipProvider) event.getSource()).sendResponse(response);
        } catch (Exception e) {
            log.debug("sip: could not answer {} with {}: {}", event.getRequest().getMethod(), status, e.toString());
        }
    }

    @Override
    public void processTimeout(TimeoutEvent event) {
        javax.sip.message.Request request = event.isServerTransaction() ? event.getServerTransaction().getRequest()
                : event.getClientTransaction().getRequest();
        SipLeg leg = legs.get(callId(request));
        if (leg != null) leg.onTimeout(request.getMethod());
    }

    @Override
    public void processIOException(IOExceptionEvent event) {
        log.warn("sip: i/o error towards {}:{} ({})", event.getHost(), event.getPort(), event.getTransport());
    }

    @Override
    public void processTransactionTerminated(TransactionTerminatedEvent event) {
    }

    @Override
    public void processDialogTerminated(DialogTerminatedEvent event) {
    }

    /** Hangs up every call still up, then stops the stack and the media clock. */
    @Override
    public void close() {
        synchronized (this) {
            closed = true;
        }
        for (SipLeg leg : legs.values()) {
            try {
                leg.hangup();
            } catch (RuntimeException e) {
                log.debug("sip: hangup at close failed: {}", e.toString());
            }
        }
        Stack s = stack;
        timers.shutdownNow();
        if (s != null) {
            s.clock().close();
            s.sip().stop();
        }
    }
}
