package dev.outdial.agent;

import java.util.ArrayList;
import java.util.List;

/**
 * Cuts a model's streamed text into sentences, so each can be spoken as soon as it is complete
 * instead of after the whole answer. A sentence ends at . ! ? or … followed by a space, or at a
 * line break; "3.5" or "e.g.x" do not end one, and a sentence shorter than {@link #MIN_CHARS}
 * waits for the next so that speech is not cut into choppy fragments ("Ok." stays with what follows).
 */
public final class Sentences {
    /** Shortest text spoken on its own. */
    static final int MIN_CHARS = 12;

    private final StringBuilder pending = new StringBuilder();

    /** Adds a piece of text; returns the sentences it completed (often none). */
    public List<String> offer(String piece) {
        pending.append(piece);
        List<String> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < pending.length(); i++) {
            char c = pending.charAt(i);
            boolean end = c == '\n'
                    || ((c == '.' || c == '!' || c == '?' || c == '…') && i + 1 < pending.length() && Character.isWhitespace(pending.charAt(i + 1)));
            if (end && i + 1 - start >= MIN_CHARS) {
                String sentence = pending.substring(start, i + 1).trim();
                if (!sentence.isEmpty()) out.add(sentence);
                start = i + 1;
            }
        }
        pending.delete(0, start);
        return out;
    }

    /** What is left at the end of the answer (null if nothing). */
    public String flush() {
        String rest = pending.toString().trim();
        pending.setLength(0);
        return rest.isEmpty() ? null : rest;
    }
}
