package dev.outdial.api.dialect.elevenlabs;

import dev.outdial.campaign.Batch;
import dev.outdial.campaign.Call;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How Outdial's batches and calls look in ElevenLabs-style batch calling (seed 001): the batch
 * job object, its recipients, and the two status tables. Times are Unix seconds.
 */
final class BatchCallingViews {
    private BatchCallingViews() {
    }

    /**
     * The job status. ElevenLabs has no pause, so a paused batch reads as in progress; a completed
     * batch none of whose calls was reached (every one ended {@code failed}) reads as failed.
     */
    static String batchStatus(Batch b) {
        return switch (b.status()) {
            case "pending" -> "pending";
            case "in_progress", "paused" -> "in_progress";
            case "cancelled" -> "cancelled";
            case "completed" -> {
                int failed = b.counts().byOutcome().getOrDefault("failed", 0);
                yield b.counts().total() > 0 && failed == b.counts().total() ? "failed" : "completed";
            }
            default -> throw new IllegalStateException("batch " + b.id() + ": unknown status " + b.status());
        };
    }

    /** A recipient's status from its call's state and outcome. */
    static String recipientStatus(String state, String outcome) {
        return switch (state) {
            case "scheduled" -> "pending";
            case "dialing", "ringing" -> "initiated";
            case "in_progress" -> "in_progress";
            case "finished" -> switch (outcome == null ? "" : outcome) {
                case "completed" -> "completed";
                case "voicemail" -> "voicemail";
                case "canceled" -> "cancelled";
                default -> "failed"; // busy, no_answer, failed, expired, suppressed: the person was not reached
            };
            default -> throw new IllegalStateException("unknown call state " + state);
        };
    }

    /** The vendor's provider enum (twilio, vobiz, sip_trunk); the simulated carrier has no word there. */
    static String phoneProvider(String provider) {
        return switch (provider) {
            case "sip" -> "sip_trunk";
            case "twilio" -> "twilio";
            default -> null;
        };
    }

    static Map<String, Object> batch(Batch b, String agentName, String provider) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", b.id());
        m.put("name", b.name());
        m.put("agent_id", b.agentId());
        m.put("created_at_unix", unix(b.createdAt()));
        m.put("scheduled_time_unix", unix(b.scheduledAt() != null ? b.scheduledAt() : b.createdAt()));
        m.put("last_updated_at_unix", unix(b.updatedAt()));
        m.put("status", batchStatus(b));
        m.put("agent_name", agentName);
        m.put("phone_number_id", b.lineId());
        m.put("phone_provider", phoneProvider(provider));
        Object whatsapp = b.metadata().get("whatsapp_params");
        if (whatsapp != null) m.put("whatsapp_params", whatsapp);
        m.put("total_calls_dispatched", b.counts().dispatched());
        m.put("total_calls_scheduled", b.counts().total());
        m.put("total_calls_finished", b.counts().finished());
        m.put("retry_count", b.retryCount());
        return m;
    }

    /** One recipient of the detailed job: its own id if it gave one, the call as the conversation. */
    static Map<String, Object> recipient(Call c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", c.externalId() != null ? c.externalId() : c.id());
        m.put("phone_number", c.phoneNumber());
        m.put("status", recipientStatus(c.state(), c.outcome()));
        m.put("created_at_unix", unix(c.createdAt()));
        m.put("updated_at_unix", unix(c.updatedAt()));
        m.put("conversation_id", c.id());
        Object clientData = c.metadata().get("conversation_initiation_client_data");
        if (clientData != null) m.put("conversation_initiation_client_data", clientData);
        return m;
    }

    static long unix(Instant t) {
        return t.getEpochSecond();
    }
}
