package dev.outdial.bench;

import dev.outdial.Outdial;
import dev.outdial.config.OutdialConfig;
import dev.outdial.config.OutdialConfig.DispatchSettings;
import dev.outdial.config.OutdialConfig.SimulatedSettings;
import dev.outdial.schedule.Dispatcher;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.Callable;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Dispatch throughput and latency. Loads {@code --calls} due calls onto {@code --lines} simulated
 * lines with generous limits (through {@code POST /v1/batches} in chunks, on a node with the
 * dispatcher off), then starts a node with the default dispatcher settings and the simulated carrier at zero
 * ring and talk time, and waits until every call has been started. The organization's quiet-hours
 * guard is off and the agent has no calling window, so calls are due whatever the hour.
 *
 * <p>Backlog mode (default): every call is due when the dispatcher starts; the figure is how fast
 * it drains the backlog. Rate mode ({@code --rate R}): call k is scheduled at T0 + k/R (after an optional
 * ramp-up), the calls of each round of chunks interleaved over the lines, so calls become due at a steady
 * R per second, R / lines on each line, and due→start is the scheduling latency at that load.
 *
 * <p>Latencies come from the stored rows of each call's first attempt: claimed→started
 * ({@code call_attempt.started_at − claimed_at}), slot→started ({@code started_at − dial_at}) and
 * due→started ({@code started_at} − the call's original due time, its scheduled_at or, if none,
 * its intake time).
 */
@Command(name = "dispatch", mixinStandardHelpOptions = true, description = "Claimed-and-started calls/s and start latency.")
final class DispatchBench implements Callable<Integer> {
    @Option(names = "--calls", description = "calls to load and start (default ${DEFAULT-VALUE})", defaultValue = "1000000")
    int calls;
    @Option(names = "--lines", description = "simulated lines (default ${DEFAULT-VALUE})", defaultValue = "4")
    int lines;
    @Option(names = "--max-concurrent", description = "max_concurrent of each line (default ${DEFAULT-VALUE})", defaultValue = "100000")
    int maxConcurrent;
    @Option(names = "--cps", description = "max_cps of each line (default ${DEFAULT-VALUE})", defaultValue = "100000")
    double cps;
    @Option(names = "--chunk", description = "recipients per intake batch (default ${DEFAULT-VALUE})", defaultValue = "100000")
    int chunk;
    @Option(names = "--rate", description = "0: all due at once (backlog); R > 0: calls fall due at R per second (default ${DEFAULT-VALUE})",
            defaultValue = "0")
    double rate;
    @Option(names = "--lead", description = "rate mode: seconds from the start of loading to the first due call (default ${DEFAULT-VALUE})",
            defaultValue = "30")
    int leadSeconds;
    @Option(names = "--ramp", description = "rate mode: seconds over which the due rate climbs from 0 to --rate (default ${DEFAULT-VALUE})",
            defaultValue = "0")
    int rampSeconds;
    @Option(names = "--timeout", description = "give up after this many seconds of dispatching (default ${DEFAULT-VALUE})",
            defaultValue = "1800")
    int timeoutSeconds;
    @Option(names = "--durable", description = "fsync and synchronous commit on, as in production (default ${DEFAULT-VALUE})",
            defaultValue = "true", arity = "1")
    boolean durable;
    @Option(names = "--arm-lead", description = "ms before its slot a call is taken for dialing (default: the engine's, ${DEFAULT-VALUE})",
            defaultValue = "-1")
    long armLeadMs;
    @Option(names = "--warmup", description = "seconds of dialing left out of the steady-state latency (default ${DEFAULT-VALUE})",
            defaultValue = "10")
    int warmupSeconds;
    @Option(names = "--warm", description = "calls dialed (as a backlog, on lines of their own) before the measured ones are loaded, "
            + "so the run meets a node and a database that have been working: compiled code, recycled WAL files, shared "
            + "buffers in use (default ${DEFAULT-VALUE}: a cold start)", defaultValue = "0")
    int warmCalls;
    @Option(names = "--keep", description = "keep the temp data directory")
    boolean keep;
    @Option(names = "--pg-stats", description = "print where PostgreSQL spent its time while dispatching (pg_stat_statements)")
    boolean pgStats;
    @Option(names = "--pg-set", description = "a PostgreSQL server setting to try, as name=value (repeatable)")
    Map<String, String> pgSettings = new java.util.HashMap<>();

