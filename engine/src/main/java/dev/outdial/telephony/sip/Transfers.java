package dev.outdial.telephony.sip;

import dev.outdial.telephony.Transfer;
import dev.outdial.telephony.Trunk;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sip.ClientTransaction;
import javax.sip.Dialog;
import javax.sip.ResponseEvent;
import javax.sip.SipException;
import javax.sip.header.EventHeader;
import javax.sip.header.SubscriptionStateHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Blind transfer of an answered SIP call (RFC 3515): a REFER inside the call's dialog, with
 * Refer-To the target and Referred-By our own party. The far end accepts with 202 and then reports
 * the new call's progress in NOTIFYs (Event: refer) whose message/sipfrag body is a status line:
 * a final 2xx means the callee is with the target, so the leg hangs up with the reason
 * {@code transferred}; a refused REFER or a final non-2xx fragment leaves the call as it was.
 *
 * <p>Many trunks accept the REFER and never notify. With no word within {@link #NOTIFY_WAIT} of the
 * 202 (or within {@link #PROGRESS_WAIT} of a provisional fragment, while the target rings), the
 * transfer counts as done: the trunk has taken the call over, and staying on would only keep a
 * silent leg up. A BYE from the callee after the 202 means the same.
 *
 * <p>One transfer at a time per leg. Every method runs under the leg's monitor: the leg calls in
 * holding it, and the wait timer takes it ({@code synchronized (leg)}, the same lock as SipLeg's
 * synchronized methods). Results complete off that lock, so a caller's continuation never runs on
 * a SIP thread while the call is locked.
 */
final class Transfers {
    private static final Logger log = LoggerFactory.getLogger(Transfers.class);
    /** How long after the 202 a silent trunk gets before the transfer counts as done. */
    static final Duration NOTIFY_WAIT = Duration.ofSeconds(10);
    /** How long after a provisional fragment (100 Trying, 180 Ringing) we wait for the final one. */
    static final Duration PROGRESS_WAIT = Duration.ofSeconds(60);
    /** A number for Refer-To: E.164 digits, the plus optional (as trunks accept them in the Request-URI). */
    private static final Pattern NUMBER = Pattern.compile("\\+?[0-9]{3,20}");
    /** The status line of a message/sipfrag body. */
    private static final Pattern STATUS_LINE = Pattern.compile("^SIP/2\\.0\\s+(\\d{3})\\b.*", Pattern.DOTALL);

    private final SipLeg leg;
    private final SipTelephony.Stack s;
    private final Trunk trunk;
    private final String callId;
    private CompletableFuture<Transfer> pending;
    private boolean accepted;
    private boolean challenged;
    private ScheduledFuture<?> wait;

    Transfers(SipLeg leg, SipTelephony.Stack stack, Trunk trunk, String callId) {
        this.leg = leg;
        this.s = stack;
        this.trunk = trunk;
        this.callId = callId;
    }

    /** True once the far end accepted the REFER of the transfer in progress. */
    boolean accepted() {
        return pending != null && accepted;
    }

    /** Sends the REFER for {@code target} in {@code dialog}; the future completes with what the far end said. */
    CompletableFuture<Transfer> start(Dialog dialog, String target) {
        if (pending != null) return CompletableFuture.completedFuture(Transfer.refused(null, "transfer_in_progress"));
        String to = target == null ? "" : target.strip();
        if (to.startsWith("tel:")) to = to.substring(4);
        boolean uri = to.startsWith("sip:") || to.startsWith("sips:");
        if (!uri && !NUMBER.matcher(to).matches()) return CompletableFuture.completedFuture(Transfer.refused(null, "invalid_target"));
        try {
            Request refer = dialog.createRequest(Request.REFER);
            refer.addHeader(s.headers().createReferToHeader(s.addresses().createAddress(Invites.uri(s, to, trunk))));
            refer.addHeader(s.headers().createHeader("Referred-By", dialog.getLocalParty().toString()));
            dialog.sendRequest(s.provider().getNewClientTransaction(refer));
        } catch (java.text.ParseException e) {
            return CompletableFuture.completedFuture(Transfer.refused(null, "invalid_target"));
        } catch (SipException | RuntimeException e) {
            log.warn("sip: call {}: the REFER to {} could not be sent: {}", callId, to, e.toString());
            return CompletableFuture.completedFuture(Transfer.refused(null, "refer_failed"));
        }
        log.info("sip: call {}: transferring to {}", callId, to);
        pending = new CompletableFuture<>();
        accepted = false;
        challenged = false;
        return pending;
    }

    /** A response to our REFER. */
    void onResponse(ResponseEvent event) {
        if (pending == null) return; // a retransmission after the transfer was settled
        Response r = event.getResponse();
        int status = r.getStatusCode();
        if (status < 200) return;
        if (status < 300) {
            if (!accepted) {
                accepted = true;
                waitFor(NOTIFY_WAIT);
            }
            return;
        }
        if ((status == 401 || status == 407) && !challenged && leg.credentials() != null) {
            challenged = true;
            try { // the same digest answer as the INVITE's, re-sent in the dialog so the CSeq keeps rising
                ClientTransaction retry = s.auth().handleChallenge(r, event.getClientTransaction(), s.provider(), 5);
                event.getDialog().sendRequest(retry);
                return;
            } catch (SipException | RuntimeException e) {
                log.warn("sip: call {}: answering the REFER's {} challenge failed: {}", callId, status, e.toString());
            }
        }
        settle(Transfer.refused(status, refusal(status)));
    }

    /** The REFER got no response at all. */
    void onTimeout() {
        if (pending != null && !accepted) settle(Transfer.refused(408, "no_response"));
    }

    /** An in-dialog NOTIFY (already answered 200): the transfer's progress, if it is about one. */
    void onNotify(Request notify) {
        EventHeader event = (EventHeader) notify.getHeader(EventHeader.NAME);
        if (pending == null || event == null || !"refer".equalsIgnoreCase(event.getEventType())) return;
        byte[] body = notify.getRawContent();
        Matcher m = STATUS_LINE.matcher(body == null ? "" : new String(body, StandardCharsets.UTF_8).strip());
        if (m.matches()) {
            int status = Integer.parseInt(m.group(1));
            if (status >= 200 && status < 300) {
                succeed();
                return;
            }
            if (status >= 300) {
                settle(Transfer.refused(status, FinalResponses.of(status, false).reason()));
                return;
            }
            accepted = true; // a NOTIFY means the REFER was accepted, even if its 202 is still on the way
            waitFor(PROGRESS_WAIT);
        }
        var state = (SubscriptionStateHeader) notify.getHeader(SubscriptionStateHeader.NAME);
        if (state != null && SubscriptionStateHeader.TERMINATED.equalsIgnoreCase(state.getState())) {
            succeed(); // the subscription ended without a final fragment: no more word will come
        }
    }

    /** The leg ended for its own reasons; a pending transfer ends with it ({@code transferred} when the end was the transfer). */
    void ended(boolean transferred) {
        if (pending != null) settle(transferred ? Transfer.transferred() : Transfer.refused(null, "call_ended"));
    }

    private void succeed() {
        settle(Transfer.transferred());
        leg.transferred();
    }

    private void waitFor(Duration limit) {
        SipLeg.cancel(wait);
        CompletableFuture<Transfer> current = pending;
        wait = leg.schedule(limit, () -> {
            synchronized (leg) {
                if (pending != current) return; // settled meanwhile
                log.info("sip: call {}: no final word on the transfer within {} s; the trunk has it, hanging up", callId, limit.toSeconds());
                succeed();
            }
        });
    }

    private void settle(Transfer result) {
        CompletableFuture<Transfer> f = pending;
        pending = null;
        SipLeg.cancel(wait);
        if (result.status() == Transfer.Status.REFUSED) log.info("sip: call {}: transfer refused ({} {})", callId, result.sipCode(), result.reason());
        f.completeAsync(() -> result);
    }

    /** Why a REFER was rejected: the trunk does not do transfers, or as for an INVITE's final response. */
    private static String refusal(int status) {
        return switch (status) {
            case 405, 420, 501 -> "not_supported";
            case 403 -> "forbidden";
            default -> FinalResponses.of(status, false).reason();
        };
    }
}
