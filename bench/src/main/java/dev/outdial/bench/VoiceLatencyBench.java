package dev.outdial.bench;

import dev.outdial.bench.VoiceLatencyResults.Level;
import dev.outdial.bench.VoiceLatencyResults.Measured;
import dev.outdial.bench.VoiceLatencyResults.TurnTimes;

import dev.outdial.bench.VoiceLatencyEngines.InProcessProviders;
import dev.outdial.bench.VoiceLatencyEngines.LoopbackProviders;
import dev.outdial.bench.VoiceLatencyEngines.Providers;
import dev.outdial.bench.VoiceLatencyEngines.TimedLlm;
import dev.outdial.bench.VoiceLatencyEngines.TimedTranscriber;
import dev.outdial.bench.VoiceLatencyEngines.TimedVoice;

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

/**
 * The engine's own share of voice-to-voice latency (issue 8): from the end of the callee's speech to
 * the first frame of the agent's answer handed to the call's media, with providers that answer at
 * once, so that what remains is Outdial's.
 *
 * <p>Each simulated call runs a real {@link Conversation} on its own virtual thread, as the agent
 * runtime does. One platform thread plays the media clock: every 20 ms, on an absolute schedule, it
 * hands each call the callee's next frame (speech-like noise for {@code --speech-ms}, then
 * silence) and sends one frame of whatever the agent queued on the call's in-memory line. The line
 * records when the first agent audio of a turn is handed to {@link MediaChannel#play}. Once the
 * answer has been played and a short pause has passed, the callee speaks again.
 *
 * <p>Two sets of providers: {@code http} runs the real clients ({@link OpenAiChat},
 * {@link OpenAiTranscriber}, {@link OpenAiSpeech}, one shared JDK {@code HttpClient} as in production)
 * against local JDK HTTP servers that answer at once in the providers' wire formats (SSE chat
 * completions, transcription JSON, a WAV from /v1/audio/speech); {@code inproc} implements the
 * engine's interfaces directly, so the difference between the two is the cost of the HTTP clients,
 * WAV encoding and decoding and JSON. Time spent inside the fake providers is measured (server side
 * for {@code http}, around the call for {@code inproc}) and taken out of the overhead. Thin timing
 * wrappers around the providers split the overhead into its steps.
 */
@Command(name = "voice-latency", mixinStandardHelpOptions = true,
        description = "End of the callee's speech to first agent audio with instant providers: the engine's own share of voice-to-voice latency.")
final class VoiceLatencyBench implements Callable<Integer> {
    /** The end-of-turn silence of {@link TurnDetector#defaults()}, which every Conversation uses. */
    static final long END_OF_TURN_MS = 600;
    /** One media frame. */
    static final long FRAME_NANOS = 20_000_000L;
    /** A turn without agent audio this long after the callee stopped counts as failed, and the callee goes on. */
    static final long TURN_TIMEOUT_NANOS = 10_000_000_000L;
    /** What the fake transcriber hears and what the fake model answers (one short sentence, streamed word by word). */
    static final String HEARD = "Yes, I will be there on Monday.";
    static final String ANSWER = "Great, see you on Monday at ten.";

    @Option(names = "--calls", split = ",", description = "concurrent calls, one level each (default 1,10,50)")
    List<Integer> levels = List.of(1, 10, 50);

    @Option(names = "--turns", description = "measured turns per level, spread over its calls (default 200)")
    int turns = 200;

    @Option(names = "--max-seconds", description = "no new turn starts after this many seconds of a level (default 60)")
    int maxSeconds = 60;

    @Option(names = "--providers", split = ",", description = "http (real clients over loopback) and/or inproc (default http,inproc)")
    List<String> modes = List.of("http", "inproc");

    @Option(names = "--warmup", description = "turns on 10 calls before the measured levels, per provider set, not counted (default 60)")
    int warmupTurns = 60;

    @Option(names = "--runtime-warm-up", description = "run AgentRuntime.warmUp() on the shared client first, as a node does at start (default true)",
            arity = "1")
    boolean runtimeWarmUp = true;

    @Option(names = "--speech-ms", description = "length of each callee utterance (default 600)")
    int speechMs = 600;

    @Option(names = "--answer-ms", description = "length of the agent's spoken answer (default 500)")
    int answerMs = 500;

    @Option(names = "--tts-rate", description = "sample rate of the WAV the fake /v1/audio/speech returns (default 24000, as OpenAI's)")
    int ttsRate = 24000;

    @Option(names = "--pause-ms", description = "the callee's pause after the agent's answer has played (default 200)")
    int pauseMs = 200;

