package dev.outdial.agent;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Fills {@code {{variable}}} placeholders (spaces inside the braces allowed) from a call's variables
 * ({@link PromptVariables}). Templates are checked when an agent is saved: every placeholder must be
 * a declared variable, a default or a built-in ({@link #unknown}); intake has checked that required
 * variables are present. So at call time only an optional variable left unset is missing, and it
 * becomes empty rather than being read aloud as braces.
 */
public final class Template {
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{\\s*([A-Za-z0-9_.-]+)\\s*}}");

    private Template() {
    }

    /** The placeholder names in {@code template}, in order of first appearance. */
    public static java.util.Set<String> placeholders(String template) {
        java.util.Set<String> names = new java.util.LinkedHashSet<>();
        if (template == null) return names;
        Matcher m = PLACEHOLDER.matcher(template);
        while (m.find()) names.add(m.group(1));
        return names;
    }

    /** The placeholders of {@code template} that are not in {@code known}. */
    public static java.util.List<String> unknown(String template, java.util.Set<String> known) {
        return placeholders(template).stream().filter(n -> !known.contains(n)).toList();
    }

    public static String render(String template, Map<String, Object> variables) {
        if (template == null) return null;
        Matcher m = PLACEHOLDER.matcher(template);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            Object v = variables == null ? null : variables.get(m.group(1));
            m.appendReplacement(out, Matcher.quoteReplacement(v == null ? "" : v.toString()));
        }
        m.appendTail(out);
        return out.toString();
    }
}
