package dev.outdial.bench;

import dev.outdial.schedule.CallingWindow;
import dev.outdial.schedule.DuePlanner;
import dev.outdial.schedule.TimezoneResolver;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cost of lawful scheduling per call (issue "Lawful scheduling"): the due-time computation at
 * intake and on retry, and the window re-check the dispatcher makes for every call it claims.
 * Run: {@code java -cp bench/target/outdial-bench.jar org.openjdk.jmh.Main DuePlannerBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class DuePlannerBenchmark {
    /** Office hours on weekdays, as agents commonly set them. */
    private static final String WINDOW = "{\"work_start\":\"09:00\",\"work_end\":\"17:00\",\"days\":[\"mon\",\"tue\",\"wed\",\"thu\",\"fri\"]}";
    private static final String RULES = "[{\"name\":\"FL\",\"country\":\"US\",\"regions\":[\"FL\"],"
            + "\"calling_window\":{\"work_start\":\"09:00\",\"work_end\":\"20:00\"}}]";
    /** Friday 22:00 in San Francisco: the next opening is Monday 09:00. */
    private final Instant fridayNight = Instant.parse("2026-03-07T06:00:00Z");
    /** Tuesday 11:00 in San Francisco: open. */
    private final Instant tuesdayMorning = Instant.parse("2026-03-03T19:00:00Z");
    private final List<ZoneId> oneZone = List.of(ZoneId.of("America/Los_Angeles"));
    private final List<ZoneId> australia = TimezoneResolver.forNumber("+61412345678");

    @Benchmark
    public Instant dueTimeOneZoneAfterHours() {
        CallingWindow w = DuePlanner.effective(WINDOW, true, RULES, "US-CA");
        return DuePlanner.plan(w, oneZone, fridayNight, null).dueAt();
    }

    @Benchmark
    public Instant dueTimeEveryAustralianZoneAfterHours() {
        CallingWindow w = DuePlanner.effective(WINDOW, true, RULES, "AU");
        return DuePlanner.plan(w, australia, fridayNight, null).dueAt();
    }

    /** What the claim does for a call whose window is open: look up the effective window, check every zone. */
    @Benchmark
    public boolean claimRecheckOpen() {
        return DuePlanner.effective(WINDOW, true, RULES, "US-CA").allowsAll(tuesdayMorning, oneZone);
    }

    /** Zone resolution at intake, from the number (libphonenumber), for a US number. */
    @Benchmark
    public List<ZoneId> zonesForNumber() {
        return TimezoneResolver.forNumber("+14155552671");
    }
}
