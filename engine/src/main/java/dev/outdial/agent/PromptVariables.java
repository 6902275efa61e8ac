package dev.outdial.agent;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The values a call's templates (prompt, first message, the message left on a machine) are filled
 * from, by precedence: the call's own variables, then the batch's, then the agent's defaults, then
 * the built-ins, which describe the call itself.
 */
public final class PromptVariables {
    /** The built-in names, always available to templates. */
    public static final List<String> BUILT_INS = List.of(
            "recipient_number", "caller_number", "local_date", "local_time", "local_weekday", "attempt_number");

    private PromptVariables() {
    }

    /**
     * @param zone the recipient's time zone for the local date and time (the call's first candidate zone);
     *             null leaves those three empty
     */
    public static Map<String, Object> resolve(Map<String, Object> call, Map<String, Object> batch, Map<String, Object> agentDefaults,
                                              String recipientNumber, String callerNumber, ZoneId zone, Instant now, int attempt) {
        Map<String, Object> out = new HashMap<>();
        out.put("recipient_number", recipientNumber);
        out.put("caller_number", callerNumber);
        out.put("attempt_number", attempt);
        if (zone != null) {
            ZonedDateTime local = now.atZone(zone);
            out.put("local_date", local.format(DateTimeFormatter.ISO_LOCAL_DATE));
            out.put("local_time", local.format(DateTimeFormatter.ofPattern("HH:mm")));
            out.put("local_weekday", local.getDayOfWeek().getDisplayName(java.time.format.TextStyle.FULL, Locale.ENGLISH));
        }
        if (agentDefaults != null) out.putAll(agentDefaults);
        if (batch != null) out.putAll(batch);
        if (call != null) out.putAll(call);
        return out;
    }
}
