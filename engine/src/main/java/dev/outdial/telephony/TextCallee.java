package dev.outdial.telephony;

import java.util.function.Consumer;

/**
 * A callee who talks in words instead of audio: the simulated carrier's scripted persona. An agent
 * on such a leg needs no speech engines; it hears the callee's turns as text and answers in text.
 */
public interface TextCallee {
    /** Where the callee's turns go; set once, before the agent says anything. */
    void replyTo(Consumer<String> replies);

    /** The agent finished a turn (everything it said since the callee last spoke); the callee may answer through {@link #replyTo}. */
    void heard(String agentTurn);
}
