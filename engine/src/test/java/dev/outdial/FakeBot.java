package dev.outdial;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.outdial.store.Json;
import io.javalin.Javalin;
import io.javalin.websocket.WsContext;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A user's bot as a real WebSocket server (Javalin on Jetty) that speaks the Twilio Media Streams
 * format: it keeps every message Outdial sent, in order, and the handshake's headers, and the test
 * makes it send media, marks and clears, or close the socket. A closed gate makes it stop reading,
 * like a bot that cannot keep up.
 */
public final class FakeBot implements AutoCloseable {
    /** How long a test waits for the next message: generous, for a busy machine. */
    private static final long WAIT_S = 20;

    public final BlockingQueue<JsonNode> received = new LinkedBlockingQueue<>();
    public final BlockingQueue<Map<String, String>> handshakes = new LinkedBlockingQueue<>();
    public final CountDownLatch closed = new CountDownLatch(1);
    /** When set, the bot reads no further message until it is counted down. */
    public volatile CountDownLatch gate;
    private volatile WsContext socket;
    private final Javalin app;

    public FakeBot() {
        app = Javalin.create(c -> {
            c.startup.showJavalinBanner = false;
            c.routes.ws("/bot", ws -> {
                ws.onConnect(ctx -> {
                    ctx.session.setIdleTimeout(java.time.Duration.ofMinutes(2));
                    socket = ctx;
                    handshakes.add(ctx.headerMap());
                });
                ws.onMessage(ctx -> {
                    CountDownLatch g = gate;
                    if (g != null) g.await();
                    received.add(Json.MAPPER.readTree(ctx.message()));
                });
                ws.onClose(ctx -> closed.countDown());
            });
        }).start("127.0.0.1", 0);
    }

    public String url() {
        return "ws://127.0.0.1:" + app.port() + "/bot";
    }

    /** The next message Outdial sent; fails after a generous wait. */
    public JsonNode next() throws InterruptedException {
        JsonNode m = received.poll(WAIT_S, TimeUnit.SECONDS);
        assertThat(m).as("a message from Outdial").isNotNull();
        return m;
    }

    /** The next message that is not media (received audio keeps flowing while a test waits for a mark). */
    public JsonNode nextNotMedia() throws InterruptedException {
        while (true) {
            JsonNode m = next();
            if (!m.path("event").asText().equals("media")) return m;
        }
    }

    /** Waits for Outdial to connect. */
    public Map<String, String> awaitHandshake() throws InterruptedException {
        Map<String, String> h = handshakes.poll(WAIT_S, TimeUnit.SECONDS);
        assertThat(h).as("Outdial connected").isNotNull();
        return h;
    }

    public void send(Map<String, ?> message) {
        sendText(Json.write(message));
    }

    public void sendText(String text) {
        socket.send(text);
    }

    /** The bot hangs up: it closes the socket. */
    public void closeSocket() {
        socket.closeSession(1000, "bye");
    }

    /** The bot's process dies: the connection drops without a close frame. */
    public void breakConnection() {
        socket.session.disconnect();
    }

    public boolean awaitClosed() throws InterruptedException {
        return closed.await(WAIT_S, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        CountDownLatch g = gate;
        if (g != null) g.countDown();
        app.stop();
    }
}
