package dev.outdial.agent;

import dev.outdial.agent.CallAnalysis.Problem;
import dev.outdial.campaign.ClassificationTag;
import dev.outdial.campaign.ExtractionField;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Checks an analyst's answer against the agent's types, keeping what fits and naming what does not, field
 * by field: one wrong field costs that field only. Strict models never send a wrong type, but local
 * servers and lenient providers do, so text that clearly means the type is taken ({@code "42"} for a
 * number, {@code "TRUE"} for a boolean, {@code "Yes"} for the enum value {@code yes}); anything else is
 * an error with the value it got.
 */
final class AnswerCheck {
    /** A summary longer than this is cut: it is meant to be read at a glance, and it travels in every event. */
    static final int MAX_SUMMARY = 2_000;

    /** A value as kept, or why it was refused. */
    private record Checked(Object value, String error) {
        static Checked ok(Object v) {
            return new Checked(v, null);
        }

        static Checked bad(String why) {
            return new Checked(null, why);
        }
    }

    private AnswerCheck() {
    }

    static CallAnalysis.Result check(CallAnalysis.Plan plan, Map<String, Object> answer, String model) {
        List<Problem> errors = new ArrayList<>();
        Map<String, Object> extracted = new LinkedHashMap<>();
        if (!plan.fields().isEmpty()) {
            if (answer.get("extracted") instanceof Map<?, ?> given) {
                for (ExtractionField f : plan.fields()) {
                    String pointer = "/extracted/" + f.name();
                    Object v = given.get(f.name());
                    if (v == null) {
                        if (f.required()) errors.add(new Problem(pointer, "required, but the conversation did not give it"));
                        continue;
                    }
                    Checked c = value(f, v);
                    if (c.error() == null) extracted.put(f.name(), c.value());
                    else errors.add(new Problem(pointer, c.error()));
                }
            } else {
                errors.add(new Problem("/extracted", "the answer has no extracted object"));
            }
        }
        List<String> tags = plan.tags().isEmpty() ? List.of() : tags(plan.tags(), answer.get("tags"), errors);
        String summary = plan.summary() ? summary(answer.get("summary"), errors) : null;
        return new CallAnalysis.Result(extracted, tags, summary, errors, model);
    }

    private static List<String> tags(List<ClassificationTag> known, Object given, List<Problem> errors) {
        List<String> out = new ArrayList<>();
        if (!(given instanceof List<?> list)) {
            errors.add(new Problem("/tags", "the answer has no tags array"));
            return out;
        }
        List<String> names = known.stream().map(ClassificationTag::name).toList();
        for (int i = 0; i < list.size(); i++) {
            String name = list.get(i) instanceof String s ? oneOf(names, s) : null;
            if (name == null) errors.add(new Problem("/tags/" + i, "not one of the agent's tags " + names + ": " + shown(list.get(i))));
            else if (!out.contains(name)) out.add(name);
        }
        return out;
    }

    private static String summary(Object given, List<Problem> errors) {
        if (!(given instanceof String s) || s.isBlank()) {
            errors.add(new Problem("/summary", given == null ? "the answer has no summary" : "expected text, got " + shown(given)));
            return null;
        }
        String t = s.strip();
        return t.length() > MAX_SUMMARY ? t.substring(0, MAX_SUMMARY - 1) + "…" : t;
    }

    /** The value of {@code f} as kept (numbers as numbers, dates as ISO text), or why it does not fit. */
    static Checked value(ExtractionField f, Object v) {
        return switch (f.type()) {
            case "string" -> v instanceof String s && !s.isBlank() ? Checked.ok(s.strip()) : Checked.bad("expected text, got " + shown(v));
            case "number" -> {
                BigDecimal n = number(v);
                yield n == null ? Checked.bad("expected a number, got " + shown(v)) : Checked.ok(n);
            }
            case "integer" -> {
                BigDecimal n = number(v);
                yield n != null && n.stripTrailingZeros().scale() <= 0 ? Checked.ok(n.toBigIntegerExact())
                        : Checked.bad("expected an integer, got " + shown(v));
            }
            case "boolean" -> {
                if (v instanceof Boolean b) yield Checked.ok(b);
                String s = v instanceof String t ? t.strip().toLowerCase(Locale.ROOT) : "";
                yield s.equals("true") || s.equals("false") ? Checked.ok(Boolean.valueOf(s)) : Checked.bad("expected true or false, got " + shown(v));
            }
            case "date" -> {
                try {
                    yield v instanceof String s ? Checked.ok(LocalDate.parse(s.strip()).toString()) : Checked.bad("expected a date, got " + shown(v));
                } catch (DateTimeParseException e) {
                    yield Checked.bad("expected a date as YYYY-MM-DD, got " + shown(v));
                }
            }
            case "datetime" -> v instanceof String s ? dateTime(s.strip()) : Checked.bad("expected a date and time, got " + shown(v));
            case "enum" -> {
                String e = v instanceof String s ? oneOf(f.values(), s) : null;
                yield e != null ? Checked.ok(e) : Checked.bad("expected one of " + f.values() + ", got " + shown(v));
            }
            default -> throw new IllegalStateException("extraction field " + f.name() + " has unknown type " + f.type());
        };
    }

    /** A JSON number, or text that is one ("42", " 3.5 "); null otherwise. */
    private static BigDecimal number(Object v) {
        try {
            if (v instanceof Number n) return new BigDecimal(n.toString());
            if (v instanceof String s) return new BigDecimal(s.strip());
        } catch (NumberFormatException e) {
            // not a number: the caller names the value
        }
        return null;
    }

    /** ISO 8601 with an offset, or local (the model may not know the callee's zone). */
    private static Checked dateTime(String s) {
        try {
            return Checked.ok(DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(OffsetDateTime.parse(s))); // seconds always written
        } catch (DateTimeParseException e) {
            try {
                return Checked.ok(DateTimeFormatter.ISO_LOCAL_DATE_TIME.format(LocalDateTime.parse(s)));
            } catch (DateTimeParseException e2) {
                return Checked.bad("expected a date and time as ISO 8601 (2026-05-01T14:30:00-05:00), got " + shown(s));
            }
        }
    }

    /** The declared value {@code s} means: exactly, else ignoring case and surrounding blanks; null if none. */
    private static String oneOf(List<String> values, String s) {
        if (values.contains(s)) return s;
        String t = s.strip();
        return values.stream().filter(v -> v.equalsIgnoreCase(t)).findFirst().orElse(null);
    }

    /** A value as it appears in an error: JSON-like and short. */
    private static String shown(Object v) {
        String s = v instanceof String t ? "\"" + t + "\"" : String.valueOf(v);
        return s.length() > 80 ? s.substring(0, 80) + "…" : s;
    }
}
