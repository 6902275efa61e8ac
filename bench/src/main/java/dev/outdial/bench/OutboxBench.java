package dev.outdial.bench;

import dev.outdial.store.Outbox;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Outbox writes: {@code Outbox.write} of N events in one transaction, and its commit, on a durable
 * embedded PostgreSQL, for each N of {@code --sizes}. Below {@code Outbox.COPY_FROM} events the
 * outbox uses a multi-row INSERT, from it on a binary COPY, so the sizes on either side of it compare
 * the two. The events look like the call writer's {@code call.finished} (four short fields).
 */
@Command(name = "outbox", mixinStandardHelpOptions = true, description = "Outbox writes: time per event by events per transaction.")
final class OutboxBench implements Callable<Integer> {
    @Option(names = "--sizes", split = ",", description = "events per transaction (default ${DEFAULT-VALUE})",
            defaultValue = "1,15,16,100,1000")
    int[] sizes;
    @Option(names = "--rounds", description = "measured transactions per size (default ${DEFAULT-VALUE})", defaultValue = "100")
    int rounds;
    @Option(names = "--warmup", description = "transactions per size before measuring (default ${DEFAULT-VALUE})", defaultValue = "30")
    int warmup;
    @Option(names = "--durable", description = "fsync and synchronous commit on (default ${DEFAULT-VALUE})", defaultValue = "true",
            arity = "1")
    boolean durable;

    @Override
    public Integer call() {
        System.out.println("machine at start: " + BenchMain.machine());
        try (BenchDb env = BenchDb.start("outbox", durable, false)) {
            System.out.printf("outbox: COPY from %d events a transaction; %d measured after %d warm-up transactions per size%n",
                    Outbox.COPY_FROM, rounds, warmup);
            System.out.println("events/tx  path     µs/event p50    p90    p99   events/s");
            for (int size : sizes) {
                Histogram perEvent = new Histogram(3); // nanoseconds per event
                long measuredNanos = 0;
                for (int i = 0; i < warmup + rounds; i++) {
                    List<Outbox.Event> events = events(size, i);
                    long t0 = System.nanoTime();
                    env.db().tx(c -> {
                        Outbox.write(c, Instant.now(), events);
                        return null;
                    });
                    long nanos = System.nanoTime() - t0;
                    if (i >= warmup) {
                        perEvent.recordValue(nanos / size);
                        measuredNanos += nanos;
                    }
                }
                System.out.printf("%9d  %-6s %10.1f %6.1f %6.1f %10.0f%n", size, size >= Outbox.COPY_FROM ? "COPY" : "INSERT",
                        perEvent.getValueAtPercentile(50) / 1e3, perEvent.getValueAtPercentile(90) / 1e3,
                        perEvent.getValueAtPercentile(99) / 1e3, (double) rounds * size / (measuredNanos / 1e9));
                System.out.printf("RESULT outbox events_per_tx=%d p50_us_per_event=%.1f%n", size, perEvent.getValueAtPercentile(50) / 1e3);
            }
            System.out.println("machine at end: " + BenchMain.machine());
        }
        return 0;
    }

    private static List<Outbox.Event> events(int n, int round) {
        List<Outbox.Event> events = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String callId = "cal_bench%06d%09d".formatted(round, i);
            Map<String, Object> payload = new LinkedHashMap<>();
            payload.put("call_id", callId);
            payload.put("batch_id", "bat_bench00000000000001");
            payload.put("state", "finished");
            payload.put("outcome", "completed");
            events.add(new Outbox.Event("org_bench0000000000001", "call.finished", callId, payload));
        }
        return events;
    }
}
