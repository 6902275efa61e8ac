package dev.outdial.agent.llm;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The built-in demo rules: each documented rule answers its phrase, streams its text and ends the call where it says. */
class RuleBasedLlmTest {
    final RuleBasedLlm rules = new RuleBasedLlm();
    final List<Tool> tools = List.of(new Tool("end_call", "hang up", java.util.Map.of()));

    Turn answer(String... turns) {
        List<ChatMessage> messages = new ArrayList<>(List.of(ChatMessage.system("You remind people."),
                ChatMessage.assistant("Hi, this is Acme about Monday at 10.", List.of())));
        for (int i = 0; i < turns.length; i++) {
            messages.add(i % 2 == 0 ? ChatMessage.user(turns[i]) : ChatMessage.assistant(turns[i], List.of()));
        }
        StringBuilder streamed = new StringBuilder();
        Turn t = rules.complete(messages, tools, streamed::append);
        assertThat(streamed.toString()).isEqualTo(t.text());
        return t;
    }

    static boolean ends(Turn t) {
        return t.toolCalls().stream().anyMatch(c -> c.name().equals("end_call"));
    }

    @Test
    void eachRuleAnswersItsPhrase() {
        assertThat(answer("Sorry, wrong number.").text()).startsWith("I'm sorry for the trouble");
        assertThat(answer("I'm not interested.").text()).contains("won't call you again");
        assertThat(answer("I'm driving, call me back.").text()).contains("call you back later");
        assertThat(answer("Can I talk to a human?").text()).contains("member of our team");
        assertThat(answer("Yes, I'll be there.").text()).isEqualTo("Wonderful, thank you. Goodbye!");
        assertThat(answer("No, that's all.").text()).isEqualTo("Thank you for your time. Goodbye!");
        assertThat(answer("What time?").text()).isEqualTo("Let me repeat: Hi, this is Acme about Monday at 10. Does that still work for you?");
    }

    @Test
    void aMoveAsksForADayThenConfirmsTheDayNamed() {
        Turn ask = answer("I can't make it, can we reschedule?");
        assertThat(ask.text()).isEqualTo("Of course. Which day and time would suit you better?");
        assertThat(ends(ask)).isFalse();
        Turn noted = answer("I can't make it, can we reschedule?", ask.text(), "Friday morning works.");
        assertThat(noted.text()).isEqualTo("Great, I've noted Friday morning. Thank you, goodbye!");
        assertThat(ends(noted)).isTrue();
        assertThat(answer("Friday morning works.").text()).as("a day without a move asked for is a plain yes").startsWith("Wonderful");
    }

    @Test
    void wordsAreMatchedWhole_andNonsenseIsAskedAgainThenTheCallEnds() {
        assertThat(answer("Nobody knows.").text()).as("'no' inside 'nobody' is not a no").isEqualTo("Sorry, could you say that again?");
        Turn again = answer("Blah.", "Sorry, could you say that again?", "Blah blah.");
        assertThat(again.text()).contains("trouble understanding");
        assertThat(ends(again)).isTrue();
        assertThat(ends(answer("Blah."))).isFalse();
    }

    @Test
    void withoutTheEndCallToolOfferedNoToolIsCalled() {
        Turn t = rules.complete(List.of(ChatMessage.user("yes")), List.of(), s -> { });
        assertThat(t.toolCalls()).isEmpty();
        assertThat(t.finishReason()).isEqualTo("stop");
    }
}
