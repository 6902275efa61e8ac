package dev.outdial;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.outdial.store.Json;
import io.javalin.Javalin;
import io.javalin.websocket.WsContext;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A streaming transcriber as a real WebSocket server (Javalin on Jetty) speaking Deepgram's live API
 * at {@code /v1/listen}: it keeps every message Outdial sent, in order (binary audio and JSON control
 * messages), and each handshake's headers and query; it answers each {@code Finalize} with the next
 * queued final text and a {@code CloseStream} with a {@code Metadata} message and a close.
 */
public final class FakeDeepgram implements AutoCloseable {
    /** How long a test waits for the next message: generous, for a busy machine. */
    private static final long WAIT_S = 20;

    /** One message Outdial sent: audio (binary) or a control message (text). */
    public record Received(short[] audio, JsonNode control) {
        public boolean isAudio() {
            return audio != null;
        }

        public String type() {
            return control == null ? "audio" : control.path("type").asText();
        }
    }

    /** One WebSocket handshake. */
    public record Handshake(Map<String, String> headers, Map<String, List<String>> query) {
    }

    /**
     * How each Finalize is answered, in order: the turn's final text ("" when none is queued). "A|B" sends A as
     * a final result of its own first (as the server's endpointing does at a pause), then B as the one from the
     * finalize; "SILENT" answers nothing; "CLOSE 1011 reason" closes the stream; "ERROR text" sends an Error message.
     */
    public final ConcurrentLinkedQueue<String> finals = new ConcurrentLinkedQueue<>();
    /** Everything Outdial sent, over every connection, in order. */
    public final List<Received> all = new CopyOnWriteArrayList<>();
    public final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
    public final BlockingQueue<Handshake> handshakes = new LinkedBlockingQueue<>();
    public final CountDownLatch closed = new CountDownLatch(1);
    private final Javalin app;

    public FakeDeepgram() {
        app = Javalin.create(c -> {
            c.startup.showJavalinBanner = false;
            c.routes.ws("/v1/listen", ws -> {
                ws.onConnect(ctx -> {
                    ctx.session.setIdleTimeout(java.time.Duration.ofMinutes(2));
                    handshakes.add(new Handshake(ctx.headerMap(), ctx.queryParamMap()));
                });
                ws.onBinaryMessage(ctx -> {
                    ByteBuffer b = ctx.data().order(ByteOrder.LITTLE_ENDIAN);
                    short[] pcm = new short[b.remaining() / 2];
                    b.asShortBuffer().get(pcm);
                    keep(new Received(pcm, null));
                });
                ws.onMessage(ctx -> {
                    JsonNode m = Json.MAPPER.readTree(ctx.message());
                    keep(new Received(null, m));
                    switch (m.path("type").asText()) {
                        case "Finalize" -> finalize(ctx);
                        case "CloseStream" -> {
                            ctx.send(Json.write(Map.of("type", "Metadata", "request_id", "req-1", "channels", 1)));
                            ctx.closeSession(1000, "");
                        }
                        default -> { }
                    }
                });
                ws.onClose(ctx -> closed.countDown());
            });
        }).start("127.0.0.1", 0);
    }

    private void keep(Received r) {
        all.add(r);
        received.add(r);
    }

    private void finalize(WsContext ctx) {
        String answer = finals.poll();
        if (answer == null) answer = "";
        if (answer.equals("SILENT")) return;
        if (answer.startsWith("CLOSE ")) {
            String[] p = answer.split(" ", 3);
            ctx.closeSession(Integer.parseInt(p[1]), p.length > 2 ? p[2] : "");
            return;
        }
        if (answer.startsWith("ERROR ")) {
            ctx.send(Json.write(Map.of("type", "Error", "description", answer.substring(6), "variant", "error")));
            return;
        }
        String[] parts = answer.split("\\|", -1);
        for (int i = 0; i < parts.length; i++) ctx.send(Json.write(results(parts[i], i == parts.length - 1)));
    }

    /** A final Results message, as Deepgram sends it (the fields a client reads, and some it does not). */
    static ObjectNode results(String transcript, boolean fromFinalize) {
        ObjectNode m = Json.MAPPER.createObjectNode().put("type", "Results").put("duration", 1.0).put("start", 0.0)
                .put("is_final", true).put("speech_final", fromFinalize).put("from_finalize", fromFinalize);
        m.putArray("channel_index").add(0).add(1);
        m.putObject("channel").putArray("alternatives").addObject().put("transcript", transcript).put("confidence", 0.98).putArray("words");
        m.putObject("metadata").put("request_id", "req-1").put("model_uuid", "m-1");
        return m;
    }

    /** The base URL an agent is given: {@code ws://…/v1}. */
    public String url() {
        return "ws://127.0.0.1:" + app.port() + "/v1";
    }

    /** The next message Outdial sent; fails after a generous wait. */
    public Received next() throws InterruptedException {
        Received r = received.poll(WAIT_S, TimeUnit.SECONDS);
        assertThat(r).as("a message from Outdial").isNotNull();
        return r;
    }

    /** The next control message, skipping audio. */
    public Received nextControl() throws InterruptedException {
        while (true) {
            Received r = next();
            if (!r.isAudio()) return r;
        }
    }

    public Handshake awaitHandshake() throws InterruptedException {
        Handshake h = handshakes.poll(WAIT_S, TimeUnit.SECONDS);
        assertThat(h).as("Outdial connected").isNotNull();
        return h;
    }

    public boolean awaitClosed() throws InterruptedException {
        return closed.await(WAIT_S, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        app.stop();
    }
}
