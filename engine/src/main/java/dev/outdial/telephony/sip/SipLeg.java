package dev.outdial.telephony.sip;

import dev.outdial.media.AnsweringMachineDetector.Result;
import dev.outdial.media.Codec;
import dev.outdial.media.MediaChannel;
import dev.outdial.media.RtpSession;
import dev.outdial.media.WavRecorder;
import dev.outdial.telephony.Amd;
import dev.outdial.telephony.CallLeg;
import dev.outdial.telephony.CallListener;
import dev.outdial.telephony.CallRequest;
import dev.outdial.telephony.EndCause;
import dev.outdial.telephony.EndCause.Kind;
import dev.outdial.telephony.Transfer;
import dev.outdial.telephony.Trunk;
import gov.nist.javax.sip.clientauthutils.UserCredentials;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import javax.sip.ClientTransaction;
import javax.sip.Dialog;
import javax.sip.RequestEvent;
import javax.sip.ResponseEvent;
import javax.sip.SipException;
import javax.sip.header.CSeqHeader;
import javax.sip.header.CallIdHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One outbound call over SIP: INVITE with an SDP offer, provisional responses (ringing, early
 * media), the answer and its ACK, BYE either way, CANCEL on the ring timeout, the max-duration
 * timer, and the final response mapped to an {@link EndCause}. Every event for the call arrives here
 * (from the stack's threads or the timer thread) and is handled under the leg's lock, so the state
 * machine sees one event at a time; the listener hears ringing? → answered? → ended, ended once.
 *
 * <p>The leg stays known to the user agent for {@link #LINGER} after it ends: a 200 that crosses
 * our CANCEL must still be ACKed and then ended with a BYE, so nobody is left on a silent line.
 */
final class SipLeg implements CallLeg {
    private static final Logger log = LoggerFactory.getLogger(SipLeg.class);
    /** How long an ended leg still answers stray responses: 64 × T1, the longest an INVITE transaction lives. */
    static final Duration LINGER = Duration.ofSeconds(32);

    private enum State { CALLING, ANSWERED, DONE }

    private final SipTelephony ua;
    private final SipTelephony.Stack s;
    private final CallRequest request;
    private final CallListener listener;
    private final Trunk trunk;
    private final List<Codec> codecs;
    private RtpSession rtp;
    private String sipCallId;
    private ClientTransaction invite;
    private Dialog dialog;
    private State state = State.CALLING;
    private boolean provisional;
    private boolean ringReported;
    private boolean cancelWanted;
    private boolean cancelSent;
    private boolean ringTimedOut;
    private boolean challenged;
    private boolean byeSent;
    private boolean told;
    private ScheduledFuture<?> ringTimer;
    private ScheduledFuture<?> durationTimer;
    private boolean machine;
    private final CompletableFuture<Result> answeredBy = new CompletableFuture<>();
    private final Transfers transfers;

    SipLeg(SipTelephony ua, SipTelephony.Stack stack, CallRequest request, CallListener listener) {
        this.ua = ua;
        this.s = stack;
        this.request = request;
        this.listener = listener;
        this.trunk = request.trunk();
        List<Codec> list = new ArrayList<>();
        for (String name : trunk.codecsOrDefault()) {
            Codec c = Codec.ofName(name);
            if (c != null && !list.contains(c)) list.add(c);
        }
        this.codecs = list.isEmpty() ? List.of(Codec.PCMU, Codec.PCMA) : List.copyOf(list);
        this.transfers = new Transfers(this, stack, trunk, request.callId());
    }

    String callId() {
        return request.callId();
    }

    @Override
    public MediaChannel media() {
        return rtp;
    }

    @Override
    public CompletableFuture<Result> answeredBy() {
        return answeredBy;
    }

    /** A blind transfer by REFER ({@link Transfers}); only an answered call can be transferred. */
    @Override
    public synchronized CompletableFuture<Transfer> transfer(String target) {
        if (state != State.ANSWERED || told) {
            return CompletableFuture.completedFuture(Transfer.refused(null, told || state == State.DONE ? "call_ended" : "not_answered"));
        }
        return transfers.start(dialog, target);
    }

    /** The transfer succeeded: the callee is with the target, so our part of the call ends (media flows until the BYE). */
    void transferred() {
        if (state != State.ANSWERED) return;
        state = State.DONE;
        sendBye();
        end(new EndCause(Kind.HANGUP, 200, "transferred"));
    }

    UserCredentials credentials() {
        if (trunk.username() == null || trunk.password() == null) return null;
        return new UserCredentials() {
            @Override
            public String getUserName() {
                return trunk.username();
            }

            @Override
            public String getPassword() {
                return trunk.password();
            }

            @Override
            public String getSipDomain() {
                return trunk.host();
            }
        };
    }

    /** Sends the INVITE and starts the ring timer; throws if the call could not even be sent. */
    synchronized void start() {
        try {
            rtp = RtpSession.open(s.rtp(), s.clock(), request.callId(), Sdp.DTMF_PAYLOAD_TYPE);
            Request inv = Invites.build(s, request, trunk, codecs, rtp.localPort());
            sipCallId = ((CallIdHeader) inv.getHeader(CallIdHeader.NAME)).getCallId();
            invite = s.provider().getNewClientTransaction(inv);
            ua.register(sipCallId, this);
            invite.sendRequest();
        } catch (IOException | java.text.ParseException | SipException | javax.sip.InvalidArgumentException | RuntimeException e) {
            if (rtp != null) rtp.close();
            if (sipCallId != null) ua.forget(sipCallId);
            throw new IllegalStateException("sip: call " + request.callId() + ": the INVITE could not be sent to " + trunk + ": " + e.getMessage(), e);
        }
        Duration ring = request.ringTimeout() != null ? request.ringTimeout() : ua.settings().ringTimeout();
        ringTimer = schedule(ring, this::ringTimedOut);
    }

    synchronized void onResponse(ResponseEvent event) {
        Response r = event.getResponse();
        CSeqHeader cseq = (CSeqHeader) r.getHeader(CSeqHeader.NAME);
        if (Request.REFER.equals(cseq.getMethod())) {
            transfers.onResponse(event);
            return;
        }
        if (!Request.INVITE.equals(cseq.getMethod())) return; // answers to our BYE or CANCEL: nothing to do
        int status = r.getStatusCode();
        if (status < 200) {
            provisional = true;
            if (status > 100 && state == State.CALLING) {
                if (!ringReported && !told) {
                    ringReported = true;
                    listener.ringing();
                }
                if (r.getRawContent() != null) startMedia(r); // early media (183 with SDP)
            }
            if (cancelWanted) sendCancel();
            return;
        }
        if (status < 300) {
            answered(event);
            return;
        }
        if ((status == 401 || status == 407) && !challenged && credentials() != null && !cancelWanted) {
            challenged = true;
            try {
                invite = s.auth().handleChallenge(r, event.getClientTransaction(), s.provider(), 5);
                invite.sendRequest();
                return;
            } catch (SipException e) {
                log.warn("sip: call {}: answering the {} challenge failed: {}", request.callId(), status, e.toString());
            }
        }
        state = State.DONE;
        end(FinalResponses.of(status, ringTimedOut));
    }

    private void answered(ResponseEvent event) {
        Response r = event.getResponse();
        if (event.getDialog() != null) dialog = event.getDialog();
        try { // every 2xx gets an ACK, retransmissions too (RFC 3261 §13.2.2.4): the stack leaves that to us
            CSeqHeader cseq = (CSeqHeader) r.getHeader(CSeqHeader.NAME);
            dialog.sendAck(dialog.createAck(cseq.getSeqNumber()));
        } catch (SipException | javax.sip.InvalidArgumentException | RuntimeException e) {
            log.warn("sip: call {}: could not ACK the 200: {}", request.callId(), e.toString());
        }
        if (state == State.ANSWERED) return; // a retransmitted 200
        if (told || state == State.DONE) { // it crossed our CANCEL (or we hung up meanwhile): end it properly
            state = State.DONE;
            sendBye();
            if (!told) end(ringTimedOut ? new EndCause(Kind.NO_ANSWER, 487, "ring_timeout") : new EndCause(Kind.CANCELED, null, "canceled"));
            return;
        }
        state = State.ANSWERED;
        cancel(ringTimer);
        if (r.getRawContent() != null) {
            try {
                startMedia(r);
            } catch (IllegalArgumentException e) {
                log.warn("sip: call {}: {}", request.callId(), e.getMessage());
                sendBye();
                end(new EndCause(Kind.FAILED, 488, "incompatible_media"));
                return;
            }
        }
        if (request.maxDuration() != null) durationTimer = schedule(request.maxDuration(), () -> hangup("max_duration"));
        if (request.recording() != null) {
            try {
                rtp.record(new WavRecorder(request.recording()));
            } catch (IOException e) {
                log.warn("sip: call {}: cannot record to {}: {}; the call goes on unrecorded", request.callId(), request.recording(), e.toString());
            }
        }
        if (request.amd() != null) {
            rtp.listen(new MachineDetection(request.amd(),
                    (result, why) -> ua.timers().execute(() -> detected(result, why)),
                    () -> ua.timers().execute(this::leaveMessage)));
        } else {
            answeredBy.complete(Result.UNKNOWN);
        }
        listener.answered(false);
    }

    /** Answering-machine detection decided: a machine is hung up on, or left a message, or talked to, as the agent says. */
    private synchronized void detected(Result result, String why) {
        answeredBy.complete(result);
        if (state != State.ANSWERED || result != Result.MACHINE) return;
        machine = true;
        log.debug("sip: call {}: answering machine ({}), {}", request.callId(), why, request.amd().onMachine());
        if (request.amd().onMachine() == Amd.OnMachine.HANGUP) hangup("answering_machine");
    }

    /** The machine is recording: make the message (text to speech: off the timer thread), play it, hang up. */
    private void leaveMessage() {
        Thread.ofVirtual().name("amd-message " + request.callId()).start(() -> {
            short[] message = request.amd().message() == null ? null : request.amd().message().get();
            synchronized (this) {
                if (state != State.ANSWERED) return;
                if (message == null || message.length == 0) {
                    hangup("answering_machine");
                    return;
                }
                rtp.play(message).thenRun(() -> hangup("message_left"));
            }
        });
    }

    private void startMedia(Response r) {
        Sdp.Answer a = Sdp.answer(new String(r.getRawContent(), java.nio.charset.StandardCharsets.UTF_8), codecs);
        rtp.start(a.remote(), a.codec(), a.dtmfPayloadType());
    }

    synchronized void onRequest(RequestEvent event) {
        Request req = event.getRequest();
        switch (req.getMethod()) {
            case Request.BYE -> {
                ua.respond(event, Response.OK);
                state = State.DONE;
                // After the trunk accepted our REFER, its BYE is the transfer taking the callee away.
                end(new EndCause(Kind.HANGUP, 200, transfers.accepted() ? "transferred" : "callee_hangup"));
            }
            case Request.ACK -> { }
            case Request.NOTIFY -> {
                ua.respond(event, Response.OK);
                transfers.onNotify(req);
            }
            case Request.OPTIONS, Request.INFO, Request.UPDATE -> ua.respond(event, Response.OK);
            // A re-INVITE (hold, session refresh) would need a new answer; refuse it and the call goes on as it was.
            case Request.INVITE -> ua.respond(event, Response.NOT_ACCEPTABLE_HERE);
            default -> ua.respond(event, Response.METHOD_NOT_ALLOWED);
        }
    }

    synchronized void onTimeout(String method) {
        if (Request.REFER.equals(method)) transfers.onTimeout();
        if (!Request.INVITE.equals(method) || state != State.CALLING) return;
        state = State.DONE;
        end(ringTimedOut ? new EndCause(Kind.NO_ANSWER, 408, "ring_timeout") : new EndCause(Kind.LINE_TROUBLE, 408, "no_response"));
    }

    private synchronized void ringTimedOut() {
        if (state != State.CALLING) return;
        ringTimedOut = true;
        cancelWanted = true;
        sendCancel(); // without a provisional response yet, the CANCEL waits for one (RFC 3261 §9.1)
    }

    @Override
    public void hangup() {
        hangup("agent_hangup");
    }

    private synchronized void hangup(String reason) {
        if (told) return;
        if (state == State.ANSWERED) {
            state = State.DONE;
            sendBye();
            end(new EndCause(Kind.HANGUP, 200, reason));
            return;
        }
        // Not answered yet: cancel, and tell the listener now; the final response (or a crossing 200) is handled as it comes.
        cancelWanted = true;
        sendCancel();
        end(new EndCause(Kind.CANCELED, null, "canceled"));
    }

    private void sendCancel() {
        if (cancelSent || !provisional || invite == null) return;
        cancelSent = true;
        try {
            s.provider().getNewClientTransaction(invite.createCancel()).sendRequest();
        } catch (SipException e) {
            log.debug("sip: call {}: CANCEL failed: {}", request.callId(), e.toString());
        }
    }

    private void sendBye() {
        if (byeSent || dialog == null) return;
        byeSent = true;
        try {
            Request bye = dialog.createRequest(Request.BYE);
            dialog.sendRequest(s.provider().getNewClientTransaction(bye));
        } catch (SipException e) {
            log.warn("sip: call {}: BYE failed: {}", request.callId(), e.toString());
        }
    }

    /** Tells the listener once, stops the media and the timers, and forgets the leg after {@link #LINGER}. */
    private void end(EndCause cause) {
        if (told) return;
        told = true;
        if (machine && cause.kind() == Kind.HANGUP) cause = new EndCause(Kind.MACHINE, cause.sipCode(), cause.reason());
        answeredBy.complete(Result.UNKNOWN); // ended before detection decided
        transfers.ended("transferred".equals(cause.reason()));
        cancel(ringTimer);
        cancel(durationTimer);
        if (rtp != null) rtp.close();
        String id = sipCallId;
        schedule(LINGER, () -> ua.forget(id));
        listener.ended(cause);
    }

    ScheduledFuture<?> schedule(Duration delay, Runnable task) {
        try {
            return ua.timers().schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            return null; // the provider is closing
        }
    }

    static void cancel(ScheduledFuture<?> f) {
        if (f != null) f.cancel(false);
    }
}
