package dev.outdial.telephony;

import dev.outdial.media.AnsweringMachineDetector;
import dev.outdial.media.MediaChannel;
import java.util.concurrent.CompletableFuture;

/** A leg in progress; hanging up ends it with {@link EndCause.Kind#HANGUP} (or CANCEL before answer). */
public interface CallLeg {
    void hangup();

    /** Blind-transfers the answered call to {@code target} (an E.164 number or a SIP URI); on success the leg ends as {@code transferred}. */
    default CompletableFuture<Transfer> transfer(String target) {
        return CompletableFuture.completedFuture(Transfer.UNSUPPORTED);
    }

    /** The call's audio once it is answered (before: early media at most); carriers without media have {@link MediaChannel#NONE}. */
    default MediaChannel media() {
        return MediaChannel.NONE;
    }

    /**
     * Who answered, by answering-machine detection: completes once decided (within the agent's decision time)
     * or when the call ends first; UNKNOWN when detection is off or could not tell.
     */
    default CompletableFuture<AnsweringMachineDetector.Result> answeredBy() {
        return CompletableFuture.completedFuture(AnsweringMachineDetector.Result.UNKNOWN);
    }

    /** A callee who talks in text (the simulated carrier's persona), or null: the callee talks through {@link #media()}. */
    default TextCallee textCallee() {
        return null;
    }
}
