package dev.outdial.bench;

import com.sun.net.httpserver.HttpServer;
import dev.outdial.Outdial;
import dev.outdial.config.OutdialConfig;
import dev.outdial.config.OutdialConfig.DispatchSettings;
import dev.outdial.config.WebhookSettings;
import dev.outdial.store.Outbox;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Webhook delivery to a fast local receiver: events are written to the outbox at {@code --rate}
 * per second (in groups of {@code --group}, as the engine writes them) and one node with its
 * delivery loop on sends them to one endpoint. Figures: deliveries/s, and the delay from each
 * event's commit to its arrival at the receiver (p50/p99), on a durable embedded PostgreSQL.
 */
@Command(name = "webhooks", mixinStandardHelpOptions = true, description = "Webhook deliveries/s and event→arrival delay.")
final class WebhookBench implements Callable<Integer> {
    @Option(names = "--events", description = "events to deliver (default ${DEFAULT-VALUE})", defaultValue = "20000")
    int events;
    @Option(names = "--rate", description = "events written per second (default ${DEFAULT-VALUE})", defaultValue = "1000")
    int rate;
    @Option(names = "--group", description = "events per outbox write (default ${DEFAULT-VALUE})", defaultValue = "50")
    int group;
    @Option(names = "--durable", description = "fsync and synchronous commit on (default ${DEFAULT-VALUE})", defaultValue = "true", arity = "1")
    boolean durable;
    @Option(names = "--timeout", description = "seconds to wait for the last delivery (default ${DEFAULT-VALUE})", defaultValue = "600")
    int timeoutSeconds;

    @Override
    public Integer call() throws Exception {
        System.out.println("machine at start: " + BenchMain.machine());
        Map<String, Long> arrivals = new ConcurrentHashMap<>();
        HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 1024);
        receiver.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        receiver.createContext("/", ex -> {
            ex.getRequestBody().readAllBytes();
            arrivals.putIfAbsent(ex.getRequestHeaders().getFirst("webhook-id"), System.currentTimeMillis());
            ex.sendResponseHeaders(204, -1);
            ex.close();
        });
        receiver.start();
        try (BenchDb env = BenchDb.start("webhooks", durable, false)) {
            WebhookSettings hooks = WebhookSettings.defaults().withAllowedHosts(Set.of("127.0.0.1"));
            OutdialConfig config = OutdialConfig.fromEnv(Map.of()).withPort(0).withDataDir(env.dir()).withNodeId("bench-webhooks")
                    .withDispatch(DispatchSettings.defaults().withEnabled(false)).withWebhooks(hooks);
            Outdial node = Outdial.start(config, env.db(), Clock.systemUTC(), true);
            try {
                Fixture fx = Fixture.create(node, 1, 10, 10, false);
                fx.api().send("POST", "/v1/webhook-endpoints",
                        "{\"url\":\"http://127.0.0.1:" + receiver.getAddress().getPort() + "/hooks\"}");
                System.out.printf("webhooks: %,d events at %,d/s in groups of %d to one endpoint, durable=%s%n", events, rate, group, durable);
                long start = System.currentTimeMillis();
                long intervalNanos = 1_000_000_000L * group / rate;
                long next = System.nanoTime();
                for (int written = 0; written < events; written += group) {
                    int n = Math.min(group, events - written);
                    int base = written;
                    env.db().tx(c -> {
                        List<Outbox.Event> batch = new ArrayList<>(n);
                        for (int i = 0; i < n; i++) {
                            batch.add(new Outbox.Event(fx.orgId(), "call.finished", "cal_bench" + (base + i),
                                    Map.of("call_id", "cal_bench" + (base + i), "outcome", "completed")));
                        }
                        Outbox.write(c, Instant.now(), batch);
                        return null;
                    });
                    next += intervalNanos;
                    long wait = next - System.nanoTime();
                    if (wait > 0) Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
                long deadline = System.currentTimeMillis() + timeoutSeconds * 1000L;
                while (arrivals.size() < events && System.currentTimeMillis() < deadline) Thread.sleep(50);
                long end = arrivals.values().stream().mapToLong(Long::longValue).max().orElse(start);
                double[] delays = env.db().read(c -> {
                    List<Double> out = new ArrayList<>();
                    try (var rs = c.createStatement().executeQuery("select event_id, (extract(epoch from created_at) * 1000)::bigint from outbox")) {
                        while (rs.next()) {
                            Long at = arrivals.get(rs.getString(1));
                            if (at != null) out.add((double) (at - rs.getLong(2)));
                        }
                    }
                    return out.stream().mapToDouble(Double::doubleValue).toArray();
                });
                double perSecond = arrivals.size() * 1000.0 / Math.max(1, end - start);
                System.out.printf("delivered %,d of %,d in %.1f s: %.0f deliveries/s%n", arrivals.size(), events, (end - start) / 1000.0, perSecond);
                System.out.println("event→arrival " + Stats.of(delays));
                System.out.println("machine at end: " + BenchMain.machine());
                Stats s = Stats.of(delays);
                System.out.printf("RESULT webhooks events=%d rate=%d delivered=%d per_s=%.0f p50_ms=%.1f p99_ms=%.1f%n",
                        events, rate, arrivals.size(), perSecond, s.p50(), s.p99());
                return arrivals.size() == events ? 0 : 1;
            } finally {
                node.stop(Duration.ofSeconds(5));
            }
        } finally {
            receiver.stop(0);
        }
    }
}
