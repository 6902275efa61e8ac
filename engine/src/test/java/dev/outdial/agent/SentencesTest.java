package dev.outdial.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SentencesTest {
    @Test
    void sentencesComeOutAsSoonAsTheyAreCompleteAcrossPieces() {
        Sentences s = new Sentences();
        List<String> out = new ArrayList<>();
        for (String piece : List.of("Hello Ana, this is", " Acme Clinic. Your visit", " is at 3.5 o'clock", "? Please", " confirm!"))
            out.addAll(s.offer(piece));
        assertThat(out).containsExactly("Hello Ana, this is Acme Clinic.", "Your visit is at 3.5 o'clock?");
        assertThat(s.flush()).isEqualTo("Please confirm!");
        assertThat(s.flush()).isNull();
    }

    @Test
    void veryShortSentencesWaitForTheNextAndLineBreaksEndOne() {
        Sentences s = new Sentences();
        assertThat(s.offer("Ok. Sure. ")).isEmpty();
        assertThat(s.offer("That works for me.\nBye")).containsExactly("Ok. Sure. That works for me.");
        assertThat(s.flush()).isEqualTo("Bye");
    }
}
