package dev.outdial.telephony.sip;

import dev.outdial.TestTools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Real speech for the scenarios: espeak-ng says the text, sox makes it headerless 8 kHz µ-law (what sipp's rtp_stream plays). */
final class Speech {
    private Speech() {
    }

    /** Writes {@code file} (µ-law with {@code type} "ul", A-law with "al"; no header) in {@code dir} and returns its bytes. */
    static byte[] file(Path dir, String file, String type, String text) throws IOException, InterruptedException {
        return file(dir, file, type, text, 0, 0);
    }

    /** As above, with {@code leadS} seconds of silence before the speech and {@code tailS} after it. */
    static byte[] file(Path dir, String file, String type, String text, double leadS, double tailS) throws IOException, InterruptedException {
        TestTools.require("espeak-ng", "espeak-ng");
        TestTools.require("sox", "sox");
        Path wav = dir.resolve(file + ".wav");
        run(dir, "espeak-ng", "-v", "en-us", "-s", "160", "-w", wav.toString(), text);
        run(dir, "sox", wav.toString(), "-r", "8000", "-c", "1", "-t", type, dir.resolve(file).toString(),
                "pad", Double.toString(leadS), Double.toString(tailS));
        return Files.readAllBytes(dir.resolve(file));
    }

    private static void run(Path dir, String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) throw new IOException(String.join(" ", cmd) + " failed: " + out);
    }
}
