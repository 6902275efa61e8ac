package dev.outdial.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outdial.Fixture;
import dev.outdial.TestApi;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Invariant 6: another organization's key gets 404 on every endpoint, never the data, and changes nothing. */
class TenantWallTest {

    @Test
    void every_endpoint_answers_404_to_another_organizations_key() {
        try (Fixture f = Fixture.manual()) {
            TestApi owner = f.api();
            String agent = f.agent();
            String line = f.line(5, 1);
            TestApi.Answer b = owner.post("/v1/batches", Map.of("name", "mine", "agent_id", agent, "line_id", line,
                    "recipients", Fixture.recipients(2, 0)));
            String batch = b.json().get("id").asText();
            String call = owner.get("/v1/batches/" + batch + "/calls").json().at("/data/0/id").asText();
            String hook = owner.post("/v1/webhook-endpoints", Map.of("url", "http://127.0.0.1:9/mine")).json().get("id").asText();

            String otherOrg = f.node().organizations().createOrganization("intruder");
            TestApi other = f.api(f.node().organizations().createKey(otherOrg, "x").secret());

            List<TestApi.Answer> answers = List.of(
                    other.get("/v1/agents/" + agent),
                    other.patch("/v1/agents/" + agent, Map.of("name", "stolen")),
                    other.delete("/v1/agents/" + agent),
                    other.get("/v1/lines/" + line),
                    other.patch("/v1/lines/" + line, Map.of("max_concurrent", 99)),
                    other.delete("/v1/lines/" + line),
                    other.get("/v1/batches/" + batch),
                    other.get("/v1/batches/" + batch + "/calls"),
                    other.post("/v1/batches/" + batch + "/cancel", Map.of()),
                    other.get("/v1/calls/" + call),
                    other.get("/v1/webhook-endpoints/" + hook),
                    other.patch("/v1/webhook-endpoints/" + hook, Map.of("url", "http://127.0.0.1:9/stolen")),
                    other.post("/v1/webhook-endpoints/" + hook + "/rotate-secret", Map.of()),
                    other.get("/v1/webhook-endpoints/" + hook + "/deliveries"),
                    other.post("/v1/webhook-endpoints/" + hook + "/replay", Map.of("since", "2026-01-01T00:00:00Z")),
                    other.delete("/v1/webhook-endpoints/" + hook));
            for (TestApi.Answer a : answers) {
                assertThat(a.status()).as(a.text()).isEqualTo(404);
                assertThat(a.text()).doesNotContain("mine").doesNotContain("+1415");
            }
            // Lists show only one's own objects.
            assertThat(other.get("/v1/agents").json().get("data")).isEmpty();
            assertThat(other.get("/v1/lines").json().get("data")).isEmpty();
            assertThat(other.get("/v1/batches").json().get("data")).isEmpty();
            assertThat(other.get("/v1/webhook-endpoints").json().get("data")).isEmpty();
            // Another organization's agent and line cannot be used to submit a batch.
            TestApi.Answer sneaky = other.post("/v1/batches", Map.of("name", "x", "agent_id", agent, "line_id", line,
                    "recipients", Fixture.recipients(1, 0)));
            assertThat(sneaky.status()).isEqualTo(422);
            assertThat(sneaky.json().findValuesAsText("pointer")).containsExactlyInAnyOrder("/agent_id", "/line_id");

            // Nothing changed for the owner.
            assertThat(owner.get("/v1/agents/" + agent).json().get("name").asText()).isEqualTo("Reminder");
            assertThat(owner.get("/v1/lines/" + line).json().get("max_concurrent").asInt()).isEqualTo(5);
            assertThat(owner.get("/v1/batches/" + batch).json().get("status").asText()).isEqualTo("pending");
        }
    }

    @Test
    void requests_without_a_valid_key_are_401_and_all_three_headers_work() {
        try (Fixture f = Fixture.manual()) {
            TestApi none = new TestApi(f.node().port(), null);
            TestApi.Answer a = none.get("/v1/agents");
            assertThat(a.status()).isEqualTo(401);
            assertThat(a.header("content-type")).startsWith("application/problem+json");
            assertThat(f.api("od_wrong").get("/v1/agents").status()).isEqualTo(401);
            assertThat(none.get("/health").status()).isEqualTo(200);
            for (String header : List.of("x-api-key", "xi-api-key")) {
                var req = java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://localhost:" + f.node().port() + "/v1/agents"))
                        .header(header, f.key).build();
                try {
                    int status = java.net.http.HttpClient.newHttpClient().send(req, java.net.http.HttpResponse.BodyHandlers.ofString()).statusCode();
                    assertThat(status).as(header).isEqualTo(200);
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            }
        }
    }
}
