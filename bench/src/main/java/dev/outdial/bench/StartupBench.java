package dev.outdial.bench;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Start-up time of a real {@code outdial serve} process on an existing embedded data directory:
 * from just before the process is spawned to the first 200 on {@code /health}. One first run
 * initializes the data directory (initdb, migrations) and is reported apart; each run is stopped
 * with SIGTERM, as a service manager would, and its shutdown time and exit are reported too.
 */
@Command(name = "startup", mixinStandardHelpOptions = true, description = "outdial serve: process start to first 200 on /health.")
final class StartupBench implements Callable<Integer> {
    @Option(names = "--jar", description = "the shaded engine jar (default ${DEFAULT-VALUE})", defaultValue = "engine/target/outdial.jar")
    Path jar;
    @Option(names = "--runs", description = "measured starts after the initializing one (default ${DEFAULT-VALUE})", defaultValue = "10")
    int runs;
    @Option(names = "--java", description = "the java launcher (default: the one running this bench)")
    Path java;
    @Option(names = "--jvm-arg", description = "an extra JVM option for the server, repeatable (e.g. -Xshare:auto)")
    List<String> jvmArgs = new ArrayList<>();
    @Option(names = "--keep", description = "keep the temp directory (data directory and server logs)")
    boolean keep;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(200)).build();

    /** One start and stop: milliseconds to the first 200, milliseconds from SIGTERM to exit, and the exit code. */
    record Run(double readyMs, double stopMs, int exitCode, boolean postgresLeftRunning) {
    }

    @Override
    public Integer call() throws Exception {
        if (!Files.isRegularFile(jar)) {
            System.err.println("no engine jar at " + jar.toAbsolutePath()
                    + "; build it with ./mvnw -q -B -o -DskipTests -pl engine -am package, or pass --jar");
            return 2;
        }
        System.out.println("machine at start: " + BenchMain.machine());
        if (java == null) java = Path.of(System.getProperty("java.home"), "bin", "java");
        Path dir = Files.createTempDirectory("outdial-bench-startup-");
        Path data = dir.resolve("data");
        try {
            System.out.printf("startup: %s serve on %s, 1 initializing + %d measured runs%n", jar, data, runs);
            Run init = once(dir, data, 0);
            System.out.printf("initializing run: ready in %.0f ms; stopped in %.0f ms (exit %d)%n", init.readyMs(), init.stopMs(),
                    init.exitCode());
            double[] ready = new double[runs];
            double[] stop = new double[runs];
            int leftovers = 0;
            for (int i = 0; i < runs; i++) {
                Run r = once(dir, data, i + 1);
                ready[i] = r.readyMs();
                stop[i] = r.stopMs();
                if (r.postgresLeftRunning()) leftovers++;
                System.out.printf("run %2d: ready in %.0f ms; stopped in %.0f ms (exit %d)%s%n", i + 1, r.readyMs(), r.stopMs(),
                        r.exitCode(), r.postgresLeftRunning() ? "; postmaster.pid still present after exit" : "");
            }
            Stats s = Stats.of(ready);
            System.out.println("start → first 200 on /health: " + s);
            System.out.println("SIGTERM → exit: " + Stats.of(stop));
            if (leftovers > 0) System.out.printf("%d run(s) left postmaster.pid behind%n", leftovers);
            System.out.println("machine at end: " + BenchMain.machine());
            System.out.printf("RESULT startup runs=%d p50_ms=%.0f max_ms=%.0f first_init_ms=%.0f%n", runs, s.p50(), s.max(), init.readyMs());
            return 0;
        } finally {
            if (keep) System.out.println("kept " + dir);
            else BenchDb.deleteTree(dir);
        }
    }

    private Run once(Path dir, Path data, int k) throws Exception {
        int port = freePort();
        List<String> cmd = new ArrayList<>();
        cmd.add(java.toString());
        cmd.addAll(jvmArgs);
        cmd.addAll(List.of("-jar", jar.toAbsolutePath().toString(), "serve", "--port", Integer.toString(port),
                "--data-dir", data.toString()));
        Path log = dir.resolve("serve-" + k + ".log");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().keySet().removeIf(name -> name.startsWith("OUTDIAL_"));
        URI health = URI.create("http://127.0.0.1:" + port + "/health");

        long t0 = System.nanoTime();
        Process p = pb.start();
        while (!healthy(health)) {
            if (!p.isAlive()) {
                throw new IllegalStateException("serve exited with " + p.exitValue() + " before it was healthy; its log:\n"
                        + Files.readString(log));
            }
            if (System.nanoTime() - t0 > TimeUnit.SECONDS.toNanos(120)) {
                p.destroyForcibly();
                throw new IllegalStateException("serve not healthy after 120 s; its log:\n" + Files.readString(log));
            }
            Thread.sleep(5);
        }
        double readyMs = (System.nanoTime() - t0) / 1e6;

        long s0 = System.nanoTime();
        p.destroy(); // SIGTERM
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            throw new IllegalStateException("serve did not exit within 60 s of SIGTERM; its log:\n" + Files.readString(log));
        }
        double stopMs = (System.nanoTime() - s0) / 1e6;
        return new Run(readyMs, stopMs, p.exitValue(), Files.exists(data.resolve("pg").resolve("postmaster.pid")));
    }

    private boolean healthy(URI health) {
        try {
            HttpResponse<Void> r = http.send(HttpRequest.newBuilder(health).timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.discarding());
            return r.statusCode() == 200;
        } catch (IOException e) {
            return false; // not listening yet
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
