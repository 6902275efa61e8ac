package dev.outdial.telephony;

/** Receives a call leg's progress. Implementations must not block the calling thread for long. */
public interface CallListener {
    void ringing();

    /** The callee picked up; {@code machine} is true when an answering machine was detected. */
    void answered(boolean machine);

    void ended(EndCause cause);
}
