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
import static dev.outdial.bench.VoiceLatencyBench.END_OF_TURN_MS;

/** What the voice-latency driver measures: each turn's timestamps, its figures in ms, and a level's report. */
final class VoiceLatencyResults {
    private VoiceLatencyResults() {
    }

    /** One turn's timestamps (System.nanoTime), written by the clock thread, the conversation's thread and the fake providers. */
    static final class TurnTimes {
        volatile long lastSpeechNs;
        volatile long turnEndNs;
        volatile long sttStartNs;
        volatile long sttEndNs;
        volatile long llmStartNs;
        volatile long llmFirstNs;
        volatile long llmEndNs;
        volatile long ttsStartNs;
        volatile long ttsEndNs;
        volatile long playNs;
        final AtomicLong providerNs = new AtomicLong();
    }

    /** A measured turn, in milliseconds. */
    record Measured(double endToEndMs, double overheadMs, double providerMs, double detectionLateMs, double wakeMs, double sttMs,
                    double llmFirstMs, double llmMs, double ttsMs, double playMs) {
        Measured(TurnTimes t) {
            this(ms(t.playNs - t.lastSpeechNs), ms(t.playNs - t.lastSpeechNs) - END_OF_TURN_MS - ms(t.providerNs.get()),
                    ms(t.providerNs.get()), ms(t.turnEndNs - t.lastSpeechNs) - END_OF_TURN_MS, ms(t.sttStartNs - t.turnEndNs),
                    ms(t.sttEndNs - t.sttStartNs), ms(t.llmFirstNs - t.llmStartNs), ms(t.llmEndNs - t.llmStartNs),
                    ms(t.ttsEndNs - t.ttsStartNs), ms(t.playNs - t.ttsEndNs));
        }

        private static double ms(long nanos) {
            return nanos / 1e6;
        }
    }

    record Level(String mode, int calls, List<Measured> measured, int failed, List<String> errors, double seconds, double cpuShare,
                 Stats clockLateness) {
        Stats stats(ToDoubleFunction<Measured> f) {
            return Stats.of(measured.stream().mapToDouble(f).toArray());
        }

        void print() {
            System.out.printf("%s, %d calls: %d turns measured, %d failed, %d conversation errors%s, in %.1f s; CPU %.0f%% of one core, "
                            + "%.1f ms per turn; clock wake-up lateness p99 %.2f ms, max %.2f ms; %s%n", mode, calls, measured.size(), failed,
                    errors.size(), errors.isEmpty() ? "" : " (first: " + errors.get(0) + ")", seconds, 100 * cpuShare, cpuMsPerTurn(),
                    clockLateness.p99(), clockLateness.max(), BenchMain.machine());
            line("(a) end of speech → first agent audio (incl. 600 ms end-of-turn)", Measured::endToEndMs);
            line("(b) Outdial overhead = (a) − 600 ms − provider time", Measured::overheadMs);
            line("    provider time (inside the fakes)", Measured::providerMs);
            line("    end of turn detected late (clock)", Measured::detectionLateMs);
            line("    turn end → transcriber called", Measured::wakeMs);
            line("    transcribe (client side)", Measured::sttMs);
            line("    model: request → first text", Measured::llmFirstMs);
            line("    model: whole streamed answer", Measured::llmMs);
            line("    speech (client side)", Measured::ttsMs);
            line("    speech returned → play()", Measured::playMs);
        }

        /** Process CPU (conversations, clients, fake servers, the clock) per measured turn: steadier than latency on a shared machine. */
        double cpuMsPerTurn() {
            return measured.isEmpty() ? 0 : cpuShare * seconds * 1000 / measured.size();
        }

        private void line(String what, ToDoubleFunction<Measured> f) {
            Stats s = stats(f);
            System.out.printf("  %-68s p50 %7.2f  p90 %7.2f  p99 %7.2f  max %7.2f ms%n", what, s.p50(), s.p90(), s.p99(), s.max());
        }

        String row() {
            Stats a = stats(Measured::endToEndMs);
            Stats b = stats(Measured::overheadMs);
            return String.format("| %s | %d | %d | %.0f / %.0f / %.0f / %.0f ms | %.1f / %.1f / %.1f / %.1f ms | %.2f ms | %.0f%%, %.1f ms/turn | %.2f ms |",
                    mode, calls, measured.size(), a.p50(), a.p90(), a.p99(), a.max(), b.p50(), b.p90(), b.p99(), b.max(),
                    stats(Measured::providerMs).p99(), 100 * cpuShare, cpuMsPerTurn(), clockLateness.p99());
        }
    }
}
