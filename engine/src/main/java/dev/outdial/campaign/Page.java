package dev.outdial.campaign;

import java.util.List;

/** One page of a list; {@code nextCursor} is null on the last page. */
public record Page<T>(List<T> data, String nextCursor, boolean hasMore) {
    /** Builds a page from up to limit+1 fetched rows: the extra row only tells that more exist. */
    public static <T> Page<T> of(List<T> fetched, int limit, java.util.function.Function<T, String> cursorOf) {
        boolean more = fetched.size() > limit;
        List<T> data = more ? List.copyOf(fetched.subList(0, limit)) : List.copyOf(fetched);
        return new Page<>(data, more ? cursorOf.apply(data.get(data.size() - 1)) : null, more);
    }
}
