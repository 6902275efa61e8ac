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
    /**
     * CPU time used so far: by the whole machine (every process: this JVM, PostgreSQL, the rest) and by
     * this JVM, in nanoseconds. Work per call is steadier than latency on a shared host: a slower second
     * changes when work is done, not how much.
     */
    record Cpu(long machineNanos, long processNanos) {
        static Cpu now() {
            long machine = -1;
            try {
                // /proc/stat "cpu" line: user nice system idle iowait irq softirq steal …, in USER_HZ (100 a second)
                String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
                long busy = 0;
                for (int i : new int[] {1, 2, 3, 6, 7}) busy += Long.parseLong(f[i]);
                machine = busy * 10_000_000L;
            } catch (IOException | RuntimeException e) {
                // not Linux: the machine figure is left out
            }
            long process = ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                    .getOperatingSystemMXBean()).getProcessCpuTime();
            return new Cpu(machine, process);
        }

        /** "node N µs, the rest of the machine M µs per call", from {@code start} to now. */
        String perCallSince(Cpu start, long calls) {
            double node = (processNanos - start.processNanos) / 1e3 / calls;
            if (machineNanos < 0 || start.machineNanos < 0) return "node %.0f µs per call".formatted(node);
            double all = (machineNanos - start.machineNanos) / 1e3 / calls;
            return "node %.0f µs, the rest of the machine (PostgreSQL) %.0f µs, in all %.0f µs per call".formatted(node, all - node, all);
        }
    }

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
