package dev.outdial.telephony.sip;

import dev.outdial.telephony.EndCause;
import dev.outdial.telephony.EndCause.Kind;

/**
 * What a final SIP response to our INVITE means for the call (docs/telephony.md has the table).
 * Busy and declined calls can be tried again later; a number that does not exist cannot; a trunk
 * that refuses (403) or is out of service (503) says nothing about the callee, so the line backs off.
 */
final class FinalResponses {
    private FinalResponses() {
    }

    /** The end of a call whose INVITE got this final status; {@code ringTimedOut} when our own CANCEL caused a 487. */
    static EndCause of(int status, boolean ringTimedOut) {
        return switch (status) {
            case 486, 600 -> new EndCause(Kind.BUSY, status, "busy");
            case 603 -> new EndCause(Kind.BUSY, status, "declined");
            case 480, 408 -> new EndCause(Kind.NO_ANSWER, status, "no_answer");
            case 487 -> ringTimedOut ? new EndCause(Kind.NO_ANSWER, status, "ring_timeout") : new EndCause(Kind.CANCELED, status, "canceled");
            case 404, 484, 604 -> new EndCause(Kind.FAILED, status, "invalid_number");
            case 403 -> new EndCause(Kind.LINE_TROUBLE, status, "trunk_forbidden");
            case 503 -> new EndCause(Kind.LINE_TROUBLE, status, "trunk_unavailable");
            case 401, 407 -> new EndCause(Kind.LINE_TROUBLE, status, "auth_failed");
            case 488, 606 -> new EndCause(Kind.FAILED, status, "incompatible_media");
            default -> new EndCause(status >= 500 && status < 600 ? Kind.LINE_TROUBLE : Kind.FAILED, status, "sip_" + status);
        };
    }
}
