package dev.outdial.telephony;

/**
 * Why a leg ended, in carrier terms; the scheduler maps it to a call outcome.
 *
 * @param kind    the class of ending
 * @param sipCode the final SIP status when there was one (e.g. 486), else null
 * @param reason  a short machine-readable reason, e.g. {@code invalid_number}
 */
public record EndCause(Kind kind, Integer sipCode, String reason) {

    /** How a leg can end. */
    public enum Kind {
        /** Answered by a person, then hung up by either side. */
        HANGUP,
        /** Answered by an answering machine. */
        MACHINE,
        BUSY,
        NO_ANSWER,
        /** The number refused the call, or the call failed for a reason of its own. */
        FAILED,
        /** The trunk refused or did not answer (403, 503, no response): the call failed, and the line should back off. */
        LINE_TROUBLE,
        /** We cancelled before answer (shutdown, batch cancelled). */
        CANCELED
    }

    public static EndCause of(Kind kind) {
        return new EndCause(kind, null, null);
    }
}
