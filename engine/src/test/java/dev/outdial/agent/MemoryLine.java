package dev.outdial.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outdial.media.MediaChannel;
import dev.outdial.media.MediaListener;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A call's audio in memory, for agent tests: what is played is kept and completes at once, or, while
 * {@link #hold} is set, stays playing until the test finishes it or playback is stopped. The test feeds
 * received audio to the {@link #listener} itself.
 */
final class MemoryLine implements MediaChannel {
    final List<short[]> played = new CopyOnWriteArrayList<>();
    final List<CompletableFuture<Boolean>> pending = new CopyOnWriteArrayList<>();
    final AtomicInteger stops = new AtomicInteger();
    volatile MediaListener listener;
    volatile boolean hold;

    @Override
    public CompletableFuture<Boolean> play(short[] pcm) {
        played.add(pcm);
        CompletableFuture<Boolean> f = new CompletableFuture<>();
        if (hold) pending.add(f);
        else f.complete(true);
        return f;
    }

    /** The held audio has been sent whole. */
    void finishPlaying() {
        pending.forEach(f -> f.complete(true));
        pending.clear();
    }

    @Override
    public void stopPlayback() {
        stops.incrementAndGet();
        pending.forEach(f -> f.complete(false));
        pending.clear();
    }

    @Override
    public boolean playing() {
        return pending.stream().anyMatch(f -> !f.isDone());
    }

    @Override
    public void listen(MediaListener l) {
        listener = l;
    }

    @Override
    public void sendDtmf(String digits) {
    }

    /** The listener, once one has been added (generous wait). */
    MediaListener awaitListener() throws InterruptedException {
        for (int i = 0; i < 2000 && listener == null; i++) Thread.sleep(10);
        assertThat(listener).as("someone listens to the call").isNotNull();
        return listener;
    }
}
