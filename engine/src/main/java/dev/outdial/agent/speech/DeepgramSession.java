package dev.outdial.agent.speech;

import com.fasterxml.jackson.databind.JsonNode;
import dev.outdial.store.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpTimeoutException;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One call's stream to a Deepgram-compatible server ({@link DeepgramTranscriber} has the wire format).
 *
 * <p>Threads. The media clock calls {@link #audio} and {@link #endOfTurn}: they put the frame or a flush
 * on a queue and return. The session's own virtual thread connects (at once, so the handshake is done
 * before the callee speaks), then takes from the queue and sends, one message at a time as the JDK
 * WebSocket requires; with nothing to send for the keep-alive interval it sends a KeepAlive. Frames wait
 * at most {@link #MAX_QUEUED_FRAMES}: beyond that (a server that takes audio slower than real time) they
 * are dropped and counted; flushes and the close are never dropped. The server's messages arrive on the
 * HTTP client's threads and complete the flushes, in order.
 *
 * <p>Failures cost a turn, not the call. A stream that breaks, or a server that leaves a flush unanswered
 * past the timeout, fails the turns waiting on it; a stream that breaks mid-turn loses the rest of that
 * turn (its start is gone with the stream). The next turn connects again.
 */
final class DeepgramSession implements StreamingTranscriber.Session {
    private static final Logger log = LoggerFactory.getLogger(DeepgramSession.class);
    /** Frames that may wait to be sent: 5 s of audio; beyond it frames are dropped. */
    static final int MAX_QUEUED_FRAMES = 250;
    /** The longest message taken from the server: a Results message with word timings for a long turn stays far below. */
    private static final int MAX_MESSAGE_CHARS = 1_000_000;
    /** One message may take this long to leave before the stream counts as broken. */
    private static final Duration SEND_TIMEOUT = Duration.ofSeconds(5);
    /** After CloseStream, how long the server may take to send what is left and close. */
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(2);
    private static final String FINALIZE = "{\"type\":\"Finalize\"}";
    private static final String KEEP_ALIVE = "{\"type\":\"KeepAlive\"}";
    private static final String CLOSE_STREAM = "{\"type\":\"CloseStream\"}";
    /** The close, on the queue. */
    private static final Object CLOSE = new Object();

    private final HttpClient http;
    private final URI uri;
    private final String where;
    private final String apiKey;
    private final Duration timeout;
    private final Duration keepAlive;
    private final LinkedBlockingQueue<Object> outbox = new LinkedBlockingQueue<>();
    private final AtomicInteger queuedFrames = new AtomicInteger();
    private final AtomicLong dropped = new AtomicLong();
    private volatile boolean closing;
    // The session thread's own state, touched by no other thread:
    private Connection conn; // null until connected, and after a failed connect
    private boolean turnSent; // audio of the current turn went out on conn
    private SpeechException turnLost; // why the current turn cannot be transcribed; reported at its flush

    DeepgramSession(HttpClient http, URI uri, String apiKey, Duration timeout, Duration keepAlive) {
        this.http = http;
        this.uri = uri;
        this.where = uri.getScheme() + "://" + uri.getAuthority() + uri.getPath(); // for messages: the query is noise
        this.apiKey = apiKey;
        this.timeout = timeout;
        this.keepAlive = keepAlive;
        Thread.ofVirtual().name("stt " + where).start(this::run);
    }

    @Override
    public void audio(short[] frame) {
        if (closing) return;
        if (queuedFrames.incrementAndGet() > MAX_QUEUED_FRAMES) {
            queuedFrames.decrementAndGet();
            if (dropped.getAndIncrement() == 0) log.warn("stt {}: the server takes audio slower than real time; the callee's audio is being dropped", where);
            return;
        }
        outbox.add(frame);
    }

    @Override
    public StreamingTranscriber.TurnText endOfTurn() {
        Flush f = new Flush();
        if (closing) f.text.completeExceptionally(new SpeechException("stt: the stream to " + where + " is closed"));
        else outbox.add(f);
        return () -> await(f);
    }

    @Override
    public void close() {
        closing = true;
        outbox.add(CLOSE);
    }

    /** On the conversation's thread: the turn's final text, or why there is none. */
    private String await(Flush f) throws SpeechException, InterruptedException {
        try {
            return f.text.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof SpeechException s) throw s;
            throw new SpeechException("stt: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            SpeechException late = new SpeechException("stt: " + where + " sent no final transcript within " + timeout.toMillis()
                    + " ms of the end of the turn");
            f.text.completeExceptionally(late);
            Connection c = f.on;
            if (c != null) c.fail(late); // a server that leaves a flush unanswered is not trusted with the next: reconnect
            throw late;
        }
    }

    // ---- the session's thread

    private void run() {
        try {
            conn = connect();
        } catch (SpeechException e) {
            log.warn("{}; it is tried again when the callee speaks", e.getMessage());
        }
        try {
            while (true) {
                Object o = outbox.poll(keepAlive.toMillis(), TimeUnit.MILLISECONDS);
                try {
                    if (o == null) keepAlive();
                    else if (o instanceof short[] frame) frame(frame);
                    else if (o instanceof Flush f) flush(f);
                    else break;
                } catch (RuntimeException e) {
                    log.error("stt {}: sending failed unexpectedly; the stream goes on", where, e); // a bug: the loop must not die with the call on
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            end();
        }
    }

    private void frame(short[] pcm) {
        queuedFrames.decrementAndGet();
        if (turnLost != null) return; // its flush says why
        if (conn == null || conn.error() != null) {
            if (turnSent) { // the stream broke mid-turn: the turn's start went with it
                turnLost = conn.error();
                return;
            }
            try {
                conn = connect();
            } catch (SpeechException e) {
                turnLost = e;
                return;
            }
        }
        ByteBuffer bytes = ByteBuffer.allocate(pcm.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asShortBuffer().put(pcm);
        turnSent = true;
        conn.send(bytes);
    }

    private void flush(Flush f) {
        try {
            if (turnLost != null) {
                f.text.completeExceptionally(turnLost);
            } else if (!turnSent) {
                f.text.complete(""); // no audio reached the stream (all of it dropped): nothing was heard
            } else {
                f.on = conn;
                if (conn.awaiting(f)) conn.send(FINALIZE);
            }
        } finally {
            turnLost = null;
            turnSent = false;
        }
    }

    private void keepAlive() {
        if (conn != null && conn.error() == null) conn.send(KEEP_ALIVE);
    }

    /** CloseStream, a short wait for the server to close, then the socket is dropped; flushes still queued fail. */
    private void end() {
        closing = true;
        SpeechException over = new SpeechException("stt: the stream to " + where + " was closed at the end of the call");
        Connection c = conn;
        if (c != null && c.error() == null) {
            c.send(CLOSE_STREAM);
            try {
                c.closed.get(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException e) {
                log.debug("stt {}: the server did not close after CloseStream; the socket is dropped", where);
            }
        }
        if (c != null) c.fail(over);
        for (Object o : outbox) {
            if (o instanceof Flush f) f.text.completeExceptionally(over);
        }
        outbox.clear();
        long lost = dropped.get();
        if (lost > 0) log.warn("stt {}: {} frames (20 ms each) of the callee's audio were dropped during the call", where, lost);
    }

    private Connection connect() throws SpeechException {
        Connection c = new Connection();
        WebSocket.Builder b = http.newWebSocketBuilder().connectTimeout(timeout);
        if (apiKey != null) b.header("Authorization", "Token " + apiKey);
        try {
            // The connect timeout bounds the whole opening handshake; the wait here is only a safety net over it.
            c.ws = b.buildAsync(uri, c).get(timeout.plusSeconds(5).toMillis(), TimeUnit.MILLISECONDS);
            return c;
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() instanceof CompletionException ce && ce.getCause() != null ? ce.getCause() : e.getCause();
            if (cause instanceof WebSocketHandshakeException h) {
                String reason = h.getResponse().headers().firstValue("dg-error").map(r -> ": " + r).orElse("");
                throw new SpeechException("stt: " + where + " refused the stream with HTTP " + h.getResponse().statusCode() + reason, h);
            }
            if (cause instanceof HttpTimeoutException) throw new SpeechException(handshakeTimeout(), cause);
            throw new SpeechException("stt: " + where + " unreachable: " + (cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage()), cause);
        } catch (TimeoutException e) {
            throw new SpeechException(handshakeTimeout());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SpeechException("stt: interrupted while connecting to " + where, e);
        }
    }

    private String handshakeTimeout() {
        return "stt: " + where + " did not answer the WebSocket handshake within " + timeout.toMillis() + " ms";
    }

    /** A turn's request for its final text, and the connection its Finalize went out on (set by the session's thread). */
    private static final class Flush {
        final CompletableFuture<String> text = new CompletableFuture<>();
        volatile Connection on;
    }

    /** One WebSocket: sends from the session's thread, the server's messages on the HTTP client's threads. */
    private final class Connection implements WebSocket.Listener {
        volatile WebSocket ws;
        final CompletableFuture<Void> closed = new CompletableFuture<>();
        private final ArrayDeque<Flush> awaiting = new ArrayDeque<>(); // guarded by this
        private SpeechException error; // guarded by this
        private final StringBuilder partial = new StringBuilder(); // listener calls only, one at a time
        private final List<String> finals = new ArrayList<>(); // the is_final texts since the last flush; listener calls only
        private boolean oversized; // the message being received is too long: its parts are skipped (listener calls only)

        synchronized SpeechException error() {
            return error;
        }

        /** Adds a flush to those waiting for a final result; false (and the flush failed) when the stream is broken. */
        boolean awaiting(Flush f) {
            SpeechException e;
            synchronized (this) {
                e = error;
                if (e == null) awaiting.add(f);
            }
            if (e != null) f.text.completeExceptionally(e);
            return e == null;
        }

        /** The stream is broken (or over): the flushes waiting on it fail with {@code e}, the socket is dropped. Once. */
        void fail(SpeechException e) {
            if (broken(e)) {
                WebSocket w = ws;
                if (w != null) w.abort();
            }
        }

        /** Marks the stream broken and fails the flushes waiting on it; true the first time. */
        private boolean broken(SpeechException e) {
            List<Flush> failed;
            synchronized (this) {
                if (error != null) return false;
                error = e;
                failed = List.copyOf(awaiting);
                awaiting.clear();
            }
            failed.forEach(f -> f.text.completeExceptionally(e));
            closed.complete(null);
            return true;
        }

        void send(String text) {
            sent(ws.sendText(text, true));
        }

        void send(ByteBuffer audio) {
            sent(ws.sendBinary(audio, true));
        }

        private void sent(CompletableFuture<WebSocket> sending) {
            try {
                sending.get(SEND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                fail(new SpeechException("stt: the stream to " + where + " broke: " + e.getCause(), e.getCause()));
            } catch (TimeoutException e) {
                fail(new SpeechException("stt: " + where + " took no audio for " + SEND_TIMEOUT.toMillis() + " ms"));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail(new SpeechException("stt: interrupted while sending to " + where, e));
            }
        }

        @Override
        public void onOpen(WebSocket webSocket) {
            ws = webSocket;
            webSocket.request(1);
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            if (partial.length() + data.length() > MAX_MESSAGE_CHARS) {
                if (!oversized) log.warn("stt {}: ignored a message longer than {} characters", where, MAX_MESSAGE_CHARS);
                oversized = true;
                partial.setLength(0);
            } else if (!oversized) {
                partial.append(data);
            }
            if (last) {
                if (!oversized) received(partial.toString());
                oversized = false;
                partial.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        private void received(String text) {
            JsonNode m;
            try {
                m = Json.MAPPER.readTree(text);
            } catch (Exception e) {
                log.debug("stt {}: ignored a message that is not JSON: {}", where, e.toString());
                return;
            }
            switch (m.path("type").asText()) {
                case "Results" -> result(m);
                case "Error" -> fail(new SpeechException("stt: " + where + " reported an error: "
                        + m.path("description").asText(m.path("message").asText(m.toString()))));
                default -> log.debug("stt {}: ignored a {} message", where, m.path("type").asText("(typeless)"));
            }
        }

        /** A final result is part of the turn; the one answering a Finalize ends it, and completes the oldest waiting flush. */
        private void result(JsonNode m) {
            if (!m.path("is_final").asBoolean()) return; // interim results were not asked for; a server that sends them anyway is ignored
            String t = m.path("channel").path("alternatives").path(0).path("transcript").asText("").trim();
            if (!t.isEmpty()) finals.add(t);
            if (!m.path("from_finalize").asBoolean()) return;
            String turn = String.join(" ", finals);
            finals.clear();
            Flush f;
            synchronized (this) {
                f = awaiting.poll();
            }
            if (f != null) f.text.complete(turn);
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
            webSocket.request(1); // nothing binary is expected from the server
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            // Not aborted: the client answers the server's close by itself once this returns.
            broken(new SpeechException("stt: " + where + " closed the stream (" + statusCode + (reason == null || reason.isEmpty() ? "" : " " + reason) + ")"));
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            fail(new SpeechException("stt: the stream to " + where + " broke: " + error, error));
        }
    }
}
