package dev.outdial.bench;

import dev.outdial.Outdial;
import dev.outdial.config.OutdialConfig;
import dev.outdial.config.OutdialConfig.DispatchSettings;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Intake over real HTTP: a node with its API on a durable embedded PostgreSQL; one batch of
 * {@code --size} recipients per {@code POST /v1/batches}, sent {@code --warmup} times unmeasured and
 * {@code --measured} times measured. Latency is client-side, from sending the request to having the
 * whole 201 response (parsed). The dispatcher loops are off, so the figure is intake alone; the
 * organization keeps the quiet-hours guard, as by default.
 */
@Command(name = "intake", mixinStandardHelpOptions = true, description = "POST /v1/batches latency and recipients/s.")
final class IntakeBench implements Callable<Integer> {
    @Option(names = "--size", description = "recipients per batch (default ${DEFAULT-VALUE})", defaultValue = "10000")
    int size;
    @Option(names = "--warmup", description = "unmeasured requests first (default ${DEFAULT-VALUE})", defaultValue = "30")
    int warmup;
    @Option(names = "--measured", description = "measured requests (default ${DEFAULT-VALUE})", defaultValue = "30")
    int measured;
    @Option(names = "--concurrency", description = "requests in flight at once (default ${DEFAULT-VALUE})", defaultValue = "1")
    int concurrency;
    @Option(names = "--durable", description = "fsync and synchronous commit on, as in production (default ${DEFAULT-VALUE})",
            defaultValue = "true", arity = "1")
    boolean durable;
    @Option(names = "--checkpoint", description = "a CHECKPOINT after the warm-up, as a server that has run a while (default ${DEFAULT-VALUE})",
            defaultValue = "true", arity = "1")
    boolean checkpoint;
    @Option(names = "--keep", description = "keep the temp data directory")
    boolean keep;

    @Override
    public Integer call() throws Exception {
        System.out.println("machine at start: " + BenchMain.machine());
        try (BenchDb env = BenchDb.start("intake", durable, keep)) {
            OutdialConfig config = OutdialConfig.fromEnv(Map.of()).withPort(0).withDataDir(env.dir()).withNodeId("bench-intake")
                    .withDispatch(DispatchSettings.defaults().withEnabled(false));
            Outdial node = Outdial.start(config, env.db(), Clock.systemUTC(), true);
            try {
                Fixture fx = Fixture.create(node, 1, 100, 10, true);
                return run(env, fx);
            } finally {
                node.stop(Duration.ofSeconds(5));
            }
        }
    }

    private int run(BenchDb env, Fixture fx) throws Exception {
        int total = warmup + measured;
        List<byte[]> bodies = new ArrayList<>(total);
        for (int k = 0; k < total; k++) {
            bodies.add(fx.batchJson("bench " + k, fx.lineIds().getFirst(), (long) k * size, size, null, 0));
        }
        System.out.printf("intake: %d-recipient batches (%.0f KB of JSON each), %d warm-up + %d measured, concurrency %d, durable=%s%n",
                size, bodies.getFirst().length / 1024.0, warmup, measured, concurrency, durable);

        for (int k = 0; k < warmup; k++) fx.api().send("POST", "/v1/batches", bodies.get(k));
        if (checkpoint) {
            // A server that has run past a checkpoint reuses old WAL segments; a fresh one creates
            // (zero-fills and syncs) a new 16 MB segment every other request of this size.
            env.db().read(c -> {
                try (var st = c.createStatement()) {
                    return st.execute("checkpoint");
                }
            });
        }

        double[] latencies = new double[measured];
        AtomicInteger next = new AtomicInteger();
        long t0 = System.nanoTime();
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> workers = new ArrayList<>();
            for (int w = 0; w < concurrency; w++) {
                workers.add(pool.submit(() -> {
                    for (int i; (i = next.getAndIncrement()) < measured; ) {
                        long s = System.nanoTime();
                        fx.api().send("POST", "/v1/batches", bodies.get(warmup + i));
                        latencies[i] = (System.nanoTime() - s) / 1e6;
                    }
                    return null;
                }));
            }
            for (Future<?> f : workers) f.get();
        }
        double wallSeconds = (System.nanoTime() - t0) / 1e9;

        long stored = env.db().read(c -> {
            try (var st = c.createStatement(); var rs = st.executeQuery("select count(*) from call")) {
                rs.next();
                return rs.getLong(1);
            }
        });
        Stats s = Stats.of(latencies);
        System.out.println("latency: " + s);
        for (int i = 0; i < measured; i++) System.out.printf(i == 0 ? "each (ms): %.0f" : " %.0f", latencies[i]);
        System.out.println();
        System.out.printf("sustained: %.0f recipients/s (%d recipients in %.2f s)%n", measured * (double) size / wallSeconds,
                (long) measured * size, wallSeconds);
        System.out.printf("stored calls: %d of %d submitted%n", stored, (long) total * size);
        System.out.println("machine at end: " + BenchMain.machine());
        System.out.printf("RESULT intake size=%d measured=%d concurrency=%d p50_ms=%.1f p99_ms=%.1f recipients_per_s=%.0f%n",
                size, measured, concurrency, s.p50(), s.p99(), measured * (double) size / wallSeconds);
        return stored == (long) total * size ? 0 : 1;
    }
}
