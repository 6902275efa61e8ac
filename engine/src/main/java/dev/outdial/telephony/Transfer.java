package dev.outdial.telephony;

/**
 * What became of a {@link CallLeg#transfer} request.
 *
 * @param status  the result
 * @param sipCode the SIP status behind a refusal (the REFER's rejection or the target's final response), else null
 * @param reason  a short machine-readable reason, e.g. {@code busy} or {@code not_answered}
 */
public record Transfer(Status status, Integer sipCode, String reason) {

    /** The carrier cannot transfer calls. */
    public static final Transfer UNSUPPORTED = new Transfer(Status.UNSUPPORTED, null, "unsupported");

    /** How a transfer request ended. */
    public enum Status {
        /** The callee was handed to the target and our leg ended as {@code transferred}. */
        TRANSFERRED,
        /** The carrier or the target said no (or the call was not in a state to transfer): the call goes on. */
        REFUSED,
        /** The carrier has no transfers: the call goes on. */
        UNSUPPORTED
    }

    public static Transfer transferred() {
        return new Transfer(Status.TRANSFERRED, null, "transferred");
    }

    public static Transfer refused(Integer sipCode, String reason) {
        return new Transfer(Status.REFUSED, sipCode, reason);
    }
}
