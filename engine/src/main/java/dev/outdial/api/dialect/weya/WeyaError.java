package dev.outdial.api.dialect.weya;

import java.util.LinkedHashMap;
import java.util.Map;

/** An error in Weya's envelope: {@code {status: false, code, message, …}} with the HTTP status in {@code code}. */
final class WeyaError extends RuntimeException {
    final int code;
    final transient Map<String, Object> body;

    WeyaError(int code, String message, Map<String, Object> extra) {
        super(message, null, false, false);
        this.code = code;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("status", false);
        m.put("code", code);
        m.put("message", message);
        m.putAll(extra);
        this.body = m;
    }

    WeyaError(int code, String message) {
        this(code, message, Map.of());
    }
}
