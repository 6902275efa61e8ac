package dev.outdial.telephony.sip;

import dev.outdial.media.AnsweringMachineDetector;
import dev.outdial.media.AnsweringMachineDetector.Result;
import dev.outdial.media.MediaListener;
import dev.outdial.telephony.Amd;
import java.util.function.BiConsumer;

/**
 * Runs answering-machine detection on an answered call's received audio and tells the leg, once,
 * what answered; when the agent leaves messages, it also tells the leg when to start: right after
 * the beep, or after {@link #SILENCE_BEFORE_MESSAGE_MS} of silence when the greeting ends without one,
 * or at the latest {@link #LONGEST_WAIT_MS} after the decision. Runs on the media clock: it only counts
 * and hands the decisions to the leg's timer thread.
 */
final class MachineDetection implements MediaListener {
    /** Silence after a greeting that means the machine is recording although it did not beep. */
    static final int SILENCE_BEFORE_MESSAGE_MS = 2000;
    /** The longest wait for a beep or silence after a machine was detected. */
    static final int LONGEST_WAIT_MS = 30_000;

    private final AnsweringMachineDetector detector;
    private final Amd settings;
    private final BiConsumer<Result, String> decided;
    private final Runnable startMessage;
    private boolean told;
    private boolean messageStarted;
    private int sinceDecisionMs;

    MachineDetection(Amd settings, BiConsumer<Result, String> decided, Runnable startMessage) {
        this.detector = new AnsweringMachineDetector(settings.decisionTime());
        this.settings = settings;
        this.decided = decided;
        this.startMessage = startMessage;
    }

    @Override
    public void audio(short[] frame) {
        Result r = detector.offer(frame);
        if (r == null) return;
        if (!told) {
            told = true;
            decided.accept(r, detector.reason());
        }
        if (r != Result.MACHINE || settings.onMachine() != Amd.OnMachine.LEAVE_MESSAGE || messageStarted) return;
        sinceDecisionMs += frame.length / 8;
        if (detector.beepEnded() || detector.silenceMs() >= SILENCE_BEFORE_MESSAGE_MS || sinceDecisionMs >= LONGEST_WAIT_MS) {
            messageStarted = true;
            startMessage.run();
        }
    }
}
