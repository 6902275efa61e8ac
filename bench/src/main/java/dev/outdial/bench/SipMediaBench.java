package dev.outdial.bench;

import dev.outdial.config.SipSettings;
import dev.outdial.media.RtpSession;
import dev.outdial.telephony.CallLeg;
import dev.outdial.telephony.CallListener;
import dev.outdial.telephony.CallRequest;
import dev.outdial.telephony.EndCause;
import dev.outdial.telephony.Trunk;
import dev.outdial.telephony.sip.SipTelephony;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Concurrent SIP calls with two-way RTP: Outdial's user agent calls a sipp callee that answers every
 * call and echoes its RTP back (sipp -rtp_echo), so each call sends and receives 50 packets a second.
 * For each level of concurrency it ramps the calls up, holds them for the measuring window, and
 * reports Outdial's CPU share, heap and RSS per call, packets lost, and the 20 ms media clock's
 * lateness. sipp runs in its own process on the same two cores.
 */
@Command(name = "sip-media", mixinStandardHelpOptions = true,
        description = "Concurrent SIP calls with two-way RTP against a sipp callee: CPU, memory, loss and media clock lateness.")
final class SipMediaBench implements java.util.concurrent.Callable<Integer> {
    @Option(names = "--calls", split = ",", description = "concurrency levels (default 250,500,1000,2000)")
    List<Integer> levels = List.of(250, 500, 1000, 2000);

    @Option(names = "--hold", description = "seconds measured at each level once all calls are up (default 20)")
    int holdSeconds = 20;

    @Option(names = "--ramp", description = "calls started per second while ramping up (default 200)")
    int rampCps = 200;

    @Override
    public Integer call() throws Exception {
        System.out.println("sip-media: " + BenchMain.machine() + "; net.core.rmem_default "
                + Files.readString(Path.of("/proc/sys/net/core/rmem_default")).trim()
                + " (sipp echoes every call on one socket: below ~4 MB it overflows at a few hundred calls)");
        Path dir = Files.createTempDirectory("outdial-sip-bench");
        Files.writeString(dir.resolve("echo-callee.xml"), SCENARIO);
        List<String> results = new ArrayList<>();
        for (int level : levels) {
            results.add(runLevel(dir, level));
            System.gc();
            Thread.sleep(2000);
        }
        System.out.println();
        System.out.println("| calls | Outdial CPU (of one core) | heap/call | RSS/call | packets lost | tick lateness p50 / p99 / max | wake-up lateness p99 | skipped ticks |");
        System.out.println("|---|---|---|---|---|---|---|---|");
        results.forEach(System.out::println);
        return 0;
    }

