package dev.outdial.api;

import dev.outdial.campaign.Organizations;
import io.javalin.http.Context;

/** Finds the organization of the API key a request carries, in any of the three accepted headers. */
public final class Auth {
    private static final String ORG = "outdial.org";

    private final Organizations organizations;

    Auth(Organizations organizations) {
        this.organizations = organizations;
    }

    /** Before-handler: rejects a request without a valid key with 401. */
    void require(Context ctx) {
        if (!authenticate(ctx)) {
            ctx.header("WWW-Authenticate", "Bearer");
            throw ApiException.unauthorized();
        }
    }

    /**
     * True if the request carries a valid key; then {@link #org} answers its organization. A request
     * already authenticated (a dialect's own before-handler ran first) is not looked up twice.
     */
    public boolean authenticate(Context ctx) {
        if (ctx.attribute(ORG) != null) return true;
        String key = presentedKey(ctx);
        String org = key == null ? null : organizations.authenticate(key).orElse(null);
        if (org == null) return false;
        ctx.attribute(ORG, org);
        return true;
    }

    /** The organization of an authenticated request. */
    public static String org(Context ctx) {
        String org = ctx.attribute(ORG);
        if (org == null) throw new IllegalStateException("route " + ctx.path() + " is not behind authentication");
        return org;
    }

    static String presentedKey(Context ctx) {
        String auth = ctx.header("Authorization");
        if (auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)) return auth.substring(7).trim();
        String k = ctx.header("x-api-key");
        if (k != null) return k.trim();
        k = ctx.header("xi-api-key");
        return k == null ? null : k.trim();
    }
}
