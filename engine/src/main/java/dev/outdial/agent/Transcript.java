package dev.outdial.agent;

import java.util.ArrayList;
import java.util.List;

/**
 * What was said on a call, in order: each entry's speaker ({@code agent} or {@code callee}), text,
 * and start and end in milliseconds from the answer. Only what was actually heard goes in: a
 * sentence the callee talked over is not the agent's. Errors of the providers are kept beside it.
 */
public final class Transcript {
    /** One utterance. */
    public record Entry(String speaker, String text, long startMs, long endMs) {
    }

    private final List<Entry> entries = new ArrayList<>();
    private final List<String> errors = new ArrayList<>();

    public synchronized void add(String speaker, String text, long startMs, long endMs) {
        entries.add(new Entry(speaker, text, startMs, endMs));
    }

    /** A provider failed during the call: what and why, for the call's record. */
    public synchronized void error(String what) {
        errors.add(what);
    }

    public synchronized List<Entry> entries() {
        return List.copyOf(entries);
    }

    public synchronized List<String> errors() {
        return List.copyOf(errors);
    }
}