    private String runLevel(Path dir, int calls) throws Exception {
        int sipPort = freePort();
        int mediaPort = freePort() & ~1;
        Process sipp = new ProcessBuilder("sipp", "-sf", "echo-callee.xml", "-i", "127.0.0.1", "-p", Integer.toString(sipPort),
                "-mp", Integer.toString(mediaPort), "-rtp_echo", "-m", Integer.toString(calls), "-nostdin", "-timeout", "600")
                .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(dir.resolve("sipp-" + calls + ".out").toFile()).start();
        Thread.sleep(500);
        SipTelephony sip = new SipTelephony(SipSettings.loopback(26060, 26099, 30000, 39998), "bench");
        Trunk trunk = new Trunk("127.0.0.1", sipPort, "udp", null, null, null, null, null, 60, null);
        System.gc();
        long heapBefore = usedHeap();
        long rssBefore = rss();
        CountDownLatch up = new CountDownLatch(calls);
        AtomicInteger failed = new AtomicInteger();
        List<CallLeg> legs = new ArrayList<>();
        long rampStart = System.nanoTime();
        for (int i = 0; i < calls; i++) {
            long due = rampStart + (long) (i * 1e9 / rampCps);
            long wait = due - System.nanoTime();
            if (wait > 0) TimeUnit.NANOSECONDS.sleep(wait);
            legs.add(sip.originate(new CallRequest("cal_bench_" + i, 1, "+14155550100", "+1415555" + String.format("%04d", i % 10000),
                    null, Duration.ofMinutes(10), trunk), new CallListener() {
                        @Override
                        public void ringing() {
                        }

                        @Override
                        public void answered(boolean machine) {
                            up.countDown();
                        }

                        @Override
                        public void ended(EndCause cause) {
                            if (up.getCount() > 0) failed.incrementAndGet();
                            up.countDown();
                        }
                    }));
        }
        if (!up.await(120, TimeUnit.SECONDS)) System.out.println("  not all calls came up in 120 s");
        Thread.sleep(2000); // let jitter buffers fill and the echo settle
        List<RtpSession> sessions = legs.stream().map(l -> l.media()).filter(m -> m instanceof RtpSession).map(m -> (RtpSession) m).toList();
        long sent0 = sessions.stream().mapToLong(RtpSession::packetsSent).sum();
        long received0 = sessions.stream().mapToLong(RtpSession::packetsReceived).sum();
        long lost0 = sessions.stream().mapToLong(RtpSession::packetsLost).sum();
        long skipped0 = sip.mediaClock().skippedTicks();
        sip.mediaClock().latenessMicros(); // starts new intervals
        sip.mediaClock().wakeLatenessMicros();
        long drops0 = udpReceiveBufferErrors();
        long cpu0 = processCpuNanos();
        long wall0 = System.nanoTime();
        Thread.sleep(holdSeconds * 1000L);
        long cpu = processCpuNanos() - cpu0;
        long wall = System.nanoTime() - wall0;
        Histogram lateness = sip.mediaClock().latenessMicros();
        Histogram wake = sip.mediaClock().wakeLatenessMicros();
        long sent = sessions.stream().mapToLong(RtpSession::packetsSent).sum() - sent0;
        long received = sessions.stream().mapToLong(RtpSession::packetsReceived).sum() - received0;
        long lost = sessions.stream().mapToLong(RtpSession::packetsLost).sum() - lost0;
        long skipped = sip.mediaClock().skippedTicks() - skipped0;
        long kernelDrops = udpReceiveBufferErrors() - drops0;
        System.gc();
        long heapPerCall = (usedHeap() - heapBefore) / calls;
        long rssPerCall = (rss() - rssBefore) / calls;
        double cpuShare = (double) cpu / wall;
        String row = String.format("| %,d (%d up, %d failed) | %.0f%% | %,d B | %,d B | %.3f%% (%,d of %,d echoed back not heard; jitter-lost %,d; kernel receive-buffer drops %,d) | %.2f / %.2f / %.2f ms | %.2f ms | %d |",
                calls, sessions.size() - failed.get(), failed.get(), 100 * cpuShare, heapPerCall, rssPerCall,
                sent == 0 ? 0 : 100.0 * Math.max(0, sent - received) / sent, Math.max(0, sent - received), sent, lost, kernelDrops,
                lateness.getValueAtPercentile(50) / 1000.0, lateness.getValueAtPercentile(99) / 1000.0, lateness.getMaxValue() / 1000.0,
                wake.getValueAtPercentile(99) / 1000.0, skipped);
        System.out.println(row);
        legs.forEach(CallLeg::hangup);
        if (!sipp.waitFor(60, TimeUnit.SECONDS)) sipp.destroyForcibly();
        sip.close();
        return row;
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static long usedHeap() {
        Runtime r = Runtime.getRuntime();
        return r.totalMemory() - r.freeMemory();
    }

    /** Resident set size in bytes, from /proc/self/status. */
    private static long rss() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
        return 0;
    }

    /** UDP datagrams the kernel dropped because a socket's receive buffer was full (all sockets: on loopback, mostly sipp's one echo socket). */
    private static long udpReceiveBufferErrors() throws IOException {
        List<String> udp = Files.readAllLines(Path.of("/proc/net/snmp")).stream().filter(l -> l.startsWith("Udp:")).toList();
        if (udp.size() < 2) return 0;
        List<String> names = List.of(udp.get(0).split("\\s+"));
        String[] values = udp.get(1).split("\\s+");
        int i = names.indexOf("RcvbufErrors");
        return i < 0 ? 0 : Long.parseLong(values[i]);
    }

    private static int freePort() throws IOException {
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** A callee that answers at once, echoes RTP (-rtp_echo), and waits for Outdial's BYE. */
    private static final String SCENARIO = """
            <?xml version="1.0" encoding="ISO-8859-1" ?>
            <scenario name="echo callee">
              <recv request="INVITE" crlf="true"/>
              <send retrans="500"><![CDATA[
            SIP/2.0 200 OK
            [last_Via:]
            [last_From:]
            [last_To:];tag=[pid]SIPpTag01[call_number]
            [last_Call-ID:]
            [last_CSeq:]
            Contact: <sip:[local_ip]:[local_port];transport=[transport]>
            Content-Type: application/sdp
            Content-Length: [len]

            v=0
            o=sipp 1 1 IN IP[local_ip_type] [local_ip]
            s=-
            c=IN IP[media_ip_type] [media_ip]
            t=0 0
            m=audio [media_port] RTP/AVP 0
            a=rtpmap:0 PCMU/8000
            ]]></send>
              <recv request="ACK"/>
              <recv request="BYE"/>
              <send><![CDATA[
            SIP/2.0 200 OK
            [last_Via:]
            [last_From:]
            [last_To:]
            [last_Call-ID:]
            [last_CSeq:]
            Content-Length: 0

            ]]></send>
            </scenario>
            """;
}
