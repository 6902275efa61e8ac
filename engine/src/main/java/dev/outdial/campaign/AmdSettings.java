package dev.outdial.campaign;

/**
 * An agent's answering-machine detection (HappyRobot's amd settings): what to do when a machine
 * answers, how long to listen before deciding, and the message to leave.
 *
 * @param behavior   {@code hangup}, {@code leave_message} or {@code continue}
 * @param decisionMs listen at most this long (default 4,000)
 * @param message    for leave_message: the message, a template with {@code {{variable}}} placeholders
 */
public record AmdSettings(String behavior, int decisionMs, String message) {
    public static final java.util.List<String> BEHAVIORS = java.util.List.of("hangup", "leave_message", "continue");
    public static final int DEFAULT_DECISION_MS = 4_000;
    public static final int MIN_DECISION_MS = 1_000;
    public static final int MAX_DECISION_MS = 10_000;
}
