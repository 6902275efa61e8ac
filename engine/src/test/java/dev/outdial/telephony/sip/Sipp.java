package dev.outdial.telephony.sip;

import dev.outdial.TestTools;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * sipp (Debian's sip-tester) as the far end of a test call: a scenario from src/test/resources/sipp,
 * run in a working directory that holds the audio it plays, on loopback. The scenario's success is
 * sipp's exit code (0: every call went as the scenario says).
 */
final class Sipp implements AutoCloseable {
    private final Process process;
    private final Path dir;
    private final String scenario;
    final int port;
    final int mediaPort;

    private Sipp(Process process, Path dir, String scenario, int port, int mediaPort) {
        this.process = process;
        this.dir = dir;
        this.scenario = scenario;
        this.port = port;
        this.mediaPort = mediaPort;
    }

    /** Starts {@code scenario} (a file name under /sipp) answering up to {@code calls} calls; returns once it listens. */
    static Sipp start(Path dir, String scenario, int calls, String... extra) {
        return start(dir, scenario, java.util.Map.of(), calls, extra);
    }

    /** As above, with each {@code @NAME@} in the scenario replaced first (sipp reads status codes when it loads a scenario). */
    static Sipp start(Path dir, String scenario, java.util.Map<String, String> values, int calls, String... extra) {
        TestTools.require("sipp", "sip-tester");
        try (InputStream in = Sipp.class.getResourceAsStream("/sipp/" + scenario)) {
            if (in == null) throw new IllegalArgumentException("no scenario /sipp/" + scenario);
            String text = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.ISO_8859_1);
            for (var e : values.entrySet()) text = text.replace("@" + e.getKey() + "@", e.getValue());
            Files.writeString(dir.resolve(scenario), text, java.nio.charset.StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        int port = freeUdpPort();
        int mediaPort;
        do { // sipp binds the media port and the ones just above it: none of them may be the SIP port (errno 98 in CI once)
            mediaPort = freeUdpPort() & ~1;
        } while (Math.abs(mediaPort - port) < 4);
        List<String> cmd = new ArrayList<>(List.of("sipp", "-sf", scenario, "-i", "127.0.0.1", "-p", Integer.toString(port),
                "-mp", Integer.toString(mediaPort), "-m", Integer.toString(calls), "-nostdin", "-trace_err", "-trace_msg",
                "-timeout", "120", "-timeout_error"));
        cmd.addAll(List.of(extra));
        try {
            Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("sipp-" + port + ".out").toFile()).start();
            Sipp sipp = new Sipp(p, dir, scenario, port, mediaPort);
            sipp.awaitListening(List.of(extra).contains("t1"));
            return sipp;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** sipp's exit code once it has finished (0 = success), after at most {@code limit}. */
    int awaitExit(Duration limit) throws InterruptedException {
        if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("sipp " + scenario + " did not finish within " + limit + "; " + log());
        }
        return process.exitValue();
    }

    /** What sipp printed and its message trace, for assertion messages. */
    String log() {
        StringBuilder sb = new StringBuilder();
        try (var files = Files.list(dir)) {
            for (Path f : files.filter(f -> f.getFileName().toString().endsWith(".log") || f.getFileName().toString().endsWith(".out")).toList()) {
                String text = Files.readString(f);
                sb.append("\n--- ").append(f.getFileName()).append(" ---\n").append(text.length() > 6000 ? text.substring(text.length() - 6000) : text);
            }
        } catch (IOException e) {
            sb.append(e);
        }
        return sb.toString();
    }

    /**
     * Returns once sipp listens: over TCP, once a connection is accepted; over UDP, once the port cannot be bound.
     * (A UDP port taken by anyone would do for a TCP scenario too, and a test once dialed a sipp not yet listening.)
     */
    private void awaitListening(boolean tcp) {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < until) {
            if (!process.isAlive()) throw new AssertionError("sipp exited at start: " + log());
            if (tcp) {
                try (java.net.Socket probe = new java.net.Socket(InetAddress.getLoopbackAddress(), port)) {
                    return; // sipp accepts connections (it drops this probe, which carries no message)
                } catch (IOException notYet) {
                    // not listening yet
                }
            } else {
                try (DatagramSocket probe = new DatagramSocket(null)) {
                    probe.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
                } catch (IOException bound) {
                    return; // sipp holds the port: it is listening
                }
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        throw new AssertionError("sipp did not open port " + port);
    }

    static int freeUdpPort() {
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (SocketException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) process.destroyForcibly();
    }
}
