package dev.outdial.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.ZoneId;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PromptVariablesTest {
    private static final Instant NOW = Instant.parse("2026-03-09T15:30:00Z"); // a Monday

    @Test
    void theCallsOwnValuesWinThenTheBatchThenTheAgentThenTheBuiltIns() {
        Map<String, Object> v = PromptVariables.resolve(
                Map.of("name", "Ana", "recipient_number", "overridden"),
                Map.of("name", "Batch name", "clinic", "North", "slot", "9:00"),
                Map.of("name", "Agent default", "clinic", "Main", "slot", "8:00", "tone", "warm"),
                "+14155550123", "+14155552671", ZoneId.of("America/Chicago"), NOW, 2);
        assertThat(v).containsEntry("name", "Ana").containsEntry("clinic", "North").containsEntry("slot", "9:00")
                .containsEntry("tone", "warm").containsEntry("recipient_number", "overridden")
                .containsEntry("caller_number", "+14155552671").containsEntry("attempt_number", 2)
                .containsEntry("local_date", "2026-03-09").containsEntry("local_time", "10:30").containsEntry("local_weekday", "Monday");
        assertThat(Template.render("{{local_weekday}} {{local_time}}: {{name}} at {{clinic}}", v)).isEqualTo("Monday 10:30: Ana at North");
    }

    @Test
    void withoutAZoneTheLocalValuesAreAbsentAndTemplatesListTheirPlaceholders() {
        Map<String, Object> v = PromptVariables.resolve(null, null, null, "+1", "+2", null, NOW, 1);
        assertThat(v).doesNotContainKeys("local_date", "local_time", "local_weekday");
        assertThat(Template.placeholders("{{a}} {{ b }} {{a}}")).containsExactly("a", "b");
        assertThat(Template.unknown("Hi {{name}}, it is {{local_time}} {{nmae}}", java.util.Set.of("name", "local_time")))
                .containsExactly("nmae");
    }
}
