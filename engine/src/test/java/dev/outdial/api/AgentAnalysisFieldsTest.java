package dev.outdial.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.outdial.Fixture;
import dev.outdial.TestApi;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** An agent's after-the-call settings over HTTP: extraction fields and tags are checked field by field, stored, shown and patched. */
class AgentAnalysisFieldsTest {

    @Test
    void extraction_tags_and_summarize_are_stored_shown_and_patched() {
        try (Fixture f = Fixture.manual()) {
            TestApi api = f.api();
            TestApi.Answer a = api.post("/v1/agents", Map.of("name", "Clinic", "extraction", List.of(
                            Map.of("name", "visit_date", "description", "the day of the visit", "type", "date", "example", "2026-03-09",
                                    "required", true),
                            Map.of("name", "mood", "type", "enum", "values", List.of("happy", "upset")),
                            Map.of("name", "notes")),
                    "tags", List.of(Map.of("name", "confirmed", "description", "the callee confirmed"), Map.of("name", "no_show"))));
            assertThat(a.status()).as(a.text()).isEqualTo(201);
            JsonNode x = a.json().get("extraction");
            assertThat(x.findValuesAsText("name")).containsExactly("visit_date", "mood", "notes");
            assertThat(x.get(0).get("required").asBoolean()).isTrue();
            assertThat(x.get(0).get("example").asText()).isEqualTo("2026-03-09");
            assertThat(x.get(1).get("values")).extracting(JsonNode::asText).containsExactly("happy", "upset");
            assertThat(x.get(2).get("type").asText()).as("the default type").isEqualTo("string");
            assertThat(x.get(2).get("required").asBoolean()).as("optional by default").isFalse();
            assertThat(a.json().get("tags").findValuesAsText("name")).containsExactly("confirmed", "no_show");
            assertThat(a.json().has("summarize")).as("absent: the default (a summary when the agent has a model)").isFalse();

            String id = a.json().get("id").asText();
            TestApi.Answer p = api.patch("/v1/agents/" + id, Map.of("summarize", false, "tags", List.of(Map.of("name", "callback"))));
            assertThat(p.status()).as(p.text()).isEqualTo(200);
            assertThat(p.json().get("summarize").asBoolean()).isFalse();
            assertThat(p.json().get("tags").findValuesAsText("name")).containsExactly("callback");
            assertThat(p.json().get("extraction")).as("left as it was").hasSize(3);

            TestApi.Answer plain = api.patch("/v1/agents/" + id, Map.of("prompt", "Be brief."));
            assertThat(plain.json().get("extraction")).isEqualTo(p.json().get("extraction"));
            assertThat(api.get("/v1/agents/" + id).json().get("tags")).isEqualTo(p.json().get("tags"));

            TestApi.Answer none = api.post("/v1/agents", Map.of("name", "Bare"));
            assertThat(none.json().get("extraction")).isEmpty();
            assertThat(none.json().get("tags")).isEmpty();
        }
    }

    @Test
    void every_bad_extraction_field_and_tag_is_named() {
        try (Fixture f = Fixture.manual()) {
            TestApi api = f.api();
            Map<String, Object> noValues = new HashMap<>(Map.of("name", "mood", "type", "enum"));
            TestApi.Answer a = api.post("/v1/agents", Map.of("name", "Bad", "summarize", "yes", "extraction", List.of(
                            Map.of("name", "1st", "type", "money"),
                            Map.of("name", "when", "type", "date", "values", List.of("a"), "required", "yes", "colour", "red"),
                            noValues,
                            Map.of("name", "level", "type", "enum", "values", List.of("low", "low", "")),
                            Map.of("name", "when", "example", 5, "description", "x".repeat(1001)),
                            "not an object"),
                    "tags", List.of(Map.of("description", "no name"), Map.of("name", "t".repeat(65)), Map.of("name", "a"),
                            Map.of("name", "a", "weight", 2))));
            assertThat(a.status()).isEqualTo(422);
            assertThat(a.json().findValuesAsText("pointer")).containsExactlyInAnyOrder("/summarize",
                    "/extraction/0/name", "/extraction/0/type",
                    "/extraction/1/values", "/extraction/1/required", "/extraction/1/colour",
                    "/extraction/2/values",
                    "/extraction/3/values/1", "/extraction/3/values/2",
                    "/extraction/4/name", "/extraction/4/example", "/extraction/4/description",
                    "/extraction/5",
                    "/tags/0/name", "/tags/1/name", "/tags/3/name", "/tags/3/weight");
            assertThat(api.get("/v1/agents").json().get("data")).as("nothing half-written").isEmpty();

            TestApi.Answer shape = api.post("/v1/agents", Map.of("name", "Bad", "extraction", Map.of("name", "x"), "tags", "hot"));
            assertThat(shape.json().findValuesAsText("pointer")).containsExactlyInAnyOrder("/extraction", "/tags");

            String id = f.agent(Map.of("name", "Ok"));
            TestApi.Answer patch = api.patch("/v1/agents/" + id, Map.of("extraction", List.of(Map.of("name", "n", "type", "enum"))));
            assertThat(patch.status()).isEqualTo(422);
            assertThat(patch.json().findValuesAsText("pointer")).containsExactly("/extraction/0/values");
        }
    }
}
