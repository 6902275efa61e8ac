package dev.outdial.webhook;

import dev.outdial.config.WebhookSettings;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * One HTTP attempt of a webhook: the body, the Standard Webhooks headers and an agent hook's own,
 * the address check before connecting, no redirects, and every wait (headers and body) bounded by
 * the request timeout. It records nothing; {@link WebhookDelivery} decides what the answer means.
 */
final class WebhookSender {
    /** Response bytes kept per attempt, for the deliveries API. */
    private static final int KEEP_RESPONSE_BYTES = 2048;

    private final WebhookSettings settings;
    private final HttpClient http;

    WebhookSender(WebhookSettings settings) {
        this.settings = settings;
        this.http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(settings.requestTimeout()).build();
    }

    /** What one attempt got back. */
    record Result(Integer statusCode, String error, String body, boolean abort) {
        boolean ok() {
            return statusCode != null && statusCode >= 200 && statusCode < 300;
        }
    }

    /** The body every attempt sends, byte for byte the same: Standard Webhooks' {type, timestamp, data}. */
    static String body(String type, Instant at, String payload) {
        return "{\"type\":\"" + type + "\",\"timestamp\":\"" + at + "\",\"data\":" + payload + "}";
    }

    Result post(WebhookDelivery.Claimed d, Instant now) {
        String body = body(d.type(), d.eventAt(), d.payload());
        try {
            URI uri = URI.create(d.url());
            String blocked = UrlSafety.problemWithHost(uri.getHost(), settings.allowedHosts());
            if (blocked != null) return new Result(null, "blocked: " + blocked, null, false);
            long ts = now.getEpochSecond();
            HttpRequest.Builder builder = HttpRequest.newBuilder(uri).timeout(settings.requestTimeout());
            for (var h : dev.outdial.store.Json.MAPPER.readTree(d.headersJson())) { // an agent hook's own headers (names checked on save)
                builder.header(h.path("key").asText(), h.path("value").asText());
            }
            HttpRequest req = builder
                    .header("Content-Type", "application/json")
                    .header("User-Agent", "Outdial-Webhooks/1")
                    .header("webhook-id", d.eventId())
                    .header("webhook-timestamp", Long.toString(ts))
                    .header("webhook-signature", Signer.signature(d.secrets(), d.eventId(), ts, body))
                    .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build();
            long deadline = System.nanoTime() + settings.requestTimeout().toNanos();
            HttpResponse<InputStream> res = http.send(req, HttpResponse.BodyHandlers.ofInputStream());
            String kept = readBody(res.body(), deadline);
            if (kept == null) {
                return new Result(null, "timeout after " + settings.requestTimeout().toSeconds() + " s reading the answer's body", null, false);
            }
            boolean abort = res.headers().firstValue("webhook-delivery").map("abort-message"::equalsIgnoreCase).orElse(false);
            return new Result(res.statusCode(), null, kept, abort);
        } catch (java.net.http.HttpTimeoutException e) {
            return new Result(null, "timeout after " + settings.requestTimeout().toSeconds() + " s", null, false);
        } catch (IOException | IllegalArgumentException e) {
            return new Result(null, e.getClass().getSimpleName() + ": " + e.getMessage(), null, false);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(null, "interrupted", null, false);
        }
    }

    /**
     * The first bytes of an answer's body, or null if it does not arrive by {@code deadlineNanos}:
     * the client's request timeout covers only the wait for the headers, and a receiver that stalls
     * mid-body must not hold a send slot forever.
     */
    private static String readBody(InputStream in, long deadlineNanos) throws InterruptedException {
        byte[][] read = new byte[1][];
        Thread reader = Thread.ofVirtual().start(() -> {
            try {
                read[0] = in.readNBytes(KEEP_RESPONSE_BYTES);
            } catch (IOException e) {
                read[0] = new byte[0];
            }
        });
        long waitMs = Math.max(1, (deadlineNanos - System.nanoTime()) / 1_000_000);
        reader.join(waitMs);
        boolean stalled = reader.isAlive();
        try {
            in.close(); // done either way; closing also unblocks a reader stuck on a stalled body
        } catch (IOException ignored) {
            // the connection is dropped; nothing to do
        }
        reader.join(1000);
        return stalled || read[0] == null ? null : new String(read[0], StandardCharsets.UTF_8);
    }
}
