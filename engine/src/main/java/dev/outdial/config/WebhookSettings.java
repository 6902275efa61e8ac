package dev.outdial.config;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * How webhooks are delivered.
 *
 * @param enabled               run the delivery loop on this node (default true; tests drive it by hand)
 * @param retrySchedule         the wait before each retry after the first attempt; its length is the number of
 *                              retries (default Svix's: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h;
 *                              {@code OUTDIAL_WEBHOOK_RETRY_SCHEDULE}, e.g. {@code 5s,5m,30m,2h,5h,10h,10h})
 * @param requestTimeout        a receiver must answer within this (default 15 s)
 * @param perEndpointConcurrency deliveries in flight per endpoint on one node (default 16), so a slow receiver
 *                              holds only its own slots
 * @param lease                 how long a claimed delivery stays this node's before another may take it (default 60 s)
 * @param pollInterval          how often the loop looks for due deliveries when idle (default 100 ms: one index probe)
 * @param disableAfter          an endpoint failing continuously this long is disabled (default 5 days)
 * @param allowedHosts          hosts that may resolve to loopback, link-local or private addresses
 *                              ({@code OUTDIAL_WEBHOOK_ALLOW_HOSTS}, comma-separated; {@code *} allows every host);
 *                              by default none may
 */
public record WebhookSettings(boolean enabled, List<Duration> retrySchedule, Duration requestTimeout, int perEndpointConcurrency,
                              Duration lease, Duration pollInterval, Duration disableAfter, Set<String> allowedHosts) {
    public WebhookSettings {
        retrySchedule = List.copyOf(retrySchedule);
        allowedHosts = Set.copyOf(allowedHosts);
        for (Duration d : retrySchedule) {
            if (d.isNegative()) throw new IllegalArgumentException("webhooks.retry_schedule must not hold negative waits, got " + d);
        }
        if (perEndpointConcurrency < 1) {
            throw new IllegalArgumentException("webhooks.per_endpoint_concurrency must be >= 1, got " + perEndpointConcurrency);
        }
        if (lease.compareTo(requestTimeout) <= 0) {
            throw new IllegalStateException("webhooks.lease (" + lease + ") must be longer than webhooks.request_timeout (" + requestTimeout + ")");
        }
    }

    public static WebhookSettings defaults() {
        return new WebhookSettings(true, List.of(Duration.ofSeconds(5), Duration.ofMinutes(5), Duration.ofMinutes(30),
                Duration.ofHours(2), Duration.ofHours(5), Duration.ofHours(10), Duration.ofHours(10)),
                Duration.ofSeconds(15), 16, Duration.ofSeconds(60), Duration.ofMillis(100), Duration.ofDays(5), Set.of());
    }

    public WebhookSettings withEnabled(boolean on) {
        return new WebhookSettings(on, retrySchedule, requestTimeout, perEndpointConcurrency, lease, pollInterval, disableAfter, allowedHosts);
    }

    public WebhookSettings withRetrySchedule(List<Duration> schedule) {
        return new WebhookSettings(enabled, schedule, requestTimeout, perEndpointConcurrency, lease, pollInterval, disableAfter, allowedHosts);
    }

    public WebhookSettings withRequestTimeout(Duration timeout) {
        return new WebhookSettings(enabled, retrySchedule, timeout, perEndpointConcurrency, lease, pollInterval, disableAfter, allowedHosts);
    }

    public WebhookSettings withAllowedHosts(Set<String> hosts) {
        return new WebhookSettings(enabled, retrySchedule, requestTimeout, perEndpointConcurrency, lease, pollInterval, disableAfter, hosts);
    }

    /** Parses a retry schedule such as {@code 5s,5m,30m,2h}: whole numbers with s, m, h or d; an empty text is no retries. */
    public static List<Duration> schedule(String csv) {
        List<Duration> out = new java.util.ArrayList<>();
        for (String part : csv.split(",")) {
            String p = part.trim();
            if (p.isEmpty()) continue;
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+)([smhd])").matcher(p);
            if (!m.matches()) {
                throw new IllegalArgumentException("OUTDIAL_WEBHOOK_RETRY_SCHEDULE: '" + p + "' is not a wait such as 5s, 5m, 2h or 1d");
            }
            long n = Long.parseLong(m.group(1));
            out.add(switch (m.group(2)) {
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            });
        }
        return out;
    }

    /** Parses a comma-separated host list; blanks are dropped. */
    public static Set<String> hosts(String csv) {
        return Arrays.stream(csv.split(",")).map(String::trim).filter(h -> !h.isEmpty()).map(String::toLowerCase)
                .collect(Collectors.toSet());
    }
}
