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
        /** The network or the number refused the call. */
        FAILED,
        /** We cancelled before answer (shutdown, batch cancelled). */
        CANCELED
    }

    public static EndCause of(Kind kind) {
        return new EndCause(kind, null, null);
    }
}
