package dev.outdial.agent.speech;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import javax.sound.sampled.AudioFileFormat;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;
import javax.sound.sampled.UnsupportedAudioFileException;

/** WAV in and out for the speech engines, through Java Sound (which also converts sample rates). */
public final class Wav {
    /** The phone's audio: 8 kHz, 16-bit, mono, little-endian. */
    public static final AudioFormat PHONE = new AudioFormat(8000f, 16, 1, true, false);

    private Wav() {
    }

    /** A WAV file of 8 kHz PCM. */
    public static byte[] of(short[] pcm8k) {
        byte[] raw = new byte[pcm8k.length * 2];
        ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).asShortBuffer().put(pcm8k);
        try (AudioInputStream in = new AudioInputStream(new ByteArrayInputStream(raw), PHONE, pcm8k.length)) {
            ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length + 44);
            AudioSystem.write(in, AudioFileFormat.Type.WAVE, out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException("wav: cannot write PCM", e); // in memory: cannot happen
        }
    }

    /** Any WAV Java Sound reads (PCM at any rate, mono or stereo) as 8 kHz mono PCM. */
    public static short[] toPhone(byte[] wav) throws IOException {
        try (AudioInputStream in = AudioSystem.getAudioInputStream(new ByteArrayInputStream(wav))) {
            AudioInputStream mono = in;
            if (in.getFormat().getChannels() != 1 || in.getFormat().getSampleSizeInBits() != 16) {
                AudioFormat f = in.getFormat();
                mono = AudioSystem.getAudioInputStream(new AudioFormat(f.getSampleRate(), 16, 1, true, false), in);
            }
            try (AudioInputStream phone = AudioSystem.getAudioInputStream(PHONE, mono)) {
                byte[] pcm = phone.readAllBytes();
                short[] out = new short[pcm.length / 2];
                ByteBuffer.wrap(pcm).order(ByteOrder.LITTLE_ENDIAN).asShortBuffer().get(out);
                return out;
            }
        } catch (UnsupportedAudioFileException | IllegalArgumentException e) {
            throw new IOException("wav: not audio Java Sound can read: " + e.getMessage(), e);
        }
    }
}
