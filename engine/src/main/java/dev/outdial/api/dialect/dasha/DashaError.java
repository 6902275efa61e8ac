package dev.outdial.api.dialect.dasha;

import dev.outdial.campaign.FieldError;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An error as Dasha's ASP.NET service writes it: RFC 7807 problem details, with validation
 * errors as {@code errors: {"[0].endpoint": ["message"]}} under status 400.
 */
final class DashaError extends RuntimeException {
    final int status;
    final transient Map<String, Object> body;

    private DashaError(int status, Map<String, Object> body) {
        super(String.valueOf(body), null, false, false);
        this.status = status;
        this.body = body;
    }

    static DashaError of(int status, String title, String detail) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", "https://tools.ietf.org/html/rfc9110#section-15." + (status == 401 ? "5.2" : status == 404 ? "5.5" : "5.1"));
        m.put("title", title);
        m.put("status", status);
        m.put("detail", detail);
        return new DashaError(status, m);
    }

    static DashaError validation(Map<String, List<String>> errors) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", "https://tools.ietf.org/html/rfc9110#section-15.5.1");
        m.put("title", "One or more validation errors occurred.");
        m.put("status", 400);
        m.put("errors", errors);
        return new DashaError(400, m);
    }

    /**
     * Intake's field errors under Dasha's names: {@code /recipients/3/variables/name} →
     * {@code [3].additionalData.name} in a bulk request, {@code additionalData.name} for one call.
     */
    static DashaError fromIntake(List<FieldError> errors, boolean bulk) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (FieldError e : errors) out.computeIfAbsent(key(e.pointer(), bulk), k -> new java.util.ArrayList<>()).add(e.reason());
        return validation(out);
    }

    private static final Map<String, String> NAMES = Map.of(
            "phone_number", "endpoint", "variables", "additionalData", "deadline", "callDeadline",
            "agent_id", "agentId", "line_id", "overrideOutboundConfig.phoneNumber", "recipients", "calls");

    static String key(String pointer, boolean bulk) {
        String[] parts = pointer.startsWith("/") ? pointer.substring(1).split("/") : new String[0];
        StringBuilder sb = new StringBuilder();
        int i = 0;
        if (parts.length >= 2 && parts[0].equals("recipients") && parts[1].chars().allMatch(Character::isDigit)) {
            if (bulk) sb.append('[').append(parts[1]).append(']');
            i = 2;
        }
        boolean literal = false;
        for (; i < parts.length; i++) {
            if (sb.length() > 0) sb.append('.');
            String name = literal ? parts[i] : NAMES.getOrDefault(parts[i], parts[i]);
            sb.append(name);
            literal = parts[i].equals("variables");
        }
        return sb.toString();
    }
}
