package dev.outdial.agent;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;
import javax.sound.sampled.UnsupportedAudioFileException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The offline voice (DESIGN §8): espeak-ng, run as a process, writes a WAV at its own rate (22,050
 * Hz), which Java Sound converts to the phone's 8 kHz. Robotic but free, local and always there
 * once Debian's espeak-ng package is installed; the speech engines of issue 8 replace it where configured.
 */
public final class EspeakVoice implements Voice {
    private static final Logger log = LoggerFactory.getLogger(EspeakVoice.class);
    /** The longest a message may take to render. */
    static final long TIMEOUT_S = 20;
    private static final AudioFormat PHONE = new AudioFormat(8000f, 16, 1, true, false);

    private final String command;

    public EspeakVoice() {
        this("espeak-ng");
    }

    EspeakVoice(String command) {
        this.command = command;
    }

    @Override
    public short[] speak(String text, String language) {
        if (text == null || text.isBlank()) return new short[0];
        try {
            Process p = new ProcessBuilder(command, "--stdout", "-v", language == null ? "en" : language, text)
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            byte[] wav = p.getInputStream().readAllBytes();
            if (!p.waitFor(TIMEOUT_S, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                log.warn("voice: espeak-ng failed (exit {}) for language {}; nothing is said", p.isAlive() ? "timeout" : p.exitValue(), language);
                return new short[0];
            }
            try (AudioInputStream in = AudioSystem.getAudioInputStream(new ByteArrayInputStream(wav));
                 AudioInputStream phone = AudioSystem.getAudioInputStream(PHONE, in)) {
                byte[] pcm = phone.readAllBytes();
                short[] out = new short[pcm.length / 2];
                ByteBuffer.wrap(pcm).order(ByteOrder.LITTLE_ENDIAN).asShortBuffer().get(out);
                return out;
            }
        } catch (IOException | UnsupportedAudioFileException e) {
            log.warn("voice: espeak-ng is not usable ({}); install Debian's espeak-ng package for messages left on machines", e.toString());
            return new short[0];
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new short[0];
        }
    }
}
