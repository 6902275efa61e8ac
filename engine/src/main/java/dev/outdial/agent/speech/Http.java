package dev.outdial.agent.speech;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** One request to a speech engine, whole answer within the timeout, errors as {@link SpeechException}s naming the engine. */
final class Http {
    private Http() {
    }

    static byte[] send(HttpClient http, HttpRequest request, String what, Duration timeout) throws SpeechException {
        CompletableFuture<HttpResponse<byte[]>> f = http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray());
        HttpResponse<byte[]> response;
        try {
            // The request timeout covers the headers only; this bounds the whole answer.
            response = f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            throw new SpeechException(what + ": no whole answer from " + request.uri() + " within " + timeout.toMillis() + " ms");
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof HttpTimeoutException) {
                throw new SpeechException(what + ": no answer from " + request.uri() + " within " + timeout.toMillis() + " ms", c);
            }
            throw new SpeechException(what + ": " + request.uri() + " unreachable: " + c.getMessage(), c);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SpeechException(what + ": interrupted", e);
        }
        if (response.statusCode() / 100 != 2) {
            String body = new String(response.body(), 0, Math.min(500, response.body().length), StandardCharsets.UTF_8);
            throw new SpeechException(what + ": " + request.uri() + " answered " + response.statusCode() + ": " + body);
        }
        return response.body();
    }

}
