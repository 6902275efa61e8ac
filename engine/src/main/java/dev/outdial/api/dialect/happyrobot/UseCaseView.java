package dev.outdial.api.dialect.happyrobot;

import dev.outdial.campaign.Agent;
import dev.outdial.campaign.Call;
import dev.outdial.campaign.ExtractionField;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * HappyRobot's shapes (seed 003): an Outdial agent as a "use case", and a call as HappyRobot's call
 * object. The use case shows what the agent holds (name, language, timezone, calling window as
 * work hours, default params, max duration, hooks with their headers, extraction fields as
 * {@code extract_with_ai}, tags as {@code classification_tags}, answering-machine settings); what agents do
 * not hold (transfer number, keywords…) answers as empty or off, with every field of the seed present and of its type.
 */
final class UseCaseView {
    private static final Map<String, String> DAY_NAMES = Map.of("mon", "monday", "tue", "tuesday", "wed", "wednesday",
            "thu", "thursday", "fri", "friday", "sat", "saturday", "sun", "sunday");

    private UseCaseView() {
    }

    static Map<String, Object> call(Call c, Agent agent, List<?> hooks, String orgId, String from) {
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("call_sid", null); // the carrier's id, once a SIP or Twilio leg exists
        metadata.put("from", from);
        metadata.put("to", c.phoneNumber());
        metadata.put("recording_sid", null);
        // The tags the analysis after the call gave, once there is one.
        metadata.put("tags", c.analysis() != null && c.analysis().get("tags") instanceof List<?> tags ? tags : List.of());
        Object custom = c.metadata().get("custom");
        metadata.put("custom", custom != null ? custom : Map.of());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", c.id());
        m.put("organization_id", orgId);
        m.put("metadata", metadata);
        m.put("use_case", useCase(agent, hooks, orgId));
        m.put("params", c.variables());
        m.put("created", c.createdAt().toString());
        return m;
    }

    static Map<String, Object> useCase(Agent a, List<?> hooks, String orgId) {
        Map<String, Object> window = a.callingWindow();
        Map<String, Object> detailed = detailedWorkHours(window);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", a.id());
        m.put("organization_id", orgId);
        m.put("name", a.name());
        m.put("transfer_number", a.conversation() == null ? null : a.conversation().transferNumber());
        m.put("extract_with_ai", a.extraction().stream().map(UseCaseView::extractWithAi).toList());
        m.put("classification_tags", a.tags().stream()
                .map(t -> Map.of("name", t.name(), "description", t.description() == null ? "" : t.description())).toList());
        m.put("language", a.language());
        m.put("detailed_work_hours", detailed);
        m.put("work_start", null);
        m.put("work_end", null);
        m.put("timezone", a.timezone());
        m.put("generic_after_hours_message", null);
        m.put("enable_detailed_work_hours", !detailed.isEmpty());
        m.put("keywords", List.of());
        m.put("hooks", hooks);
        m.put("params", a.defaultVariables());
        m.put("amd", a.amd() != null);
        // HappyRobot's word for the seed's one documented behaviour is "Hangup"; the others follow its style.
        m.put("amd_behavior", a.amd() == null ? null : switch (a.amd().behavior()) {
            case "leave_message" -> "LeaveMessage";
            case "continue" -> "Continue";
            default -> "Hangup";
        });
        m.put("amd_messages", a.amd() == null || a.amd().message() == null ? Map.of() : Map.of("default", a.amd().message()));
        m.put("sample_labels", List.of());
        m.put("hidden", false);
        m.put("evaluation_models", List.of());
        m.put("max_duration_mins", (a.maxDurationSeconds() + 59) / 60);
        m.put("recorded_message_inbound", false);
        m.put("recorded_message_outbound", false);
        m.put("show_original_caller_id", false);
        m.put("disable_end_call_after_n_reminders", false);
        m.put("model", null);
        return m;
    }

    /**
     * One field in HappyRobot's shape {name, description, type, example, required}: its strings are never
     * null, and an enum's values, which the seed has no place for, are named in the description.
     */
    private static Map<String, Object> extractWithAi(ExtractionField f) {
        Map<String, Object> m = new LinkedHashMap<>();
        String description = f.description() == null ? "" : f.description();
        if (f.values() != null) description = (description.isEmpty() ? "" : description + " ") + "(one of: " + String.join(", ", f.values()) + ")";
        m.put("name", f.name());
        m.put("description", description);
        m.put("type", f.type());
        m.put("example", f.example() == null ? "" : f.example());
        m.put("required", f.required());
        return m;
    }

    /** The agent's window per weekday as HappyRobot writes it: {"monday": {"start", "end"}}; a day's first range. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> detailedWorkHours(Map<String, Object> window) {
        Map<String, Object> out = new LinkedHashMap<>();
        if (window == null) return out;
        for (String day : List.of("mon", "tue", "wed", "thu", "fri", "sat", "sun")) {
            if (window.get(day) instanceof List<?> ranges && !ranges.isEmpty() && ranges.get(0) instanceof Map<?, ?> r) {
                out.put(DAY_NAMES.get(day), Map.of("start", ((Map<String, Object>) r).get("start"), "end", ((Map<String, Object>) r).get("end")));
            }
        }
        return out;
    }
}
