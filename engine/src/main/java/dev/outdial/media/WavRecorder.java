package dev.outdial.media;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records a call to a WAV file: 8 kHz, 16-bit, two channels (left what the far end said, right what
 * Outdial sent). Frames are queued by the media clock and written by a virtual thread, so a slow
 * disk never delays a tick; the header's sizes are filled in when the recording is closed.
 */
public final class WavRecorder implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(WavRecorder.class);
    private static final int HEADER = 44;
    private static final short[] END = new short[0];

    private final Path path;
    private final BlockingQueue<short[]> frames = new LinkedBlockingQueue<>();
    private final Thread writer;
    private volatile boolean closed;

    public WavRecorder(Path path) throws IOException {
        this.path = path;
        Files.createDirectories(path.toAbsolutePath().getParent());
        FileChannel file = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
        file.write(header(0));
        writer = Thread.ofVirtual().name("wav " + path.getFileName()).start(() -> write(file));
    }

    public Path path() {
        return path;
    }

    /** Queues one frame of each direction (equal lengths; a null side is silence). */
    void frame(short[] received, short[] sent) {
        if (closed) return;
        int n = received != null ? received.length : sent.length;
        short[] stereo = new short[2 * n];
        for (int i = 0; i < n; i++) {
            stereo[2 * i] = received == null ? 0 : received[i];
            stereo[2 * i + 1] = sent == null ? 0 : sent[i];
        }
        frames.add(stereo);
    }

    private void write(FileChannel file) {
        long bytes = 0;
        try (file) {
            ByteBuffer buf = ByteBuffer.allocate(4 * 160 * 16).order(ByteOrder.LITTLE_ENDIAN);
            while (true) {
                short[] f = frames.take();
                if (f == END) break;
                if (buf.remaining() < 2 * f.length) {
                    bytes += flush(file, buf);
                }
                for (short s : f) buf.putShort(s);
            }
            bytes += flush(file, buf);
            file.write(header(bytes), 0);
        } catch (IOException | InterruptedException e) {
            log.warn("recording {}: could not be written whole", path, e);
        }
    }

    private static int flush(FileChannel file, ByteBuffer buf) throws IOException {
        buf.flip();
        int n = buf.remaining();
        while (buf.hasRemaining()) file.write(buf);
        buf.clear();
        return n;
    }

    private static ByteBuffer header(long dataBytes) {
        ByteBuffer h = ByteBuffer.allocate(HEADER).order(ByteOrder.LITTLE_ENDIAN);
        h.put("RIFF".getBytes()).putInt((int) (36 + dataBytes)).put("WAVE".getBytes());
        h.put("fmt ".getBytes()).putInt(16).putShort((short) 1).putShort((short) 2)   // PCM, two channels
                .putInt(8000).putInt(8000 * 2 * 2).putShort((short) 4).putShort((short) 16);
        h.put("data".getBytes()).putInt((int) dataBytes);
        return h.flip();
    }

    /** Finishes the file (waits for queued frames to be written). */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        frames.add(END);
        try {
            writer.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
