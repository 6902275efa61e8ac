package dev.outdial.api;

import dev.outdial.campaign.ConflictException;
import dev.outdial.campaign.FieldError;
import dev.outdial.campaign.InvalidInputException;
import dev.outdial.campaign.NotFoundException;
import dev.outdial.store.Json;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where exceptions become HTTP answers: RFC 9457 problem+json, with a JSON pointer
 * and a reason for every invalid field (invariant 7). An unexpected error is a 500 that names a
 * log reference and never leaks internals.
 */
final class Problems {
    private static final Logger log = LoggerFactory.getLogger(Problems.class);
    static final String TYPE_BASE = "https://outdial.dev/problems/";
    static final String CONTENT_TYPE = "application/problem+json";

    private Problems() {
    }

    static void register(RoutesConfig routes) {
        routes.exception(ApiException.class, (e, ctx) -> write(ctx, e.status, e.slug, e.title, e.getMessage(), e.errors));
        routes.exception(InvalidInputException.class, (e, ctx) -> write(ctx, 422, "invalid-request", "Invalid request",
                e.getMessage(), e.errors()));
        routes.exception(NotFoundException.class, (e, ctx) -> write(ctx, 404, "not-found", "Not found", e.getMessage(), List.of()));
        routes.exception(ConflictException.class, (e, ctx) -> write(ctx, 409, "conflict", "Conflict", e.getMessage(), List.of()));
        routes.exception(Exception.class, (e, ctx) -> {
            String ref = Long.toHexString(System.nanoTime());
            log.error("HTTP {} {}: unexpected error (ref {})", ctx.method(), ctx.path(), ref, e);
            write(ctx, 500, "internal-error", "Internal error",
                    "Something went wrong on our side; nothing partial was stored. Reference: " + ref, List.of());
        });
        routes.error(404, ctx -> {
            String type = ctx.res().getContentType();
            // Javalin's own "no such route" has no JSON body yet; a route's deliberate 404 (a problem, or a dialect's own shape) stays.
            if (type == null || !(type.startsWith(CONTENT_TYPE) || type.startsWith("application/json"))) {
                write(ctx, 404, "not-found", "Not found", "No route " + ctx.method() + " " + ctx.path(), List.of());
            }
        });
        routes.error(405, ctx -> write(ctx, 405, "method-not-allowed", "Method not allowed",
                ctx.method() + " is not allowed on " + ctx.path(), List.of()));
    }

    static void write(Context ctx, int status, String slug, String title, String detail, List<FieldError> errors) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", TYPE_BASE + slug);
        body.put("title", title);
        body.put("status", status);
        body.put("detail", detail);
        body.put("instance", ctx.path());
        if (!errors.isEmpty()) {
            List<Map<String, Object>> list = new ArrayList<>(errors.size());
            for (FieldError e : errors) list.add(render(e));
            body.put("errors", list);
        }
        ctx.status(status).contentType(CONTENT_TYPE).result(Json.writeBytes(body));
    }

    /** The field's name as a dotted path relative to its row: {@code /recipients/3/variables/dob} → {@code variables.dob}. */
    static String field(FieldError e) {
        String p = e.pointer();
        if (e.index() != null) {
            String row = "/recipients/" + e.index();
            if (p.startsWith(row)) p = p.substring(row.length());
        }
        return p.startsWith("/") ? p.substring(1).replace('/', '.') : p.replace('/', '.');
    }

    /** One field error as {pointer, field, index?, reason}. */
    static Map<String, Object> render(FieldError e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("pointer", e.pointer());
        m.put("field", field(e));
        if (e.index() != null) m.put("index", e.index());
        m.put("reason", e.reason());
        return m;
    }
}