    /** The node's record of each dial, gathered second by second while watching. */
    private final Histogram slotToDial = new Histogram(3);
    private final Histogram dueToDial = new Histogram(3);
    private final Histogram dueToDialSteady = new Histogram(3);
    private long dialedEarly;

    @Override
    public Integer call() throws Exception {
        System.out.println("machine at start: " + BenchMain.machine());
        try (BenchDb env = BenchDb.start("dispatch", durable, keep, pgStats, pgSettings)) {
            OutdialConfig base = OutdialConfig.fromEnv(Map.of()).withPort(0).withDataDir(env.dir())
                    .withSimulated(new SimulatedSettings(Duration.ZERO, Duration.ZERO));
            if (warmCalls > 0) warmUp(env, base);
            Outdial loader = Outdial.start(base.withNodeId("bench-loader").withDispatch(DispatchSettings.defaults().withEnabled(false)),
                    env.db(), Clock.systemUTC(), true);
            Fixture fx = Fixture.create(loader, lines, maxConcurrent, cps, false);
            load(fx);
            loader.stop(Duration.ZERO);
            if (pgStats) env.resetStatements();

            DispatchSettings dispatch = armLeadMs < 0 ? DispatchSettings.defaults()
                    : DispatchSettings.defaults().withArmLead(Duration.ofMillis(armLeadMs));
            System.out.println("dispatch settings: arm lead " + dispatch.armLead().toMillis() + " ms");
            Outdial node = Outdial.start(base.withNodeId("bench-dispatch").withDispatch(dispatch), env.db(), Clock.systemUTC(), false);
            try {
                watch(node.dispatcher());
            } finally {
                node.stop(Duration.ofSeconds(60));
                slotToDial.add(node.dispatcher().slotToDialMicros());
                dueToDial.add(node.dispatcher().dueToDialMicros());
                dialedEarly = node.dispatcher().dialedEarly();
            }
            if (pgStats) env.printTopStatements(25);
            long started = report(env, fx.orgId());
            return started == calls ? 0 : 1; // every first attempt started

        }
    }

    /**
     * Dials {@code --warm} calls as a backlog on a node of their own, for an organization of its own (the report
     * counts only the measured one), cancels what the retry policy left for later (so no retry falls due during
     * the measurement), and ends with a checkpoint. A fresh data directory fills every new WAL file with zeros and
     * uses each shared buffer for the first time; a node that has been running reuses both, and has compiled its
     * hot paths. (On the benchmarks' host it made no difference to the CPU a call costs: bench/README, 2026-12-07.)
     */
    private void warmUp(BenchDb env, OutdialConfig base) throws InterruptedException {
        long t0 = System.nanoTime();
        Outdial node = Outdial.start(base.withNodeId("bench-warm"), env.db(), Clock.systemUTC(), true);
        try {
            Fixture fx = Fixture.create(node, lines, maxConcurrent, cps, false);
            java.util.List<String> batches = postBacklog(fx, "warm", warmCalls);
            Dispatcher d = node.dispatcher();
            long deadline = System.nanoTime() + Duration.ofSeconds(timeoutSeconds).toNanos();
            while ((d.startedCalls() < warmCalls || d.liveCalls() > 0) && System.nanoTime() < deadline) Thread.sleep(200);
            for (String id : batches) {
                try {
                    fx.api().send("POST", "/v1/batches/" + id + "/cancel", "{}");
                } catch (IllegalStateException e) { // a batch with nothing left to retry is completed: nothing to cancel
                    System.out.println("warm-up: " + e.getMessage());
                }
            }
            System.out.printf("warm-up: %,d calls dialed in %.1f s%n", d.startedCalls(), (System.nanoTime() - t0) / 1e9);
        } finally {
            node.stop(Duration.ofSeconds(60));
        }
        env.db().tx(c -> {
            try (var st = c.createStatement()) {
                st.execute("checkpoint");
            }
            return null;
        });
    }

