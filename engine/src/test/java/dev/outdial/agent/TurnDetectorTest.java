package dev.outdial.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outdial.agent.TurnDetector.Event;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Turns on made-up audio: noise bursts are speech, a low hiss is the line. */
class TurnDetectorTest {
    private final Random random = new Random(3);

    private short[] noise(double amplitude) {
        short[] f = new short[160];
        for (int i = 0; i < f.length; i++) f[i] = (short) (random.nextGaussian() * amplitude);
        return f;
    }

    /** The events of a stream of frames, with the frame index each happened at. */
    private List<String> run(TurnDetector d, List<short[]> frames) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < frames.size(); i++) {
            Event e = d.offer(frames.get(i));
            if (e != Event.NONE) out.add(e + "@" + i);
        }
        return out;
    }

    private List<short[]> frames(int silence1, int speech, int silence2, double hiss) {
        List<short[]> f = new ArrayList<>();
        for (int i = 0; i < silence1; i++) f.add(noise(hiss));
        for (int i = 0; i < speech; i++) f.add(noise(3000));
        for (int i = 0; i < silence2; i++) f.add(noise(hiss));
        return f;
    }

    @Test
    void aTurnStartsAfterMinSpeechAndEndsAfterTheSilenceWithItsAudioKept() {
        TurnDetector d = TurnDetector.defaults(); // 160 ms to start, 600 ms to end
        List<String> events = run(d, frames(20, 40, 40, 0));
        assertThat(events).containsExactly("SPEECH_STARTED@27", "TURN_ENDED@89");
        // 10 frames of pre-roll (two of silence, eight of speech) + the rest of the speech; trailing silence dropped.
        assertThat(d.utterance().length).isEqualTo(160 * (2 + 40));
        assertThat(d.speaking()).isFalse();
    }

    @Test
    void aClickOrShortNoiseIsNotATurnAndAShortPauseDoesNotEndOne() {
        TurnDetector d = TurnDetector.defaults();
        List<short[]> f = frames(10, 5, 20, 0);          // 100 ms burst: not speech
        f.addAll(frames(0, 30, 15, 0));                   // speech, a 300 ms pause…
        f.addAll(frames(0, 20, 40, 0));                   // …and more speech: one turn
        List<String> events = run(d, f);
        assertThat(events).hasSize(2);
        assertThat(events.get(0)).startsWith("SPEECH_STARTED");
        assertThat(events.get(1)).startsWith("TURN_ENDED");
    }

    @Test
    void steadyLineNoiseBecomesTheFloorAndSpeechStillStandsOut() {
        TurnDetector d = new TurnDetector(Duration.ofMillis(160), Duration.ofMillis(600));
        // Five seconds of hiss well above digital silence: at most one false turn while the floor settles…
        List<String> early = run(d, frames(250, 0, 0, 300));
        assertThat(early.size()).isLessThanOrEqualTo(2);
        assertThat(d.speaking()).as("the hiss is the floor by now").isFalse();
        // …then speech over the same hiss is a turn.
        List<String> events = run(d, frames(0, 40, 40, 300));
        assertThat(events).hasSize(2);
        assertThat(events.get(1)).startsWith("TURN_ENDED");
    }

    @Test
    void aCalleeWhoNeverPausesIsCutIntoLongTurns() {
        TurnDetector d = TurnDetector.defaults();
        // Talking for 31 s with only the 20 ms dips between syllables (every tenth frame), never a real pause.
        List<short[]> talk = new ArrayList<>();
        for (int i = 0; i < TurnDetector.MAX_UTTERANCE_FRAMES + 50; i++) talk.add(i % 10 == 9 ? noise(0) : noise(3000));
        List<String> events = run(d, talk);
        assertThat(events).startsWith("SPEECH_STARTED@7", "TURN_ENDED@" + (TurnDetector.MAX_UTTERANCE_FRAMES - 1));
    }
}
