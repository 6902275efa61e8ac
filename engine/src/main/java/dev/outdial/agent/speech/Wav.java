package dev.outdial.agent.speech;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;
import javax.sound.sampled.UnsupportedAudioFileException;

/** WAV in and out for the speech engines: read through Java Sound (which also converts sample rates), written directly. */
public final class Wav {
    /** The phone's audio: 8 kHz, 16-bit, mono, little-endian. */
    public static final AudioFormat PHONE = new AudioFormat(8000f, 16, 1, true, false);

    private Wav() {
    }

    /**
     * A WAV file of 8 kHz PCM: the 44-byte RIFF header, then the samples. Written here rather than with
     * {@code AudioSystem.write}, which looks its file writers up again on every call (and has one of them
     * build and throw an exception for each format it refuses) before writing these same bytes.
     */
    public static byte[] of(short[] pcm8k) {
        int dataBytes = pcm8k.length * 2;
        ByteBuffer wav = ByteBuffer.allocate(44 + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        wav.put(ascii("RIFF")).putInt(36 + dataBytes).put(ascii("WAVE"));
        wav.put(ascii("fmt ")).putInt(16).putShort((short) 1) // PCM
                .putShort((short) 1).putInt(8000).putInt(8000 * 2).putShort((short) 2).putShort((short) 16); // mono, 8 kHz, 2 bytes a frame, 16 bits
        wav.put(ascii("data")).putInt(dataBytes);
        wav.asShortBuffer().put(pcm8k);
        return wav.array();
    }

    private static byte[] ascii(String tag) {
        return tag.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
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
