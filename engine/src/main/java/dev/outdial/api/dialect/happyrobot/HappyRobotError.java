package dev.outdial.api.dialect.happyrobot;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** An error as HappyRobot's API answers: {@code {statusCode, error, message, errors?: [{path, message}]}}. */
final class HappyRobotError extends RuntimeException {
    final int status;
    private final String error;
    private final transient List<Map<String, String>> errors;

    HappyRobotError(int status, String error, String message, List<Map<String, String>> errors) {
        super(message, null, false, false);
        this.status = status;
        this.error = error;
        this.errors = errors;
    }

    static HappyRobotError invalid(List<Map<String, String>> errors) {
        String first = errors.isEmpty() ? "" : ": " + (errors.get(0).get("path").isEmpty() ? "" : errors.get(0).get("path") + " ")
                + errors.get(0).get("message");
        return new HappyRobotError(400, "Bad Request", "Invalid request" + first, errors);
    }

    Map<String, Object> body() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("statusCode", status);
        m.put("error", error);
        m.put("message", getMessage());
        if (!errors.isEmpty()) m.put("errors", errors);
        return m;
    }
}
