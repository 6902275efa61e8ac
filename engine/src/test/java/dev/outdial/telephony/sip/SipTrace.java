package dev.outdial.telephony.sip;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads sipp's message trace (-trace_msg): when each call's first INVITE arrived and when its dialog
 * ended (the last message seen for its Call-ID), as the far end saw them. Line limits are checked
 * from here, outside Outdial.
 */
final class SipTrace {
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS");

    /** One call as sipp saw it, in microseconds of the trace's clock. */
    record Dialog(String callId, long inviteMicros, long endMicros) {
    }

    private SipTrace() {
    }

    static List<Dialog> dialogs(Path dir) throws IOException {
        Path log = messageLog(dir);
        Map<String, long[]> byCall = new LinkedHashMap<>();
        long stamp = 0;
        boolean atFirstLine = false;
        String firstLine = null;
        for (String line : Files.readAllLines(log, java.nio.charset.StandardCharsets.ISO_8859_1)) {
            if (line.startsWith("----------------------------------------------- ")) {
                stamp = micros(line.substring(48).trim());
                atFirstLine = true;
                firstLine = null;
                continue;
            }
            if (atFirstLine && !line.isBlank() && !line.contains("message received") && !line.contains("message sent")) {
                firstLine = line;
                atFirstLine = false;
            }
            if (firstLine != null && line.regionMatches(true, 0, "Call-ID:", 0, 8)) {
                String id = line.substring(8).trim();
                long[] times = byCall.computeIfAbsent(id, k -> new long[] {-1, -1});
                if (firstLine.startsWith("INVITE ") && times[0] < 0) times[0] = stamp;
                times[1] = Math.max(times[1], stamp);
            }
        }
        List<Dialog> out = new ArrayList<>();
        byCall.forEach((id, t) -> {
            if (t[0] >= 0) out.add(new Dialog(id, t[0], t[1]));
        });
        return out;
    }

    /** The values of every {@code name:} header in the trace, in order (sent and received messages alike). */
    static List<String> headers(Path dir, String name) throws IOException {
        List<String> values = new ArrayList<>();
        for (String line : Files.readAllLines(messageLog(dir), java.nio.charset.StandardCharsets.ISO_8859_1)) {
            if (line.regionMatches(true, 0, name + ":", 0, name.length() + 1)) values.add(line.substring(name.length() + 1).trim());
        }
        return values;
    }

    /** The most dialogs up at once. */
    static int maxConcurrent(List<Dialog> dialogs) {
        Map<Long, Integer> deltas = new java.util.TreeMap<>();
        for (Dialog d : dialogs) {
            deltas.merge(d.inviteMicros(), 1, Integer::sum);
            deltas.merge(d.endMicros() + 1, -1, Integer::sum); // ends count just after their last message
        }
        int live = 0;
        int max = 0;
        for (int delta : deltas.values()) {
            live += delta;
            max = Math.max(max, live);
        }
        return max;
    }

    /** The most INVITEs that arrived within any one second (a sliding window, half-open). */
    static int maxInvitesPerSecond(List<Dialog> dialogs) {
        long[] t = dialogs.stream().mapToLong(Dialog::inviteMicros).sorted().toArray();
        int max = 0;
        int from = 0;
        for (int i = 0; i < t.length; i++) {
            while (t[i] - t[from] >= 1_000_000) from++;
            max = Math.max(max, i - from + 1);
        }
        return max;
    }

    private static Path messageLog(Path dir) throws IOException {
        try (var files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().endsWith("_messages.log")).findFirst()
                    .orElseThrow(() -> new AssertionError("no sipp message trace in " + dir));
        }
    }

    private static long micros(String stamp) {
        LocalDateTime t = LocalDateTime.parse(stamp.replace('\t', ' '), STAMP);
        return t.toEpochSecond(java.time.ZoneOffset.UTC) * 1_000_000 + t.getNano() / 1000;
    }
}
