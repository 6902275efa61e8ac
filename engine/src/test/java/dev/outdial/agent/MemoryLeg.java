package dev.outdial.agent;

import dev.outdial.media.AnsweringMachineDetector;
import dev.outdial.media.MediaChannel;
import dev.outdial.telephony.CallLeg;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** An answered call leg in memory, for agent tests: its audio, who answered it, and whether it was hung up. */
record MemoryLeg(MemoryLine line, AnsweringMachineDetector.Result answered, CountDownLatch hungUp) implements CallLeg {
    MemoryLeg(MemoryLine line) {
        this(line, AnsweringMachineDetector.Result.HUMAN, new CountDownLatch(1));
    }

    @Override
    public void hangup() {
        hungUp.countDown();
    }

    @Override
    public MediaChannel media() {
        return line;
    }

    @Override
    public CompletableFuture<AnsweringMachineDetector.Result> answeredBy() {
        return CompletableFuture.completedFuture(answered);
    }

    boolean awaitHangup() throws InterruptedException {
        return hungUp.await(20, TimeUnit.SECONDS);
    }

    boolean wasHungUp() {
        return hungUp.getCount() == 0;
    }
}
