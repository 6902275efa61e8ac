package dev.outdial.agent.speech;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * The offline voice (DESIGN §8): espeak-ng, run as a process, writes a WAV at its own rate (22,050
 * Hz), which Java Sound converts to the phone's 8 kHz. Robotic but free, local and always there
 * once Debian's espeak-ng package is installed; the speech engines of issue 8 replace it where configured.
 */
public final class EspeakVoice implements Voice {
    /** The longest a message may take to render. */
    static final long TIMEOUT_S = 20;

    private final String command;

    public EspeakVoice() {
        this("espeak-ng");
    }

    EspeakVoice(String command) {
        this.command = command;
    }

    @Override
    public short[] speak(String text, String language) throws SpeechException {
        if (text == null || text.isBlank()) return new short[0];
        try {
            Process p = new ProcessBuilder(command, "--stdout", "-v", language == null ? "en" : language, text)
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            byte[] wav = p.getInputStream().readAllBytes();
            if (!p.waitFor(TIMEOUT_S, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new SpeechException("voice: espeak-ng failed (exit " + (p.isAlive() ? "timeout" : p.exitValue()) + ") for language " + language);
            }
            return Wav.toPhone(wav);
        } catch (IOException e) {
            throw new SpeechException("voice: espeak-ng is not usable (" + e.getMessage() + "); install Debian's espeak-ng package", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SpeechException("voice: interrupted", e);
        }
    }
}
