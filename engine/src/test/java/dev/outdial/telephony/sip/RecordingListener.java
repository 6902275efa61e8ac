package dev.outdial.telephony.sip;

import dev.outdial.media.MediaListener;
import dev.outdial.telephony.CallLeg;
import dev.outdial.telephony.CallListener;
import dev.outdial.telephony.EndCause;
import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/** A test's view of one leg: its events with the time they came, and (once answered) every audio frame received. */
final class RecordingListener implements CallListener, MediaListener {
    final List<String> events = new CopyOnWriteArrayList<>();
    final CompletableFuture<EndCause> ended = new CompletableFuture<>();
    final CompletableFuture<Void> answered = new CompletableFuture<>();
    final List<Character> digits = new CopyOnWriteArrayList<>();
    private final ByteArrayOutputStream audio = new ByteArrayOutputStream();
    private final long start = System.nanoTime();
    volatile long ringingMs = -1;
    volatile long answeredMs = -1;
    volatile long endedMs = -1;
    volatile CallLeg leg;

    @Override
    public void ringing() {
        ringingMs = elapsedMs();
        events.add("ringing");
    }

    @Override
    public void answered(boolean machine) {
        answeredMs = elapsedMs();
        events.add("answered");
        if (leg != null) leg.media().listen(this);
        answered.complete(null);
    }

    @Override
    public void ended(EndCause cause) {
        endedMs = elapsedMs();
        events.add("ended");
        ended.complete(cause);
    }

    @Override
    public void audio(short[] frame) {
        synchronized (audio) {
            for (short s : frame) {
                audio.write(s & 0xff);
                audio.write((s >> 8) & 0xff);
            }
        }
    }

    @Override
    public void dtmf(char digit) {
        digits.add(digit);
    }

    /** Every received sample so far. */
    short[] samples() {
        byte[] b;
        synchronized (audio) {
            b = audio.toByteArray();
        }
        short[] s = new short[b.length / 2];
        for (int i = 0; i < s.length; i++) s[i] = (short) ((b[2 * i] & 0xff) | (b[2 * i + 1] << 8));
        return s;
    }

    private long elapsedMs() {
        return (System.nanoTime() - start) / 1_000_000;
    }
}
