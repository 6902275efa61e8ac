package dev.outdial.api;

import dev.outdial.campaign.Page;
import dev.outdial.store.Json;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Small helpers every route uses: JSON answers, list pages and the limit parameter. */
public final class Http {
    static final int DEFAULT_LIMIT = 50;
    static final int MAX_LIMIT = 1000;

    private Http() {
    }

    public static void json(Context ctx, int status, Object body) {
        ctx.status(status).contentType("application/json").result(Json.writeBytes(body));
    }

    /** A list answer: {data, has_more, next_cursor}. */
    static Map<String, Object> page(Page<?> page) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("data", page.data());
        m.put("has_more", page.hasMore());
        m.put("next_cursor", page.nextCursor());
        return m;
    }

    static int limit(Context ctx) {
        String s = ctx.queryParam("limit");
        if (s == null) return DEFAULT_LIMIT;
        try {
            int n = Integer.parseInt(s);
            if (n >= 1 && n <= MAX_LIMIT) return n;
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw ApiException.invalid(List.of(dev.outdial.campaign.FieldError.of("/limit",
                "must be an integer from 1 to " + MAX_LIMIT + "; got " + s)));
    }
}
