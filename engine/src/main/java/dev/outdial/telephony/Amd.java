package dev.outdial.telephony;

import java.time.Duration;

/**
 * Answering-machine detection for one call (the agent's {@code amd} settings): how long to listen
 * before deciding, and what to do when a machine answers.
 *
 * @param decisionTime listen this long at most (default 4 s)
 * @param onMachine    what to do on a machine
 * @param message      for {@link OnMachine#LEAVE_MESSAGE}: makes the message as 8 kHz PCM (it may take a while:
 *                     text to speech), played after the beep (or after the greeting when no beep comes);
 *                     null, or an empty message, leaves nothing and hangs up
 */
public record Amd(Duration decisionTime, OnMachine onMachine, java.util.function.Supplier<short[]> message) {

    /** What a call does when a machine answers; the call's outcome is {@code voicemail} in every case. */
    public enum OnMachine {
        /** Hang up at once. */
        HANGUP,
        /** Wait for the beep, play the message, hang up. */
        LEAVE_MESSAGE,
        /** Carry on as with a person (the agent talks to the machine). */
        CONTINUE
    }

    public Amd {
        if (decisionTime == null || decisionTime.isNegative() || decisionTime.isZero()) {
            throw new IllegalArgumentException("amd.decision_time must be positive, got " + decisionTime);
        }
        if (onMachine == null) throw new IllegalArgumentException("amd.on_machine must be set");
    }
}
