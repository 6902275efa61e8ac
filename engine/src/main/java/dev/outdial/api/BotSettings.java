package dev.outdial.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.outdial.campaign.Providers;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Reads and checks an agent's {@code providers.bot}: {url, headers (write-only), custom_parameters}. */
final class BotSettings {
    private static final Set<String> FIELDS = Set.of("url", "headers", "custom_parameters", "header_names");
    /** Headers the JDK WebSocket client sets itself and refuses from a caller; sec-websocket-* too. */
    private static final Set<String> RESERVED_HEADERS = Set.of("connection", "content-length", "expect", "host", "upgrade");
    /** An HTTP header name (RFC 9110 token). */
    private static final String TOKEN = "[!#$%&'*+.^_`|~0-9A-Za-z-]+";
    /** Bounds on what an agent may carry to its bot: a handshake and a start message stay small. */
    private static final int MAX_HEADERS = 20;
    private static final int MAX_PARAMETERS = 50;

    private BotSettings() {
    }

    /** The bot under {@code providers}, or null when there is none; every error is recorded with its pointer. */
    static Providers.Bot read(Body providers) {
        if (!providers.has("bot") || providers.node().get("bot").isNull()) return null;
        Body b = providers.nested("bot");
        if (b == null) return null;
        b.rejectUnknown(FIELDS); // header_names is read-only: a PATCH sends back what GET showed, and it is ignored
        String url = b.requiredText("url");
        if (url != null && !url.isBlank()) checkUrl(b, url);
        Map<String, String> headers = strings(b, "headers", MAX_HEADERS);
        if (headers != null) {
            headers.forEach((name, value) -> {
                String lower = name.toLowerCase(Locale.ROOT);
                if (!name.matches(TOKEN)) b.error("headers/" + Body.segment(name), "is not a valid header name");
                else if (RESERVED_HEADERS.contains(lower) || lower.startsWith("sec-websocket-")) {
                    b.error("headers/" + Body.segment(name), "is set by the WebSocket handshake itself and cannot be given");
                }
                // The JDK's handshake refuses what HTTP forbids in a field value; refused here, it names the header, not every call later.
                if (value != null && !value.chars().allMatch(ch -> ch == '\t' || (ch >= 0x20 && ch != 0x7f && ch <= 0xff))) {
                    b.error("headers/" + Body.segment(name), "must hold only visible characters, spaces and tabs (no line breaks or control characters)");
                }
            });
        }
        Map<String, String> parameters = strings(b, "custom_parameters", MAX_PARAMETERS);
        return new Providers.Bot(url, headers, parameters, null);
    }

    private static void checkUrl(Body b, String url) {
        String why = null;
        try {
            URI u = new URI(url);
            String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("ws") && !scheme.equals("wss")) why = "must be a ws or wss URL";
            else if (u.getHost() == null) why = "must name a host";
            else if (u.getFragment() != null) why = "must not have a fragment (#...)";
        } catch (URISyntaxException e) {
            why = "is not a valid URL (" + e.getReason() + ")";
        }
        if (why != null) b.error("url", why + ", e.g. wss://bot.example.com/media; got " + url);
    }

    /** An object of string values, or null when absent; non-string values are errors under the member's pointer. */
    private static Map<String, String> strings(Body b, String field, int max) {
        JsonNode n = b.node().get(field);
        if (n == null || n.isNull()) return null;
        if (!n.isObject()) {
            b.error(field, "must be an object of strings");
            return null;
        }
        if (n.size() > max) b.error(field, "may hold at most " + max + " entries");
        Map<String, String> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isTextual()) b.error(field + "/" + Body.segment(e.getKey()), "must be a string");
            else out.put(e.getKey(), e.getValue().asText());
        }
        return out;
    }
}