    /**
     * When call i falls due, after the first: at a steady {@code rate}, after a linear ramp from 0 to the rate
     * over the first {@code --ramp} seconds if one is asked for (a node starting cold compiles its hot paths
     * for its first ~20 s, and a full load then leaves a backlog that spills into the measured seconds).
     */
    long dueOffsetNanos(long i) {
        double inRamp = rate * rampSeconds / 2; // calls that fall due during the ramp
        double seconds = i < inRamp ? Math.sqrt(2 * i * rampSeconds / rate) : rampSeconds + (i - inRamp) / rate;
        return (long) (seconds * 1e9);
    }

    private void load(Fixture fx) {
        System.out.printf("dispatch: loading %,d calls on %d simulated lines (max_concurrent %d, max_cps %.0f), %s, durable=%s%n",
                calls, lines, maxConcurrent, cps, rate > 0 ? "due at " + rate + "/s" : "all due now", durable);
        long t0 = System.nanoTime();
        Instant firstDue = Instant.now().plusSeconds(leadSeconds);
        if (rate <= 0) {
            postBacklog(fx, "bench", calls);
        } else {
            // Each round of chunks, one per line, takes the next stretch of due times with its calls interleaved, so
            // every line carries rate / lines at any moment. (Contiguous chunks put the whole rate on one line at a
            // time, whose claims are serial under its row lock: a test of one line, not of the node.)
            int k = 0;
            for (long start = 0; start < calls; start += (long) lines * chunk) {
                long end = Math.min(calls, start + (long) lines * chunk);
                int m = (int) Math.min(lines, end - start); // a last, shorter round too is spread over every line
                for (int r = 0; r < m; r++, k++) {
                    long[] recipients = new long[(int) ((end - start - r + m - 1) / m)];
                    for (int j = 0; j < recipients.length; j++) recipients[j] = start + r + (long) m * j;
                    fx.api().send("POST", "/v1/batches", fx.batchJson("bench " + k, fx.lineIds().get(r), recipients,
                            i -> firstDue.plusNanos(dueOffsetNanos(i))));
                }
            }
        }
        double s = (System.nanoTime() - t0) / 1e9;
        System.out.printf("loaded %,d calls in %.1f s (%.0f calls/s through POST /v1/batches)%n", calls, s, calls / s);
        if (rate > 0 && Instant.now().isAfter(firstDue)) {
            System.out.printf("WARNING: loading ended %d ms after the first call fell due; raise --lead%n",
                    Duration.between(firstDue, Instant.now()).toMillis());
        }
    }

    /** Posts {@code total} calls due now, {@code --chunk} to a batch, the batches spread over the lines; returns the batch ids. */
    private java.util.List<String> postBacklog(Fixture fx, String name, int total) {
        java.util.List<String> ids = new java.util.ArrayList<>();
        for (int from = 0, k = 0; from < total; from += chunk, k++) {
            int n = Math.min(chunk, total - from);
            ids.add(fx.api().send("POST", "/v1/batches", fx.batchJson(name + " " + k, fx.lineIds().get(k % lines), from, n, null, 0))
                    .get("id").asText());
        }
        return ids;
    }

