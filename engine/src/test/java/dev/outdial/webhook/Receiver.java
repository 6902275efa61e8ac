package dev.outdial.webhook;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;

/** A real HTTP webhook receiver on localhost that records every request and answers as told. */
final class Receiver implements AutoCloseable {
    /** One request as received. */
    record Request(Map<String, List<String>> headers, String body) {
        String header(String name) {
            for (var e : headers.entrySet()) {
                if (e.getKey().equalsIgnoreCase(name)) return e.getValue().get(0);
            }
            return null;
        }
    }

    final List<Request> requests = new CopyOnWriteArrayList<>();
    private final int port;
    private volatile int status = 200;
    private volatile boolean abort;
    private volatile String location;
    private volatile boolean stallBody;
    private volatile CountDownLatch hold;
    private HttpServer server;

    private Receiver(int port) {
        this.port = port;
    }

    /** A receiver on a free port, not listening yet: a "down" endpoint. */
    static Receiver reserved() {
        try (ServerSocket s = new ServerSocket(0)) {
            return new Receiver(s.getLocalPort());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Receiver started() {
        return reserved().start();
    }

    Receiver start() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", ex -> {
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            requests.add(new Request(Map.copyOf(ex.getRequestHeaders()), body));
            CountDownLatch h = hold;
            if (h != null) {
                try {
                    h.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (abort) ex.getResponseHeaders().add("webhook-delivery", "abort-message");
            if (location != null) ex.getResponseHeaders().add("Location", location);
            if (stallBody) { // headers now, then a body that never ends
                ex.sendResponseHeaders(200, 0);
                ex.getResponseBody().write("partial".getBytes(StandardCharsets.UTF_8));
                ex.getResponseBody().flush();
                try {
                    new CountDownLatch(1).await(); // until the server stops
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return;
            }
            byte[] answer = ("status " + status).getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(status, answer.length);
            ex.getResponseBody().write(answer);
            ex.close();
        });
        server.start();
        return this;
    }

    String url() {
        return "http://127.0.0.1:" + port + "/hooks";
    }

    Receiver answer(int code) {
        this.status = code;
        return this;
    }

    Receiver location(String url) {
        this.location = url;
        return this;
    }

    Receiver stallBody() {
        this.stallBody = true;
        return this;
    }

    Receiver abortMessages() {
        this.abort = true;
        return this;
    }

    /** Every request blocks until {@link #release()}: a receiver that hangs. */
    Receiver hang() {
        this.hold = new CountDownLatch(1);
        return this;
    }

    void release() {
        CountDownLatch h = hold;
        if (h != null) h.countDown();
    }

    @Override
    public void close() {
        release();
        if (server != null) server.stop(0);
    }
}