    @Override
    public Integer call() throws Exception {
        System.out.println("voice-latency: " + BenchMain.machine() + "; end-of-turn silence " + END_OF_TURN_MS
                + " ms (TurnDetector.defaults()); callee " + speechMs + " ms of speech, agent answer " + answerMs + " ms of audio ("
                + ttsRate + " Hz WAV over HTTP)");
        List<String> rows = new ArrayList<>();
        List<String> results = new ArrayList<>();
        for (String mode : modes) {
            try (Providers providers = mode.equals("http") ? new LoopbackProviders(ttsRate, answerMs) : new InProcessProviders(answerMs)) {
                if (runtimeWarmUp && providers instanceof LoopbackProviders loopback) {
                    long t = System.nanoTime();
                    new dev.outdial.agent.AgentRuntime(loopback.http, null).warmUp();
                    System.out.printf("%s: AgentRuntime.warmUp() took %.0f ms%n", mode, (System.nanoTime() - t) / 1e6);
                }
                if (warmupTurns > 0) {
                    Level w = runLevel(providers, mode, 10, warmupTurns);
                    System.out.printf("%s warm-up (cold JVM): %d turns on 10 calls, overhead p50 %.1f ms, max %.1f ms (the first turns)%n", mode,
                            w.measured().size(), w.stats(Measured::overheadMs).p50(), w.stats(Measured::overheadMs).max());
                }
                for (int calls : levels) {
                    Level l = runLevel(providers, mode, calls, turns);
                    l.print();
                    rows.add(l.row());
                    results.add(String.format("%s/%d a_p50=%.1f a_p99=%.1f overhead_p50=%.1f overhead_p99=%.1f", mode, calls,
                            l.stats(Measured::endToEndMs).p50(), l.stats(Measured::endToEndMs).p99(),
                            l.stats(Measured::overheadMs).p50(), l.stats(Measured::overheadMs).p99()));
                    System.gc();
                    Thread.sleep(1000);
                }
            }
        }
        System.out.println();
        System.out.println("| providers | calls | turns | (a) end of speech → first agent audio p50 / p90 / p99 / max | (b) Outdial overhead p50 / p90 / p99 / max | provider time p99 | CPU | clock wake-up p99 |");
        System.out.println("|---|---|---|---|---|---|---|---|");
        rows.forEach(System.out::println);
        System.out.println("load at end: " + BenchMain.machine());
        System.out.println("RESULT voice-latency " + String.join("; ", results));
        return 0;
    }

