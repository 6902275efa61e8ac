package dev.outdial.bench;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.outdial.agent.Conversation;
import dev.outdial.agent.TurnDetector;
import dev.outdial.agent.llm.ChatMessage;
import dev.outdial.agent.llm.Llm;
import dev.outdial.agent.llm.LlmException;
import dev.outdial.agent.llm.OpenAiChat;
import dev.outdial.agent.llm.Tool;
import dev.outdial.agent.llm.Turn;
import dev.outdial.agent.speech.OpenAiSpeech;
import dev.outdial.agent.speech.OpenAiTranscriber;
import dev.outdial.agent.speech.SpeechException;
import dev.outdial.agent.speech.Transcriber;
import dev.outdial.agent.speech.Voice;
import dev.outdial.media.MediaChannel;
import dev.outdial.media.MediaListener;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.ToDoubleFunction;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import dev.outdial.bench.VoiceLatencyBench.Callee;
import dev.outdial.bench.VoiceLatencyResults.TurnTimes;
import static dev.outdial.bench.VoiceLatencyBench.ANSWER;
import static dev.outdial.bench.VoiceLatencyBench.HEARD;

/** The engines the voice-latency driver's conversations talk to: in-process, or the real clients against loopback servers; each timed per turn. */
final class VoiceLatencyEngines {
    private VoiceLatencyEngines() {
    }

    /** The three engines of a call. */
    interface Providers extends AutoCloseable {
        Llm llm(Callee c);

        Transcriber stt(Callee c);

        Voice voice(Callee c);

        @Override
        void close();
    }

    /** Instant engines in the JVM: the loop's own cost, with no HTTP, JSON or WAV. */
    static final class InProcessProviders implements Providers {
        private final short[] answerPcm;
        private final List<String> pieces = words(ANSWER);

        InProcessProviders(int answerMs) {
            answerPcm = tone(8000, answerMs);
        }

        @Override
        public Llm llm(Callee c) {
            return (messages, tools, text) -> {
                long t0 = System.nanoTime();
                long inside = 0;
                for (String p : pieces) {
                    inside += System.nanoTime() - t0;
                    text.accept(p); // the conversation's work (and speech, when a sentence completes) is not the provider's
                    t0 = System.nanoTime();
                }
                inside += System.nanoTime() - t0;
                c.turn().providerNs.addAndGet(inside);
                return new Turn(ANSWER, List.of(), "stop");
            };
        }

        @Override
        public Transcriber stt(Callee c) {
            return (pcm, language) -> {
                long t0 = System.nanoTime();
                String text = HEARD;
                c.turn().providerNs.addAndGet(System.nanoTime() - t0);
                return text;
            };
        }

        @Override
        public Voice voice(Callee c) {
            return (text, language) -> {
                long t0 = System.nanoTime();
                short[] pcm = answerPcm.clone();
                c.turn().providerNs.addAndGet(System.nanoTime() - t0);
                return pcm;
            };
        }

        @Override
        public void close() {
        }
    }

    /**
     * The real OpenAI-compatible clients against three local JDK HTTP servers answering at once in the
     * providers' wire formats. The API key names the call, so the servers add their time to its turn.
     * Provider time is from having read the request to just before the answer's last write; the
     * servers' own HTTP parsing and writing count as overhead (a real provider has its own, plus a network).
     */
    static final class LoopbackProviders implements Providers {
        final HttpClient http = HttpClient.newHttpClient(); // shared by every call, as AgentRuntime's
        private final Map<String, Callee> callees = new ConcurrentHashMap<>();
        private final HttpServer llm;
        private final HttpServer stt;
        private final HttpServer tts;
        private final List<byte[]> events;
        private final byte[] wav;
        private final byte[] heardJson = ("{\"text\":\"" + HEARD + "\"}").getBytes(StandardCharsets.UTF_8);

        LoopbackProviders(int ttsRate, int answerMs) throws IOException {
            // Providers' front ends send at once (TCP_NODELAY); the JDK server's default, Nagle's algorithm, stalls a small
            // write behind the client's delayed ACK (40 ms on Linux) and would be counted as Outdial's. -D...=false to see it.
            if (System.getProperty("sun.net.httpserver.nodelay") == null) System.setProperty("sun.net.httpserver.nodelay", "true");
            events = sse(ANSWER);
            wav = wav(tone(ttsRate, answerMs), ttsRate);
            llm = serve("/v1/chat/completions", this::chat);
            stt = serve("/v1/audio/transcriptions", ex -> answer(ex, "application/json", heardJson));
            tts = serve("/v1/audio/speech", ex -> answer(ex, "audio/wav", wav));
        }

        private HttpServer serve(String path, Handler h) throws IOException {
            HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            s.createContext(path, ex -> {
                try (ex) {
                    ex.getRequestBody().readAllBytes();
                    h.handle(ex);
                } catch (IOException | RuntimeException e) {
                    // the client went away: nothing left to answer
                }
            });
            s.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
            s.start();
            return s;
        }

        private interface Handler {
            void handle(HttpExchange ex) throws IOException;
        }

        private TurnTimes turnOf(HttpExchange ex) {
            String auth = ex.getRequestHeaders().getFirst("Authorization");
            Callee c = auth == null ? null : callees.get(auth.substring("Bearer ".length()));
            TurnTimes t = c == null ? null : c.current;
            return t == null ? new TurnTimes() : t;
        }