    /** Samples the dispatcher every second until it has started as many calls as were loaded, or the timeout. */
    private void watch(Dispatcher d) throws InterruptedException {
        long t0 = System.nanoTime();
        BenchMain.Cpu cpu0 = BenchMain.Cpu.now();
        long deadline = t0 + Duration.ofSeconds(timeoutSeconds).toNanos();
        long last = 0;
        double peak = 0;
        int secondsDialing = 0;
        System.out.println("   t(s)    started   per-s   queued     live  due→dialed p50/p99 (ms)");
        while (d.startedCalls() < calls && System.nanoTime() < deadline) {
            Thread.sleep(1000);
            long started = d.startedCalls();
            peak = Math.max(peak, started - last);
            Histogram second = d.dueToDialMicros();
            slotToDial.add(d.slotToDialMicros());
            dueToDial.add(second);
            if (second.getTotalCount() > 0 && ++secondsDialing > warmupSeconds) dueToDialSteady.add(second);
            System.out.printf("%7.1f %10d %7d %8d %8d  %s%n", (System.nanoTime() - t0) / 1e9, started, started - last,
                    d.queuedCalls(), d.liveCalls(), second.getTotalCount() == 0 ? "" : "%.1f / %.1f".formatted(
                            second.getValueAtPercentile(50) / 1e3, second.getValueAtPercentile(99) / 1e3));
            last = started;
        }
        double allStarted = (System.nanoTime() - t0) / 1e9;
        boolean done = d.startedCalls() >= calls;
        System.out.printf("%s %,d of %,d calls in %.1f s from dispatcher start: %.0f calls/s overall%s, peak second %.0f%n",
                done ? "started" : "TIMEOUT: started only", d.startedCalls(), calls, allStarted, d.startedCalls() / allStarted,
                rate > 0 ? " (includes the wait for the first due call)" : "", peak);
        while (d.liveCalls() > 0 && System.nanoTime() < deadline) Thread.sleep(100);
        System.out.printf("last call ended %.1f s after dispatcher start%n", (System.nanoTime() - t0) / 1e9);
        System.out.println("CPU from dispatcher start to last call ended: " + BenchMain.Cpu.now().perCallSince(cpu0, d.startedCalls()));
    }

