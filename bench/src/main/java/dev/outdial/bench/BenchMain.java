package dev.outdial.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Outdial's load drivers, one subcommand each (see bench/README.md):
 *
 * <pre>
 *   intake     POST /v1/batches over real HTTP against a durable embedded PostgreSQL
 *   dispatch   claim and start a large backlog of due calls on simulated lines
 *   startup    time `outdial serve` from process start to the first 200 on /health
 *   webhooks   deliver outbox events to a fast local receiver
 *   sip-media  concurrent SIP calls with two-way RTP against a sipp callee
 *   voice-latency  end of the callee's speech to first agent audio, with instant providers
 * </pre>
 *
 * They are plain programs, never run by the test suite.
 */
@Command(name = "outdial-bench", mixinStandardHelpOptions = true,
        description = "Outdial load drivers: intake, dispatch, startup, webhooks, sip-media, voice-latency.",
        subcommands = {IntakeBench.class, DispatchBench.class, StartupBench.class, WebhookBench.class, SipMediaBench.class,
                VoiceLatencyBench.class, OutboxBench.class})
public final class BenchMain implements Runnable {

    public static void main(String[] args) {
        int code = new CommandLine(new BenchMain()).execute(args);
        System.exit(code);
    }

    /** Cores and the 1-, 5- and 15-minute load averages, so a figure can be read against what else ran. */
    static String machine() {
        String load;
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            load = f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            load = "unknown";
        }
        return Runtime.getRuntime().availableProcessors() + " cores, load average " + load;
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }
}
