package dev.outdial.webhook;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Set;

/**
 * Keeps webhooks from reaching inside the network Outdial runs in (server-side request forgery):
 * by default a destination may not be, or resolve to, a loopback, link-local, private, unique-local,
 * wildcard or multicast address. Hosts on the allow-list setting may (the tests' local receivers).
 * Checked when an endpoint is saved and again before every send, since DNS answers change.
 */
final class UrlSafety {
    private UrlSafety() {
    }

    /** Why {@code url} may not be used as saved (null: fine); unresolvable hosts pass here and fail at send time. */
    static String problemWithUrl(String url, Set<String> allowedHosts) {
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            return "not a URL: " + url;
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !scheme.equals("http")) return "must be an http or https URL";
        if (uri.getHost() == null || uri.getHost().isBlank()) return "must name a host";
        if (uri.getUserInfo() != null) return "must not carry credentials; use the endpoint's secret";
        try {
            return problemWithHost(uri.getHost(), allowedHosts);
        } catch (UnknownHostException e) {
            return null;
        }
    }

    /** Why {@code host} may not be reached now (null: fine). */
    static String problemWithHost(String host, Set<String> allowedHosts) throws UnknownHostException {
        String h = host.toLowerCase(Locale.ROOT).replaceAll("^\\[|\\]$", "");
        if (allowedHosts.contains("*") || allowedHosts.contains(h)) return null;
        for (InetAddress a : InetAddress.getAllByName(h)) {
            if (internal(a)) {
                return "resolves to " + a.getHostAddress() + ", a loopback, link-local or private address; "
                        + "add the host to OUTDIAL_WEBHOOK_ALLOW_HOSTS to allow it";
            }
        }
        return null;
    }

    private static boolean internal(InetAddress a) {
        if (a.isLoopbackAddress() || a.isLinkLocalAddress() || a.isSiteLocalAddress() || a.isAnyLocalAddress()
                || a.isMulticastAddress()) {
            return true;
        }
        byte[] b = a.getAddress();
        if (a instanceof Inet6Address) return (b[0] & 0xfe) == 0xfc; // fc00::/7, unique local
        return (b[0] & 0xff) == 100 && (b[1] & 0xc0) == 64;           // 100.64.0.0/10, carrier-grade NAT
    }
}