    /**
     * Prints the figures from the stored rows and the node's own record of each dial (the moment it handed
     * the call to the carrier, against the slot and the due time it was claimed with); returns how many
     * first attempts were started.
     */
    private long report(BenchDb env, String orgId) {
        return env.db().read(c -> {
            try (var st = c.createStatement()) {
                long firstStarted;
                double perSecond;
                try (ResultSet rs = st.executeQuery("""
                        select count(*), count(a.started_at), min(a.started_at), max(a.started_at)
                        from call_attempt a where a.attempt = 1 and a.org_id = '%s'""".formatted(orgId))) {
                    rs.next();
                    firstStarted = rs.getLong(2);
                    double span = (rs.getTimestamp(4).getTime() - rs.getTimestamp(3).getTime()) / 1000.0;
                    perSecond = firstStarted / span;
                    System.out.printf("first attempts: %,d claimed, %,d started; first→last start %.1f s = %.0f calls/s%n",
                            rs.getLong(1), firstStarted, span, perSecond);
                }
                // A claim stamps its attempts with one claimed_at per line: how many claims, and how large.
                try (ResultSet rs = st.executeQuery("""
                        select count(*), avg(n), percentile_disc(0.5) within group (order by n)
                        from (select count(*) n from call_attempt where org_id = '%s' group by line_id, claimed_at) claims"""
                        .formatted(orgId))) {
                    rs.next();
                    System.out.printf("claims: %,d, calls per claim mean %.0f, median %d%n", rs.getLong(1), rs.getDouble(2), rs.getLong(3));
                }
                String[][] measures = {
                        {"claimed→started", "a.started_at - a.claimed_at"},
                        {"slot→started   ", "a.started_at - a.dial_at"},
                        {"due→started    ", "a.started_at - greatest(coalesce(c.scheduled_at, c.created_at), c.created_at)"},
                        // Where a late start lost its time: claimed late (negative: ahead), or slotted late, or started late.
                        {"due→claimed    ", "a.claimed_at - greatest(coalesce(c.scheduled_at, c.created_at), c.created_at)"},
                        {"due→slot       ", "a.dial_at - greatest(coalesce(c.scheduled_at, c.created_at), c.created_at)"},
                        // The carrier's own clock on the dial: its first signal (ringing, sent as the simulated call is
                        // placed) is stamped by the node when it arrives, so it is the dial moment or a little after.
                        {"slot→rang      ", "a.ringing_at - a.dial_at"},
                        {"due→rang       ", "a.ringing_at - greatest(coalesce(c.scheduled_at, c.created_at), c.created_at)"}};
                double[][] figures = new double[measures.length][];
                for (int i = 0; i < measures.length; i++) {
                    try (ResultSet rs = st.executeQuery("""
                            select percentile_disc(array[0.5, 0.9, 0.99]) within group (order by ms), max(ms)
                            from (select (extract(epoch from (%s)) * 1000)::float8 as ms
                                  from call_attempt a join call c on c.id = a.call_id
                                  where a.attempt = 1 and a.started_at is not null and a.org_id = '%s') t
                            where ms is not null""".formatted(measures[i][1], orgId))) {
                        rs.next();
                        if (rs.getArray(1) == null) continue; // no call rang (every number busy or failing)
                        Double[] p = (Double[]) rs.getArray(1).getArray();
                        figures[i] = new double[] {p[0], p[1], p[2], rs.getDouble(2)};
                        System.out.printf("%s p50=%.1f p90=%.1f p99=%.1f max=%.1f (ms)%n", measures[i][0], p[0], p[1], p[2],
                                rs.getDouble(2));
                    }
                }
                String steady = "due→dialed after the first " + warmupSeconds + " s";
                for (Object[] h : new Object[][] {{"slot→dialed    ", slotToDial}, {"due→dialed     ", dueToDial},
                        {steady, dueToDialSteady}}) {
                    Histogram hist = (Histogram) h[1];
                    System.out.printf("%s p50=%.1f p90=%.1f p99=%.1f max=%.1f (ms, %,d dials, as the node saw them)%n", h[0],
                            hist.getValueAtPercentile(50) / 1e3, hist.getValueAtPercentile(90) / 1e3,
                            hist.getValueAtPercentile(99) / 1e3, hist.getMaxValue() / 1e3, hist.getTotalCount());
                }
                System.out.printf("dialed before their slots: %d%n", dialedEarly);
                try (ResultSet rs = st.executeQuery("""
                        select count(*) filter (where state = 'finished'), count(*) filter (where state = 'scheduled'),
                               count(*) filter (where state not in ('finished', 'scheduled')), count(*) filter (where dials > 1)
                        from call where org_id = '%s'""".formatted(orgId))) {
                    rs.next();
                    System.out.printf("calls now: %,d finished, %,d scheduled (retries later), %,d still dialing/ringing/in progress; "
                                    + "dialed twice or more (retries): %d%n",
                            rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4));
                }
                System.out.println("machine at end: " + BenchMain.machine());
                System.out.printf("RESULT dispatch calls=%d mode=%s first_attempts_started=%d calls_per_s=%.0f "
                                + "claimed_to_started_p50_ms=%.1f p99_ms=%.1f due_to_started_p50_ms=%.1f p99_ms=%.1f "
                                + "due_to_dialed_p50_ms=%.1f p99_ms=%.1f steady_p50_ms=%.1f p99_ms=%.1f%n",
                        calls, rate > 0 ? "rate" + rate : "backlog", firstStarted, perSecond,
                        figures[0][0], figures[0][2], figures[2][0], figures[2][2],
                        dueToDial.getValueAtPercentile(50) / 1e3, dueToDial.getValueAtPercentile(99) / 1e3,
                        dueToDialSteady.getValueAtPercentile(50) / 1e3, dueToDialSteady.getValueAtPercentile(99) / 1e3);
                return firstStarted;
            }
        });
    }
}
