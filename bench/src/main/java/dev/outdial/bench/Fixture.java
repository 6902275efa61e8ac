package dev.outdial.bench;

import dev.outdial.Outdial;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * One organization with an API key, one agent that needs a {@code name} variable (default retry
 * policy, no calling window of its own), and simulated lines; made through the node's HTTP API.
 */
record Fixture(Api api, String orgId, String agentId, List<String> lineIds) {

    /**
     * @param quietHoursGuard false turns the organization's 08:00–21:00 recipient-local guard off, so
     *                        that calls are due at once whatever the hour the bench runs at
     */
    static Fixture create(Outdial node, int lines, int maxConcurrent, double maxCps, boolean quietHoursGuard) {
        String orgId = node.organizations().createOrganization("bench");
        Api api = new Api(node.port(), node.organizations().createKey(orgId, "bench").secret());
        if (!quietHoursGuard) api.send("PATCH", "/v1/organization", "{\"quiet_hours_guard\": false}");
        String agentId = api.send("POST", "/v1/agents", """
                {"name": "bench agent", "prompt": "Hello {{name}}", "first_message": "Hi {{name}}", "language": "en",
                 "variables": [{"name": "name", "type": "string", "required": true}]}""").get("id").asText();
        List<String> lineIds = new ArrayList<>();
        for (int i = 0; i < lines; i++) {
            lineIds.add(api.send("POST", "/v1/lines", """
                    {"name": "bench line %d", "phone_number": "+14155552671", "provider": "simulated",
                     "max_concurrent": %d, "max_cps": %s}""".formatted(i, maxConcurrent, maxCps)).get("id").asText());
        }
        return new Fixture(api, orgId, agentId, List.copyOf(lineIds));
    }

    /**
     * The i-th valid test number (+1 415 2xx…): distinct for i below 8,000,000. The last digit picks
     * the simulated outcome: 0–5 completed, 6 busy, 7 no answer, 8 voicemail, 9 failed.
     */
    static String phone(long i) {
        return String.format("+1415%03d%03d%d", 200 + (i / 10000) % 800, (i / 10) % 1000, i % 10);
    }

    /**
     * A {@code POST /v1/batches} body for recipients {@code from .. from+n-1}, each with its
     * {@code name}; with {@code rate > 0}, recipient i is scheduled at {@code firstDue + i/rate}.
     */
    byte[] batchJson(String name, String lineId, long from, int n, Instant firstDue, double rate) {
        long[] recipients = new long[n];
        for (int j = 0; j < n; j++) recipients[j] = from + j;
        return batchJson(name, lineId, recipients, rate > 0 ? i -> firstDue.plusNanos((long) (i * 1e9 / rate)) : null);
    }

    /**
     * A {@code POST /v1/batches} body for the given recipients (test number i, with its {@code name}),
     * each scheduled at {@code dueOf.apply(i)}, or unscheduled when {@code dueOf} is null.
     */
    byte[] batchJson(String name, String lineId, long[] recipients, java.util.function.LongFunction<Instant> dueOf) {
        StringBuilder sb = new StringBuilder(recipients.length * 80 + 256);
        sb.append("{\"name\":\"").append(name).append("\",\"agent_id\":\"").append(agentId)
                .append("\",\"line_id\":\"").append(lineId).append("\",\"recipients\":[");
        for (int j = 0; j < recipients.length; j++) {
            long i = recipients[j];
            if (j > 0) sb.append(',');
            sb.append("{\"phone_number\":\"").append(phone(i)).append("\",\"variables\":{\"name\":\"person ").append(i).append("\"}");
            if (dueOf != null) sb.append(",\"scheduled_at\":\"").append(dueOf.apply(i)).append('"');
            sb.append('}');
        }
        return sb.append("]}").toString().getBytes(StandardCharsets.UTF_8);
    }
}