    private Level runLevel(Providers providers, String mode, int calls, int levelTurns) throws InterruptedException {
        int turnsPerCall = Math.max(1, (levelTurns + calls - 1) / calls);
        long cycleFrames = (speechMs + END_OF_TURN_MS + answerMs + pauseMs) / 20;
        Random random = new Random(calls);
        long start = System.nanoTime();
        long stopStarting = start + maxSeconds * 1_000_000_000L;
        List<Callee> callees = new ArrayList<>();
        List<Thread> agents = new ArrayList<>();
        for (int i = 0; i < calls; i++) {
            // calls start spread over one turn's cycle, so their turns do not all end on the same tick
            Callee c = new Callee(mode + "-" + calls + "-" + i, turnsPerCall, (int) (calls == 1 ? 0 : random.nextLong(cycleFrames)),
                    speechMs / 20, pauseMs / 20, stopStarting, new Random(i));
            Voice voice = new TimedVoice(providers.voice(c), c);
            c.conversation = new Conversation(
                    new Conversation.Settings("You confirm appointments. Be brief.", null, false, "en", Duration.ofSeconds(60), List.of(),
                            "Thank you, goodbye.", "Sorry, could you say that again?", null, null),
                    new TimedLlm(providers.llm(c), c), new TimedTranscriber(providers.stt(c), c), voice, voice, c.line,
                    () -> { }, () -> System.nanoTime() / 1_000_000);
            callees.add(c);
            agents.add(Thread.ofVirtual().name("agent " + c.key).start(() -> {
                try {
                    c.conversation.run();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
        }
        long cpu0 = processCpuNanos();
        List<Double> lateness = new ArrayList<>();
        long next = System.nanoTime();
        long giveUp = stopStarting + 30_000_000_000L;
        while (callees.stream().anyMatch(c -> !c.finished) && System.nanoTime() < giveUp) {
            next += FRAME_NANOS;
            long wait = next - System.nanoTime();
            if (wait > 0) LockSupport.parkNanos(wait);
            long now = System.nanoTime();
            lateness.add((now - next) / 1e6);
            for (Callee c : callees) c.tick();
        }
        long wall = System.nanoTime() - start;
        double cpuShare = (double) (processCpuNanos() - cpu0) / wall;
        for (Callee c : callees) c.conversation.callEnded();
        for (Thread t : agents) t.join(5000);
        List<Measured> measured = new ArrayList<>();
        int failed = 0;
        List<String> errors = new ArrayList<>();
        for (Callee c : callees) {
            for (TurnTimes t : c.done) {
                if (t.playNs == 0 || t.turnEndNs == 0) failed++;
                else measured.add(new Measured(t));
            }
            errors.addAll(c.conversation.transcript().errors());
        }
        return new Level(mode, calls, measured, failed, errors, wall / 1e9, cpuShare,
                Stats.of(lateness.stream().mapToDouble(Double::doubleValue).toArray()));
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /**
     * One simulated callee and its line, driven by the clock thread: speaks, stays silent until the
     * agent's answer has been played and a pause has passed, speaks again, for its number of turns.
     */
    static final class Callee {
        final String key;
        final Line line = new Line(this);
        final List<TurnTimes> done = new ArrayList<>();
        private final TurnDetector shadow = TurnDetector.defaults(); // sees the same frames as the conversation's: marks the frame that ends the turn
        private final int turnsPerCall;
        private final int speechFrames;
        private final int pauseFrames;
        private final long stopStartingNs;
        private final short[][] noise = new short[32][];
        private final Random random;
        Conversation conversation;
        volatile TurnTimes current;
        volatile boolean finished;
        private int waitFrames;
        private int speechLeft;
        private int pauseLeft = -1;

        Callee(String key, int turnsPerCall, int startDelayFrames, int speechFrames, int pauseFrames, long stopStartingNs, Random random) {
            this.key = key;
            this.turnsPerCall = turnsPerCall;
            this.speechFrames = speechFrames;
            this.pauseFrames = pauseFrames;
            this.stopStartingNs = stopStartingNs;
            this.random = random;
            this.waitFrames = startDelayFrames;
            for (int i = 0; i < noise.length; i++) {
                noise[i] = new short[MediaChannel.FRAME_SAMPLES];
                for (int j = 0; j < noise[i].length; j++) noise[i][j] = (short) (random.nextGaussian() * 3000);
            }
        }

        /** The turn under way; a throwaway when none is (a late answer after a timed-out turn). */
        TurnTimes turn() {
            TurnTimes t = current;
            return t == null ? new TurnTimes() : t;
        }

        /** One 20 ms tick of the media clock. */
        void tick() {
            line.sendOne();
            if (finished) return;
            short[] frame;
            boolean lastSpeech = false;
            if (speechLeft > 0) {
                frame = noise[random.nextInt(noise.length)].clone();
                lastSpeech = --speechLeft == 0;
            } else {
                frame = new short[MediaChannel.FRAME_SAMPLES];
                next();
            }
            long fed = System.nanoTime();
            if (lastSpeech) current.lastSpeechNs = fed;
            if (shadow.offer(frame) == TurnDetector.Event.TURN_ENDED && current != null) current.turnEndNs = fed;
            conversation.audio(frame);
        }

        /** While silent: decides when the callee speaks again, or hangs up. */
        private void next() {
            if (waitFrames > 0) {
                waitFrames--;
                return;
            }
            TurnTimes t = current;
            if (t != null) {
                boolean answered = t.playNs != 0 && !line.playing();
                boolean timedOut = t.turnEndNs != 0 && System.nanoTime() - t.turnEndNs > TURN_TIMEOUT_NANOS;
                if (!answered && !timedOut) return;
                if (pauseLeft < 0) pauseLeft = pauseFrames;
                if (pauseLeft-- > 0) return;
                pauseLeft = -1;
                done.add(t);
                current = null;
            }
            if (done.size() >= turnsPerCall || System.nanoTime() > stopStartingNs) {
                finished = true;
                conversation.callEnded();
                return;
            }
            current = new TurnTimes();
            speechLeft = speechFrames;
        }
    }

    /**
     * The call's line in memory: what the agent plays is queued and sent one frame per clock tick
     * (the future completes when the last frame is sent); the first play() of a turn is timed.
     */
    static final class Line implements MediaChannel {
        private final Callee callee;
        private final ArrayDeque<Object[]> queue = new ArrayDeque<>(); // {short[] pcm, int[] sent, CompletableFuture<Boolean>}

        Line(Callee callee) {
            this.callee = callee;
        }

        @Override
        public CompletableFuture<Boolean> play(short[] pcm) {
            long now = System.nanoTime();
            TurnTimes t = callee.current;
            if (t != null && t.playNs == 0) t.playNs = now;
            CompletableFuture<Boolean> f = new CompletableFuture<>();
            synchronized (this) {
                queue.add(new Object[] {pcm, new int[1], f});
            }
            return f;
        }

        /** Sends one frame of the queued audio (the clock thread). */
        void sendOne() {
            CompletableFuture<Boolean> finished = null;
            synchronized (this) {
                Object[] head = queue.peek();
                if (head == null) return;
                int[] sent = (int[]) head[1];
                sent[0] += FRAME_SAMPLES;
                if (sent[0] >= ((short[]) head[0]).length) {
                    queue.poll();
                    finished = (CompletableFuture<Boolean>) head[2];
                }
            }
            if (finished != null) finished.complete(true);
        }

        @Override
        public void stopPlayback() {
            List<Object[]> dropped;
            synchronized (this) {
                dropped = new ArrayList<>(queue);
                queue.clear();
            }
            for (Object[] d : dropped) ((CompletableFuture<Boolean>) d[2]).complete(false);
        }

        @Override
        public synchronized boolean playing() {
            return !queue.isEmpty();
        }

        @Override
        public void listen(MediaListener listener) {
        }

        @Override
        public void sendDtmf(String digits) {
        }
    }

}
