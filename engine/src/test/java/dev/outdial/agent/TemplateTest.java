package dev.outdial.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class TemplateTest {
    @Test
    void placeholdersAreFilledFromTheVariables() {
        assertThat(Template.render("Hi {{name}}, your visit is {{ day }} at {{time}}.", Map.of("name", "Ana", "day", "Monday", "time", 9)))
                .isEqualTo("Hi Ana, your visit is Monday at 9.");
    }

    @Test
    void unknownPlaceholdersBecomeEmptyAndReplacementTextIsTakenLiterally() {
        assertThat(Template.render("{{missing}}Pay $5 {{who}}", Map.of("who", "$1 \\\\ you"))).isEqualTo("Pay $5 $1 \\\\ you");
        assertThat(Template.render(null, Map.of())).isNull();
    }
}
