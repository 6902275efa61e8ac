package dev.outdial.telephony.simulated;

import java.util.List;

/**
 * The simulated callee's side of a conversation: a few scripted lines and what they mean. The
 * destination's second-to-last digit picks one (a number with one digit or none gets 0):
 *
 * <pre>
 *   0, 8  confirms         "Yes, that works for me. I'll be there."
 *   1, 9  reschedules      "Actually, I can't make it. Could we move it to Thursday afternoon?" …
 *   2     declines         "I'm not interested. Please don't call me again."
 *   3     wrong person     "Sorry, you have the wrong number. There's no one by that name here."
 *   4     asks, confirms   "Sure. What time was it again?" then "Okay, great, I'll be there. Thank you."
 *   5     silent           says nothing (the agent's reminders and goodbye follow)
 *   6     call back later  "I'm driving right now. Can you call me back later?"
 *   7     wants a person   "Can I speak to a real person, please?"
 * </pre>
 *
 * Each line answers one turn of the agent; after its last line the callee hangs up at its next turn.
 *
 * @param intent what the callee wants, in one word (for documentation and tests)
 */
record Persona(String intent, List<String> lines) {
    private static final Persona CONFIRMS = new Persona("confirms", List.of("Yes, that works for me. I'll be there.", "No, that's all. Thanks!"));
    private static final Persona RESCHEDULES = new Persona("reschedules", List.of(
            "Actually, I can't make it. Could we move it to Thursday afternoon?", "Thursday at 3 pm would be perfect.", "Thanks, bye."));
    private static final List<Persona> BY_DIGIT = List.of(
            CONFIRMS,
            RESCHEDULES,
            new Persona("declines", List.of("I'm not interested. Please don't call me again.")),
            new Persona("wrong_person", List.of("Sorry, you have the wrong number. There's no one by that name here.")),
            new Persona("asks_then_confirms", List.of("Sure. What time was it again?", "Okay, great, I'll be there. Thank you.")),
            new Persona("silent", List.of()),
            new Persona("call_back_later", List.of("I'm driving right now. Can you call me back later?")),
            new Persona("wants_a_person", List.of("Can I speak to a real person, please?", "Okay, thanks.")),
            CONFIRMS,
            RESCHEDULES);

    /** The persona a call to {@code destination} gets. */
    static Persona of(String destination) {
        int seen = 0;
        for (int i = destination.length() - 1; i >= 0; i--) {
            char ch = destination.charAt(i);
            if (ch >= '0' && ch <= '9' && ++seen == 2) return BY_DIGIT.get(ch - '0');
        }
        return BY_DIGIT.get(0);
    }

    /** A silent callee never speaks and never hangs up by itself. */
    boolean silent() {
        return lines.isEmpty();
    }
}