        /** SSE chat completion chunks, one flushed write per event, as a streaming model sends them. */
        private void chat(HttpExchange ex) throws IOException {
            long t0 = System.nanoTime();
            TurnTimes turn = turnOf(ex);
            ex.getResponseHeaders().add("Content-Type", "text/event-stream");
            ex.sendResponseHeaders(200, 0);
            OutputStream out = ex.getResponseBody();
            for (int i = 0; i < events.size() - 1; i++) {
                out.write(events.get(i));
                out.flush();
            }
            turn.providerNs.addAndGet(System.nanoTime() - t0); // before [DONE]: the client cannot have moved on yet
            out.write(events.get(events.size() - 1));
        }

        private void answer(HttpExchange ex, String type, byte[] body) throws IOException {
            long t0 = System.nanoTime();
            TurnTimes turn = turnOf(ex);
            ex.getResponseHeaders().add("Content-Type", type);
            turn.providerNs.addAndGet(System.nanoTime() - t0);
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
        }

        private static String base(HttpServer s) {
            return "http://127.0.0.1:" + s.getAddress().getPort() + "/v1";
        }

        @Override
        public Llm llm(Callee c) {
            callees.put(c.key, c);
            return new OpenAiChat(http, base(llm), c.key, "bench-model", Duration.ofSeconds(10), Duration.ofSeconds(5));
        }

        @Override
        public Transcriber stt(Callee c) {
            callees.put(c.key, c);
            return new OpenAiTranscriber(http, base(stt), c.key, "whisper-1", Duration.ofSeconds(10));
        }

        @Override
        public Voice voice(Callee c) {
            callees.put(c.key, c);
            return new OpenAiSpeech(http, base(tts), c.key, "tts-1", "alloy", Duration.ofSeconds(10));
        }

        @Override
        public void close() {
            llm.stop(0);
            stt.stop(0);
            tts.stop(0);
        }

        /** The answer as OpenAI streams it: a role chunk, one chunk per word, a finish chunk, then [DONE]. */
        private static List<byte[]> sse(String answer) {
            String head = "data: {\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion.chunk\",\"created\":1764748800,\"model\":\"bench-model\","
                    + "\"system_fingerprint\":null,\"choices\":[{\"index\":0,\"delta\":";
            List<byte[]> out = new ArrayList<>();
            out.add((head + "{\"role\":\"assistant\",\"content\":\"\"},\"logprobs\":null,\"finish_reason\":null}]}\n\n").getBytes(StandardCharsets.UTF_8));
            for (String w : words(answer)) {
                out.add((head + "{\"content\":\"" + w + "\"},\"logprobs\":null,\"finish_reason\":null}]}\n\n").getBytes(StandardCharsets.UTF_8));
            }
            out.add((head + "{},\"logprobs\":null,\"finish_reason\":\"stop\"}]}\n\n").getBytes(StandardCharsets.UTF_8));
            out.add("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
            return out;
        }

        /** A 16-bit mono PCM WAV file. */
        private static byte[] wav(short[] pcm, int rate) {
            ByteBuffer b = ByteBuffer.allocate(44 + pcm.length * 2).order(ByteOrder.LITTLE_ENDIAN);
            b.put("RIFF".getBytes(StandardCharsets.US_ASCII)).putInt(36 + pcm.length * 2).put("WAVE".getBytes(StandardCharsets.US_ASCII));
            b.put("fmt ".getBytes(StandardCharsets.US_ASCII)).putInt(16).putShort((short) 1).putShort((short) 1).putInt(rate).putInt(rate * 2)
                    .putShort((short) 2).putShort((short) 16);
            b.put("data".getBytes(StandardCharsets.US_ASCII)).putInt(pcm.length * 2);
            for (short s : pcm) b.putShort(s);
            return b.array();
        }
    }

    /** "Great, see you" → "Great,", " see", " you": the pieces a model streams. */
    static List<String> words(String text) {
        List<String> out = new ArrayList<>();
        String[] w = text.split(" ");
        for (int i = 0; i < w.length; i++) out.add(i == 0 ? w[i] : " " + w[i]);
        return out;
    }

    /** A 220 Hz tone, standing in for speech. */
    static short[] tone(int rate, int ms) {
        short[] pcm = new short[rate * ms / 1000];
        for (int i = 0; i < pcm.length; i++) pcm[i] = (short) (6000 * Math.sin(2 * Math.PI * 220 * i / rate));
        return pcm;
    }

    /** Times the transcriber on the conversation's thread. */
    record TimedTranscriber(Transcriber inner, Callee c) implements Transcriber {
        @Override
        public String transcribe(short[] pcm8k, String language) throws SpeechException {
            TurnTimes t = c.turn();
            t.sttStartNs = System.nanoTime();
            try {
                return inner.transcribe(pcm8k, language);
            } finally {
                t.sttEndNs = System.nanoTime();
            }
        }
    }

    /** Times the model: the request, its first piece of text and the whole streamed answer. */
    record TimedLlm(Llm inner, Callee c) implements Llm {
        @Override
        public Turn complete(List<ChatMessage> messages, List<Tool> tools, Consumer<String> text) throws LlmException {
            TurnTimes t = c.turn();
            t.llmStartNs = System.nanoTime();
            try {
                return inner.complete(messages, tools, piece -> {
                    if (t.llmFirstNs == 0) t.llmFirstNs = System.nanoTime();
                    text.accept(piece);
                });
            } finally {
                t.llmEndNs = System.nanoTime();
            }
        }
    }

    /** Times the first sentence's speech. */
    record TimedVoice(Voice inner, Callee c) implements Voice {
        @Override
        public short[] speak(String text, String language) throws SpeechException {
            TurnTimes t = c.turn();
            long start = System.nanoTime();
            try {
                return inner.speak(text, language);
            } finally {
                if (t.ttsStartNs == 0) {
                    t.ttsStartNs = start;
                    t.ttsEndNs = System.nanoTime();
                }
            }
        }
    }
}
