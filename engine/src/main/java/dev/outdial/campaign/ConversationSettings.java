package dev.outdial.campaign;

import java.util.List;

/**
 * How an agent holds a call (all optional; the defaults in brackets).
 *
 * @param talkFirst    say the first message as soon as the call is answered [true]; false waits for the callee
 * @param silenceMs    silence before a reminder [8,000]
 * @param reminders    said one by one when the callee is silent ["Are you still there?"]; then goodbye and hang up
 * @param goodbye      said before the agent hangs up for silence ["Thank you, goodbye."]
 * @param fallbackLine said when an engine fails ["Sorry, could you say that again?"]
 * @param timeUpLine   said shortly before the agent's maximum duration, then the agent hangs up
 *                     ["I'm sorry, we're out of time for this call. Thank you, goodbye."]
 * @param transferNumber where the {@code transfer_call} tool hands the callee (E.164 or SIP URI); null: no transfers [null]
 */
public record ConversationSettings(Boolean talkFirst, Integer silenceMs, List<String> reminders, String goodbye, String fallbackLine,
                                   String timeUpLine, String transferNumber) {
    /** Every setting at its default. */
    public static final ConversationSettings DEFAULTS = new ConversationSettings(null, null, null, null, null, null, null);
    public static final int MIN_SILENCE_MS = 2_000;
    public static final int MAX_SILENCE_MS = 60_000;
    public static final int MAX_REMINDERS = 5;

    public boolean talkFirstOrDefault() {
        return talkFirst == null || talkFirst;
    }

    public int silenceMsOrDefault() {
        return silenceMs == null ? 8_000 : silenceMs;
    }

    public List<String> remindersOrDefault() {
        return reminders == null ? List.of("Are you still there?") : reminders;
    }

    public String goodbyeOrDefault() {
        return goodbye == null ? "Thank you, goodbye." : goodbye;
    }

    public String fallbackLineOrDefault() {
        return fallbackLine == null ? "Sorry, could you say that again?" : fallbackLine;
    }

    public String timeUpLineOrDefault() {
        return timeUpLine == null ? "I'm sorry, we're out of time for this call. Thank you, goodbye." : timeUpLine;
    }
}
