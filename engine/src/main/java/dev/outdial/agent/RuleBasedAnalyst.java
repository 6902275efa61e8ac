package dev.outdial.agent;

import dev.outdial.agent.llm.CalleeIntent;
import dev.outdial.agent.llm.RuleBasedLlm;
import dev.outdial.campaign.ClassificationTag;
import dev.outdial.campaign.ExtractionField;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The after-the-call analyst of agents without a model, for the demo and tests: keyword rules, not an
 * AI, labelled like {@link RuleBasedLlm}. It reads the callee's {@link CalleeIntent} (the last turn
 * with a clear one) and answers:
 *
 * <ul>
 *   <li>tags: each tag whose name or description names that intent ("confirmed", "reschedule",
 *       "not_interested", "wrong_number", "callback", "wants_human", …);</li>
 *   <li>a boolean field about confirming or attending: true when the callee confirmed, false when
 *       they declined, moved or were the wrong person, else null;</li>
 *   <li>a text, date or time field about a day or time: the day and time the callee named;
 *       a field about an intent, outcome or reason: the intent's name; an enum field: the value that
 *       names the intent; a number: the first number the callee said;</li>
 *   <li>a summary: "The callee confirmed." and the like.</li>
 * </ul>
 */
public final class RuleBasedAnalyst implements Analyst {
    private static final Pattern NUMBER = Pattern.compile("-?\\d+(\\.\\d+)?");

    @Override
    public String name() {
        return RuleBasedLlm.NAME;
    }

    @Override
    public Map<String, Object> answer(Question q) {
        List<String> callee = q.transcript().stream().filter(e -> e.speaker().equals("callee")).map(Transcript.Entry::text).toList();
        CalleeIntent intent = CalleeIntent.SILENT;
        String dayOrTime = "";
        for (String said : callee) {
            CalleeIntent i = CalleeIntent.of(said);
            // A clear intent is not undone by a closing "thanks" or a question on the way.
            if (intent == CalleeIntent.SILENT || intent == CalleeIntent.UNCLEAR || intent == CalleeIntent.QUESTION
                    || (i != CalleeIntent.NO && i != CalleeIntent.UNCLEAR && i != CalleeIntent.QUESTION && i != CalleeIntent.CONFIRMED)) {
                intent = i;
            }
            String d = CalleeIntent.dayOrTime(said);
            if (!d.isEmpty()) dayOrTime = d;
        }
        Map<String, Object> out = new LinkedHashMap<>();
        if (!q.fields().isEmpty()) {
            Map<String, Object> extracted = new LinkedHashMap<>();
            for (ExtractionField f : q.fields()) extracted.put(f.name(), value(f, intent, dayOrTime, callee));
            out.put("extracted", extracted);
        }
        if (!q.tags().isEmpty()) {
            List<String> tags = new ArrayList<>();
            for (ClassificationTag t : q.tags()) {
                if (intent.namedIn(t.name() + " " + (t.description() == null ? "" : t.description()))) tags.add(t.name());
            }
            out.put("tags", tags);
        }
        if (q.summary()) {
            String summary = "The callee " + intent.description + (intent == CalleeIntent.RESCHEDULE && !dayOrTime.isEmpty()
                    ? ", to " + dayOrTime : "") + ".";
            out.put("summary", summary);
        }
        return out;
    }

    private static Object value(ExtractionField f, CalleeIntent intent, String dayOrTime, List<String> callee) {
        String label = (f.name() + " " + (f.description() == null ? "" : f.description())).toLowerCase(Locale.ROOT).replace('_', ' ');
        return switch (f.type()) {
            case "boolean" -> {
                if (!CalleeIntent.CONFIRMED.namedIn(label)) yield null;
                if (intent == CalleeIntent.CONFIRMED) yield true;
                yield intent == CalleeIntent.DECLINED || intent == CalleeIntent.RESCHEDULE || intent == CalleeIntent.WRONG_PERSON ? false : null;
            }
            case "enum" -> f.values().stream().filter(intent::namedIn).findFirst().orElse(null);
            case "number", "integer" -> {
                for (String said : callee) {
                    Matcher m = NUMBER.matcher(said);
                    // BigDecimal: a callee reading out a long number (a card, a phone) must not overflow the analysis.
                    if (m.find()) yield f.type().equals("integer") ? (Object) new java.math.BigDecimal(m.group()).toBigInteger()
                            : new java.math.BigDecimal(m.group());
                }
                yield null;
            }
            case "string" -> {
                if (mentionsTime(label)) yield dayOrTime.isEmpty() ? null : dayOrTime;
                if (label.contains("intent") || label.contains("outcome") || label.contains("reason")) yield intent.name().toLowerCase(Locale.ROOT);
                yield null;
            }
            default -> null; // dates and date-times: the rules cannot turn "Thursday" into a calendar date
        };
    }

    private static boolean mentionsTime(String label) {
        return label.contains("time") || label.contains("day") || label.contains("date") || label.contains("when");
    }
}
