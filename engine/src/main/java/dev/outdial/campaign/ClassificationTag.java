package dev.outdial.campaign;

/**
 * A tag the agent may put on a call after it (HappyRobot's {@code classification_tags}), e.g. {@code interested}.
 *
 * @param name        the tag as it appears in the call's {@code analysis.tags}
 * @param description when it applies (the model reads this); null for none
 */
public record ClassificationTag(String name, String description) {
    /** At most this many tags per agent, each name at most {@link #MAX_NAME} characters. */
    public static final int MAX_TAGS = 50;
    public static final int MAX_NAME = 64;
}
