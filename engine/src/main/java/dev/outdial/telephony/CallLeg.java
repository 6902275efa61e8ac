package dev.outdial.telephony;

/** A leg in progress; hanging up ends it with {@link EndCause.Kind#HANGUP} (or CANCEL before answer). */
public interface CallLeg {
    void hangup();
}
