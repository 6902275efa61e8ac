package dev.outdial.api.dialect.dasha;

import dev.outdial.campaign.Call;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** An Outdial call as a Dasha call (seed 002), and the one table from call states to Dasha's status words. */
final class DashaViews {
    private DashaViews() {
    }

    /**
     * Dasha's status: a scheduled call is Pending while its time has not come and Queued once it
     * has; Running while dialing, ringing or talking; then Completed (answered, by a person or a
     * machine), Canceled (cancelled, past its deadline, or on the do-not-call list: never to be
     * made) or Failed (busy, no answer or failed, with no retry left).
     */
    static String status(String state, String outcome, Instant dueAt, Instant now) {
        return switch (state) {
            case "scheduled" -> dueAt != null && dueAt.isAfter(now) ? "Pending" : "Queued";
            case "dialing", "ringing", "in_progress" -> "Running";
            case "finished" -> switch (outcome == null ? "" : outcome) {
                case "completed", "voicemail" -> "Completed";
                case "canceled", "expired", "suppressed" -> "Canceled";
                case "busy", "no_answer", "failed" -> "Failed";
                default -> "Unknown";
            };
            default -> "Unknown";
        };
    }

    static Map<String, Object> call(Call c, String orgId, Instant now) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("endpoint", c.phoneNumber());
        m.put("callId", c.id());
        m.put("orgId", orgId);
        m.put("agentId", c.agentId());
        m.put("createdTime", c.createdAt().toString());
        m.put("status", status(c.state(), c.outcome(), c.dueAt(), now));
        m.put("nextScheduleTime", c.state().equals("scheduled") && c.dueAt() != null ? c.dueAt().toString() : null);
        m.put("additionalData", c.variables());
        m.put("priority", c.priority());
        m.put("callDeadline", c.deadline() == null ? null : c.deadline().toString());
        m.put("timezone", c.timezone());
        m.put("overrideOutboundConfig", c.metadata().get("overrideOutboundConfig"));
        return m;
    }
}
