package dev.outdial.media;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outdial.media.AnsweringMachineDetector.Result;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The detector's rules on made-up audio: noise bursts stand in for speech, a pure tone for the beep. */
class AnsweringMachineDetectorTest {
    private final Random random = new Random(7);

    private short[] speech() {
        short[] f = new short[160];
        for (int i = 0; i < f.length; i++) f[i] = (short) (random.nextGaussian() * 3000);
        return f;
    }

    private static short[] silence() {
        return new short[160];
    }

    private static short[] tone(double hz, int frameIndex) {
        short[] f = new short[160];
        for (int i = 0; i < f.length; i++) f[i] = (short) (12000 * Math.sin(2 * Math.PI * hz * (frameIndex * 160 + i) / 8000));
        return f;
    }

    /** Feeds frames until a decision; returns the decision and when (ms). */
    private record Decision(Result result, String reason, int atMs) {
    }

    private Decision run(AnsweringMachineDetector d, java.util.function.IntFunction<short[]> frameAt) {
        for (int i = 0; i < 500; i++) {
            Result r = d.offer(frameAt.apply(i));
            if (r != null) return new Decision(r, d.reason(), d.elapsedMs());
        }
        throw new AssertionError("no decision in 10 s");
    }

    @Test
    void aShortHelloThenSilenceIsAPerson() {
        // "Hello?" for 600 ms, then waiting.
        Decision d = run(new AnsweringMachineDetector(Duration.ofSeconds(4)), i -> i < 30 ? speech() : silence());
        assertThat(d.result()).isEqualTo(Result.HUMAN);
        assertThat(d.reason()).isEqualTo("short_greeting");
        assertThat(d.atMs()).isEqualTo(600 + 800);
    }

    @Test
    void aLongGreetingIsAMachine() {
        // Words of 400 ms with 100 ms gaps: one utterance, as a recorded greeting sounds.
        Decision d = run(new AnsweringMachineDetector(Duration.ofSeconds(4)), i -> i % 25 < 20 ? speech() : silence());
        assertThat(d.result()).isEqualTo(Result.MACHINE);
        assertThat(d.atMs()).isLessThanOrEqualTo(1600);
    }

    @Test
    void silenceAtTheStartIsAMachine() {
        Decision d = run(new AnsweringMachineDetector(Duration.ofSeconds(4)), i -> silence());
        assertThat(d).isEqualTo(new Decision(Result.MACHINE, "initial_silence", 2500));
    }

    @Test
    void aBeepIsAMachineAndItsEndIsNoticed() {
        AnsweringMachineDetector det = new AnsweringMachineDetector(Duration.ofSeconds(4));
        // 200 ms of speech, a 1 kHz beep of 400 ms, then silence.
        Decision d = run(det, i -> i < 10 ? speech() : i < 30 ? tone(1000, i) : silence());
        assertThat(d.result()).isEqualTo(Result.MACHINE);
        assertThat(d.reason()).isEqualTo("beep");
        assertThat(d.atMs()).isBetween(200 + 120, 200 + 160);
        assertThat(det.beepEnded()).isFalse();
        for (int i = d.atMs() / 20; i < 40; i++) det.offer(i < 30 ? tone(1000, i) : silence());
        assertThat(det.beepEnded()).isTrue();
    }

    @Test
    void speechThatNeverPausesNorRunsLongIsUndecidedAtTheDecisionTime() {
        // Alternating 300 ms of speech and 700 ms of silence: neither a greeting nor a hello-and-wait.
        AnsweringMachineDetector d = new AnsweringMachineDetector(Duration.ofMillis(1900), Duration.ofMillis(2500),
                Duration.ofMillis(1500), Duration.ofMillis(800));
        Decision r = run(d, i -> i % 50 < 15 ? speech() : silence());
        assertThat(r).isEqualTo(new Decision(Result.UNKNOWN, "undecided", 1900));
    }

    @Test
    void aToneThatIsNotABeepFrequencyIsNotABeep() {
        AnsweringMachineDetector d = new AnsweringMachineDetector(Duration.ofSeconds(4));
        Decision r = run(d, i -> i < 20 ? tone(1234, i) : silence());
        assertThat(r.reason()).isNotEqualTo("beep");
    }
}
