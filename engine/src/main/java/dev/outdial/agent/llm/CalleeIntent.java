package dev.outdial.agent.llm;

import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a callee's words mean, by keyword rules: the built-in demo model ({@link RuleBasedLlm}) answers
 * by it and the built-in analyst tags and summarizes by it. The first intent whose phrases the text
 * holds as whole words wins, in declaration order (so "no one by that name" is a wrong number, not a no).
 */
public enum CalleeIntent {
    WRONG_PERSON("is not the person called", List.of("wrong number", "no one by that name", "nobody by that name", "doesn't live here"),
            List.of("wrong number", "wrong person")),
    DECLINED("declined and asked not to be called again", List.of("not interested", "don't call", "do not call", "stop calling", "remove me"),
            List.of("not interested", "declin", "do not call", "dnc", "opt out", "opt-out")),
    CALL_BACK("asked to be called back later", List.of("call me back", "call back", "driving", "bad time", "busy right now"),
            List.of("call back", "callback", "later")),
    WANTS_PERSON("asked to speak to a person", List.of("real person", "human", "speak to someone", "representative"),
            List.of("human", "person", "escalat", "transfer", "representative")),
    RESCHEDULE("asked to reschedule", List.of("can't make it", "cannot make it", "move it", "reschedule", "another day", "change the"),
            List.of("reschedul", "move", "new time")),
    QUESTION("asked a question", List.of("?"), List.of("question")),
    CONFIRMED("confirmed", List.of("yes", "yeah", "yep", "sure", "works", "will be there", "i'll be there", "okay", "ok", "perfect", "great"),
            List.of("confirm", "attend", "yes")),
    NO("said no", List.of("no", "that's all", "nothing else", "bye", "thanks", "thank you"), List.of("no")),
    UNCLEAR("was not understood", List.of(), List.of("unclear", "unknown")),
    SILENT("said nothing", List.of(), List.of("no answer", "no response", "silent", "unreachable"));

    /** Days and times, as a callee names a new appointment ("Thursday at 3 pm"). */
    static final Pattern DAY_OR_TIME = Pattern.compile(
            "\\b(monday|tuesday|wednesday|thursday|friday|saturday|sunday|tomorrow|next week|morning|afternoon|evening"
                    + "|\\d{1,2}(:\\d{2})?\\s*(am|pm)|\\d{1,2}:\\d{2})\\b", Pattern.CASE_INSENSITIVE);

    /** How a summary says it: "The callee " + this. */
    public final String description;
    private final List<String> phrases;
    /** Words that, in a tag's or field's name or description, mean this intent. */
    private final List<String> labels;

    CalleeIntent(String description, List<String> phrases, List<String> labels) {
        this.description = description;
        this.phrases = phrases;
        this.labels = labels;
    }

    /** The intent of one turn of the callee's; UNCLEAR when no rule matches. */
    public static CalleeIntent of(String said) {
        String text = said.toLowerCase(Locale.ROOT);
        for (CalleeIntent i : values()) {
            for (String p : i.phrases) {
                if (p.equals("?") ? text.contains("?") : Pattern.compile("(^|\\W)" + Pattern.quote(p) + "($|\\W)").matcher(text).find()) return i;
            }
        }
        return UNCLEAR;
    }

    /**
     * Whether a label (a tag's or field's name and description) names this intent: one of its words starts
     * with one of the intent's labels ("declin" names "declined"); a label of three letters or fewer must be
     * the whole word ("no" is not in "not_interested").
     */
    public boolean namedIn(String label) {
        String l = label.toLowerCase(Locale.ROOT).replace('_', ' ');
        for (String w : labels) {
            String tail = w.length() <= 3 ? "($|\\W)" : "";
            if (Pattern.compile("(^|\\W)" + Pattern.quote(w) + tail).matcher(l).find()) return true;
        }
        return false;
    }

    /** The days and times {@code said} names, joined ("Thursday 3 pm"); empty when none. */
    public static String dayOrTime(String said) {
        StringBuilder out = new StringBuilder();
        Matcher m = DAY_OR_TIME.matcher(said);
        while (m.find()) out.append(out.isEmpty() ? "" : " ").append(m.group());
        return out.toString();
    }
}
