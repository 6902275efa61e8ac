package dev.outdial;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A local HTTP server standing in for a cloud provider (LLM, speech): it serves one path with the
 * test's handler, speaking the provider's real wire format, and keeps the last request's body and headers.
 */
public final class FakeProvider implements AutoCloseable {
    /** Answers one request; may throw (a client that went away). */
    public interface Handler {
        void handle(HttpExchange ex) throws Exception;
    }

    private final HttpServer server;
    public final AtomicReference<byte[]> lastBody = new AtomicReference<>();
    public final AtomicReference<com.sun.net.httpserver.Headers> lastHeaders = new AtomicReference<>();

    private FakeProvider(String path, Handler h) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext(path, ex -> {
            lastBody.set(ex.getRequestBody().readAllBytes());
            lastHeaders.set(ex.getRequestHeaders());
            try {
                h.handle(ex);
            } catch (Exception e) {
                // the client went away (it timed out): nothing left to answer
            } finally {
                ex.close();
            }
        });
        server.setExecutor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
        server.start();
    }

    /** Serves {@code path} (e.g. /v1/chat/completions). */
    public static FakeProvider serve(String path, Handler h) throws IOException {
        return new FakeProvider(path, h);
    }

    /** The base URL clients are configured with: http://127.0.0.1:port/v1. */
    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    /** Sends a whole answer. */
    public static void answer(HttpExchange ex, int status, String type, byte[] body) throws IOException {
        ex.getResponseHeaders().add("Content-Type", type);
        ex.sendResponseHeaders(status, body.length);
        ex.getResponseBody().write(body);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
