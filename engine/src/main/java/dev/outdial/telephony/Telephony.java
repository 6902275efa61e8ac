package dev.outdial.telephony;

/**
 * The door to a carrier: start an outbound call leg and hear what becomes of it (DESIGN §8).
 * Implementations know nothing of batches or retries; they report ringing, answer and the end.
 */
public interface Telephony {

    /** The provider name lines use to pick this implementation, e.g. {@code simulated}. */
    String provider();

    /**
     * Starts dialing. Must return quickly: progress arrives through the listener, from any thread,
     * in order ringing? → answered? → ended, with ended exactly once.
     */
    CallLeg originate(CallRequest request, CallListener listener);

    /** Stops the provider; legs still up are hung up. */
    default void close() {
    }
}
