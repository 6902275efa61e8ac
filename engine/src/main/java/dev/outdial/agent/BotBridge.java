package dev.outdial.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.outdial.campaign.Providers;
import dev.outdial.media.G711;
import dev.outdial.media.MediaChannel;
import dev.outdial.media.MediaListener;
import dev.outdial.store.Json;
import dev.outdial.telephony.CallLeg;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpTimeoutException;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
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
 * Puts the user's own bot on one answered call: the call's audio goes to the bot over a WebSocket in
 * the Twilio Media Streams format (bidirectional {@code <Connect><Stream>}), and what the bot sends
 * back is played, so bots built for Twilio (Pipecat's Twilio serializer, for one) work unchanged.
 *
 * <p>Threads. The media clock calls {@link #audio} and {@link #dtmf}; they only put the frame on a
 * queue and return, because a clock shared by every call must never wait for one bot. The call's agent
 * thread (a virtual thread, in {@link #run}) connects, then takes from that queue and sends, one message
 * at a time as the JDK WebSocket requires, numbering them as it goes. Received audio waits in the queue
 * at most {@link #MAX_QUEUED_FRAMES} frames: a bot that reads slower than real time loses audio (logged),
 * never the clock. Marks, key presses and the stop are never dropped. The bot's messages arrive on the
 * HTTP client's threads and go straight to the {@link MediaChannel}, which queues playback itself.
 *
 * <p>Marks. Twilio returns a bot's mark once the audio the bot sent before it has been played, and
 * returns every pending mark at once on {@code clear}. Marks wait here in order, each with the playback
 * of the audio sent just before it; when that playback ends (played whole, or cut by clear or by the end
 * of the call) the mark and any done marks behind it are sent back, in the order the bot sent them.
 *
 * <p>Ending. The call ends: {@code stop}, then a close. The bot closes the stream: the call is hung up
 * (the bot's own way to end the call, so no error). The bot fails or cannot be reached within the connect
 * timeout: the call is hung up, the reason logged with the call id and kept as an error on the call's
 * transcript.
 */
final class BotBridge implements MediaListener, WebSocket.Listener {
    private static final Logger log = LoggerFactory.getLogger(BotBridge.class);
    /** Received frames that may wait for a slow bot: 5 s of audio; beyond it frames are dropped. */
    static final int MAX_QUEUED_FRAMES = 250;
    /** The close status (RFC 6455) the JDK reports when the connection ends without a close frame. */
    private static final int CLOSED_ABNORMALLY = 1006;
    /** The longest message taken from the bot: about 90 s of base64 µ-law, far more than a bot sends at once. */
    private static final int MAX_MESSAGE_CHARS = 1_000_000;
    /** One message may take this long to leave before the bot counts as stuck. */
    private static final Duration SEND_TIMEOUT = Duration.ofSeconds(10);
    /** After our close, the bot's close reply may take this long before the socket is dropped. */
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);

    /** What the agent thread sends, in queue order. */
    private sealed interface Out permits Audio, Mark, Digit, Stop, Gone {
    }

    private record Audio(short[] pcm, long chunk) implements Out {
    }

    private record Mark(String name) implements Out {
    }

    private record Digit(char digit) implements Out {
    }

    /** The call ended: say stop and close. */
    private record Stop() implements Out {
    }

    /** The socket is closed or broken: nothing more can be sent. */
    private record Gone() implements Out {
    }

    /** A bot's mark waiting for the audio queued before it. */
    private record PendingMark(String name, CompletableFuture<Boolean> after) {
    }

    /** Who is on the call, for the {@code start} and {@code stop} messages. */
    record Stream(String callId, String accountSid, Map<String, String> customParameters) {
    }

    private final Stream stream;
    private final Providers.Bot bot;
    private final CallLeg leg;
    private final MediaChannel media;
    private final HttpClient http;
    private final Duration connectTimeout;
    private final String streamSid = "MZ" + UUID.randomUUID().toString().replace("-", "");
    private final Transcript transcript = new Transcript();
    private final LinkedBlockingQueue<Out> outbox = new LinkedBlockingQueue<>();
    private final AtomicInteger queuedFrames = new AtomicInteger();
    private final AtomicLong frames = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    private final ArrayDeque<PendingMark> marks = new ArrayDeque<>(); // guarded by itself
    private final StringBuilder partial = new StringBuilder(); // only the WebSocket's listener calls touch it, one at a time
    private boolean oversized; // the message being received is too long: its parts are skipped (listener calls only)
    private long badMessages; // listener calls only
    private CompletableFuture<Boolean> lastPlay = CompletableFuture.completedFuture(true); // guarded by marks
    private long sequence;
    private volatile boolean streaming;
    private volatile boolean ended;
    private volatile boolean gone;
    private final java.util.concurrent.atomic.AtomicBoolean failed = new java.util.concurrent.atomic.AtomicBoolean();

    BotBridge(Stream stream, Providers.Bot bot, CallLeg leg, HttpClient http, Duration connectTimeout) {
        this.stream = stream;
        this.bot = bot;
        this.leg = leg;
        this.media = leg.media();
        this.http = http;
        this.connectTimeout = connectTimeout;
    }

    /**
     * Connects and streams until the call ends or the bot goes away; blocks the calling (virtual) thread.
     * Returns what went wrong, as errors of an otherwise empty transcript: the bot keeps its own.
     */
    Transcript run() throws InterruptedException {
        WebSocket ws = connect();
        if (ws == null) return transcript;
        if (ended) {
            ws.abort(); // the call ended while the bot was being reached: nothing to say
            return transcript;
        }
        try {
            send(ws, connected());
            send(ws, start());
            streaming = true;
            media.listen(this);
            while (true) {
                Out o = outbox.take();
                switch (o) {
                    case Audio a -> {
                        queuedFrames.decrementAndGet();
                        send(ws, audioMessage(a));
                    }
                    case Mark m -> send(ws, control("mark", "mark", Json.MAPPER.createObjectNode().put("name", m.name())));
                    case Digit d -> send(ws, control("dtmf", "dtmf",
                            Json.MAPPER.createObjectNode().put("track", "inbound_track").put("digit", String.valueOf(d.digit()))));
                    case Stop s -> {
                        send(ws, control("stop", "stop",
                                Json.MAPPER.createObjectNode().put("accountSid", stream.accountSid()).put("callSid", stream.callId())));
                        close(ws);
                        return transcript;
                    }
                    case Gone g -> {
                        return transcript;
                    }
                }
            }
        } catch (ExecutionException | TimeoutException e) {
            if (!gone && !ended) fail("stopped taking messages", e instanceof ExecutionException ? e.getCause() : e);
            ws.abort();
            return transcript;
        } finally {
            streaming = false;
            long lost = dropped.get();
            if (lost > 0) log.warn("call {}: the bot read too slowly; {} received frames (20 ms each) were dropped", stream.callId(), lost);
        }
    }

    /** The call is over: the bot gets {@code stop} and the socket is closed. */
    void callEnded() {
        ended = true;
        outbox.add(new Stop());
    }

    /** Received frames dropped because the bot read too slowly. */
    long droppedFrames() {
        return dropped.get();
    }

    private WebSocket connect() throws InterruptedException {
        try {
            WebSocket.Builder b = http.newWebSocketBuilder().connectTimeout(connectTimeout);
            if (bot.headers() != null) bot.headers().forEach(b::header);
            // The client's connect timeout bounds the whole opening handshake; the wait here is only a safety net over it.
            return b.buildAsync(URI.create(bot.url()), this).get(connectTimeout.plusSeconds(5).toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof HttpTimeoutException) fail("did not answer the WebSocket handshake within " + connectTimeout.toSeconds() + " s", null);
            else fail("could not be reached", e.getCause());
        } catch (TimeoutException e) {
            fail("did not answer the WebSocket handshake within " + connectTimeout.toSeconds() + " s", null);
        } catch (IllegalArgumentException e) {
            fail("could not be reached", e);
        }
        return null;
    }

    /** The bot failed: log it for the operator, keep it on the call, and hang up (a call without its agent is dead air). */
    private void fail(String what, Throwable cause) {
        if (ended || !failed.compareAndSet(false, true)) return; // one failure per call: the first says what happened
        String reason = cause == null ? "" : ": " + (cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage());
        log.error("call {}: the bot at {} {}{}; the call is hung up. Check that the bot is running and reachable from this node",
                stream.callId(), where(), what, reason);
        transcript.error("bot: " + what + reason);
        leg.hangup();
    }

    /** The bot's address without its query, which may hold a token. */
    private String where() {
        try {
            URI u = URI.create(bot.url());
            return u.getScheme() + "://" + u.getAuthority() + (u.getPath() == null ? "" : u.getPath());
        } catch (IllegalArgumentException e) {
            return "(an invalid url)"; // the API refuses these; a row written otherwise still gets a clear log line
        }
    }

    private void send(WebSocket ws, ObjectNode message) throws ExecutionException, TimeoutException, InterruptedException {
        ws.sendText(Json.write(message), true).get(SEND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void close(WebSocket ws) throws InterruptedException {
        try {
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "call ended").get(SEND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            closed.get(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            log.debug("call {}: the bot did not answer our close ({}); the socket is dropped", stream.callId(), e.toString());
        } finally {
            ws.abort();
        }
    }

    private ObjectNode connected() {
        return Json.MAPPER.createObjectNode().put("event", "connected").put("protocol", "Call").put("version", "1.0.0");
    }

    private ObjectNode start() {
        ObjectNode m = Json.MAPPER.createObjectNode().put("event", "start").put("sequenceNumber", next());
        ObjectNode s = m.putObject("start").put("accountSid", stream.accountSid()).put("streamSid", streamSid).put("callSid", stream.callId());
        s.putArray("tracks").add("inbound");
        ObjectNode custom = s.putObject("customParameters");
        stream.customParameters().forEach((k, v) -> {
            if (v != null) custom.put(k, v);
        });
        s.putObject("mediaFormat").put("encoding", "audio/x-mulaw").put("sampleRate", 8000).put("channels", 1);
        m.put("streamSid", streamSid);
        return m;
    }

    private ObjectNode audioMessage(Audio a) {
        byte[] ulaw = new byte[a.pcm().length];
        G711.encodeUlaw(a.pcm(), 0, ulaw, 0, ulaw.length);
        ObjectNode m = Json.MAPPER.createObjectNode().put("event", "media").put("sequenceNumber", next());
        m.putObject("media").put("track", "inbound").put("chunk", Long.toString(a.chunk()))
                .put("timestamp", Long.toString((a.chunk() - 1) * 20)).put("payload", Base64.getEncoder().encodeToString(ulaw));
        m.put("streamSid", streamSid);
        return m;
    }

    private ObjectNode control(String event, String field, ObjectNode body) {
        ObjectNode m = Json.MAPPER.createObjectNode().put("event", event).put("sequenceNumber", next()).put("streamSid", streamSid);
        m.set(field, body);
        return m;
    }

    /** Twilio numbers every message after {@code connected}, from 1, as a string. */
    private String next() {
        return Long.toString(++sequence);
    }

    // ---- the media clock: queue and return

    @Override
    public void audio(short[] frame) {
        if (!streaming) return;
        long chunk = frames.incrementAndGet(); // counted even when dropped: the bot sees the gap in chunk and timestamp
        if (queuedFrames.incrementAndGet() > MAX_QUEUED_FRAMES) {
            queuedFrames.decrementAndGet();
            if (dropped.getAndIncrement() == 0) {
                log.warn("call {}: the bot reads slower than real time; received audio is being dropped", stream.callId());
            }
            return;
        }
        outbox.add(new Audio(frame, chunk));
    }

    @Override
    public void dtmf(char digit) {
        if (streaming) outbox.add(new Digit(digit));
    }

    // ---- the bot's messages, on the HTTP client's threads

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
        if (partial.length() + data.length() > MAX_MESSAGE_CHARS) {
            if (!oversized) log.warn("call {}: ignored a message from the bot longer than {} characters", stream.callId(), MAX_MESSAGE_CHARS);
            oversized = true;
            partial.setLength(0);
        } else if (!oversized) {
            partial.append(data);
        }
        if (last && oversized) {
            oversized = false;
        } else if (last) {
            String text = partial.toString();
            partial.setLength(0);
            try {
                received(Json.MAPPER.readTree(text));
            } catch (Exception e) {
                // Once per call at warn: a bot that always sends something odd would otherwise flood the log 50 times a second.
                if (badMessages++ == 0) log.warn("call {}: ignored a message from the bot that is not Media Streams JSON: {}", stream.callId(), e.toString());
                else log.debug("call {}: ignored a message from the bot: {}", stream.callId(), e.toString());
            }
        }
        ws.request(1);
        return null;
    }

    private void received(JsonNode m) {
        switch (m.path("event").asText()) {
            case "media" -> {
                byte[] ulaw = Base64.getDecoder().decode(m.path("media").path("payload").asText());
                short[] pcm = new short[ulaw.length];
                G711.decodeUlaw(ulaw, 0, pcm, 0, ulaw.length);
                CompletableFuture<Boolean> played = media.play(pcm);
                synchronized (marks) {
                    lastPlay = played;
                }
            }
            case "mark" -> {
                CompletableFuture<Boolean> after;
                synchronized (marks) {
                    after = lastPlay;
                    marks.add(new PendingMark(m.path("mark").path("name").asText(), after));
                }
                after.whenComplete((ok, e) -> returnMarks());
            }
            case "clear" -> {
                media.stopPlayback();
                returnMarks(); // the cut playbacks are done now: their marks go back at once
            }
            default -> log.debug("call {}: ignored the bot's {} message", stream.callId(), m.path("event").asText("(no event)"));
        }
    }

    /** Sends back, in order, every mark at the head of the line whose audio is over. */
    private void returnMarks() {
        synchronized (marks) {
            while (!marks.isEmpty() && marks.peek().after().isDone()) outbox.add(new Mark(marks.poll().name()));
        }
    }

    @Override
    public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
        boolean first = !gone;
        gone = true;
        closed.complete(null);
        // 1006: the connection dropped without a close frame (the bot's process died): a failure, not the bot hanging up.
        if (statusCode == CLOSED_ABNORMALLY && first) fail("broke the connection (no close frame)", null);
        outbox.add(new Gone());
        if (!ended && statusCode != CLOSED_ABNORMALLY) {
            log.info("call {}: the bot closed the stream ({} {}); the call is hung up", stream.callId(), statusCode, reason);
            leg.hangup();
        }
        return null;
    }

    @Override
    public void onError(WebSocket ws, Throwable error) {
        boolean first = !gone;
        gone = true;
        closed.complete(null);
        if (first) fail("broke the connection", error); // recorded before the agent's thread wakes and hands the transcript over
        outbox.add(new Gone());
    }
}
