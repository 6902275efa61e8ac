package dev.outdial.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.standardwebhooks.Webhook;
import com.standardwebhooks.exceptions.WebhookVerificationException;
import dev.outdial.Fixture;
import dev.outdial.Outdial;
import dev.outdial.TestApi;
import dev.outdial.TestClock;
import dev.outdial.config.OutdialConfig.DispatchSettings;
import dev.outdial.config.OutdialConfig.SimulatedSettings;
import dev.outdial.config.WebhookSettings;
import dev.outdial.store.Outbox;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Webhook delivery against real HTTP receivers on localhost, on a controlled clock kept near real time (signatures carry it). */
class WebhookDeliveryTest {
    private final TestClock clock = new TestClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
    private final List<Receiver> receivers = new ArrayList<>();
    private Fixture f;

    @AfterEach
    void tearDown() {
        receivers.forEach(Receiver::close);
        if (f != null) f.close();
    }

    private Receiver receiver(Receiver r) {
        receivers.add(r);
        return r;
    }

    private Outdial node(String name, WebhookSettings settings) {
        return f.startNode(name, DispatchSettings.defaults().withEnabled(false), SimulatedSettings.defaults(), null, settings);
    }

    private static WebhookSettings settings() {
        return Fixture.manualWebhooks().withRetrySchedule(List.of(Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(20)));
    }

    /** Creates an endpoint through the API and answers {id, secret}. */
    private String[] endpoint(TestApi api, String url, List<String> types) {
        Map<String, Object> body = new HashMap<>(Map.of("url", url, "description", "CRM"));
        if (types != null) body.put("event_types", types);
        TestApi.Answer a = api.post("/v1/webhook-endpoints", body);
        assertThat(a.status()).as(a.text()).isEqualTo(201);
        return new String[] {a.json().get("id").asText(), a.json().get("secret").asText()};
    }

    private void events(int n, String type) {
        f.db.tx(c -> {
            List<Outbox.Event> events = new ArrayList<>();
            for (int i = 0; i < n; i++) events.add(new Outbox.Event(f.orgId, type, "cal_x" + i, Map.of("call_id", "cal_x" + i, "n", i)));
            Outbox.write(c, clock.instant(), events);
            return null;
        });
    }

    private static void verify(String secret, Receiver.Request r) throws Exception {
        new Webhook(secret).verify(r.body(), r.headers());
    }

    @Test
    void a_receiver_that_is_down_then_failing_then_back_gets_every_event_with_one_id_and_a_valid_signature_on_every_attempt()
            throws Exception {
        f = Fixture.manual(clock);
        Outdial node = node("hooks", settings());
        Receiver receiver = receiver(Receiver.reserved()); // nothing listens yet
        String[] ep = endpoint(f.api(), receiver.url(), null);
        events(3, "call.finished");

        assertThat(node.webhooks().deliverDue()).as("first attempts: connection refused").isEqualTo(3);
        assertThat(f.sql("select count(*) from webhook_delivery where status = 'pending' and attempts = 1")).isEqualTo("3");
        assertThat(node.webhooks().deliverDue()).as("not due again before the first wait").isZero();

        receiver.start().answer(500);
        clock.advance(Duration.ofSeconds(5));
        assertThat(node.webhooks().deliverDue()).isEqualTo(3);
        assertThat(receiver.requests).hasSize(3);

        receiver.answer(204);
        clock.advance(Duration.ofSeconds(10));
        assertThat(node.webhooks().deliverDue()).isEqualTo(3);
        assertThat(f.sql("select count(*) from webhook_delivery where status = 'succeeded' and attempts = 3")).isEqualTo("3");

        Map<String, Integer> perId = new HashMap<>();
        for (Receiver.Request r : receiver.requests) {
            verify(ep[1], r);
            perId.merge(r.header("webhook-id"), 1, Integer::sum);
            assertThat(r.body()).startsWith("{\"type\":\"call.finished\"");
        }
        assertThat(perId).hasSize(3).allSatisfy((id, n) -> assertThat(n).isEqualTo(2));
        assertThat(perId.keySet()).containsExactlyInAnyOrderElementsOf(
                List.of(f.sql("select string_agg(event_id, ',' order by seq) from outbox").split(",")));

        TestApi.Answer deliveries = f.api().get("/v1/webhook-endpoints/" + ep[0] + "/deliveries");
        assertThat(deliveries.json().get("data")).hasSize(3);
        assertThat(deliveries.json().at("/data/0/history")).hasSize(3);
        assertThat(deliveries.json().at("/data/0/history/1/status_code").asInt()).isEqualTo(500);
        assertThat(deliveries.json().at("/data/0/history/0/error").asText()).contains("Connect");
    }

    @Test
    void after_the_last_retry_a_delivery_fails_and_replay_sends_it_again() throws Exception {
        f = Fixture.manual(clock);
        Outdial node = node("hooks", settings());
        Receiver receiver = receiver(Receiver.started().answer(503));
        String[] ep = endpoint(f.api(), receiver.url(), null);
        events(1, "batch.completed");
        Instant since = clock.instant();
        for (Duration wait : List.of(Duration.ZERO, Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(20))) {
            clock.advance(wait);
            assertThat(node.webhooks().deliverDue()).isEqualTo(1);
        }
        assertThat(f.sql("select status || '/' || attempts from webhook_delivery")).isEqualTo("failed/4");
        receiver.answer(200);
        TestApi.Answer replay = f.api().post("/v1/webhook-endpoints/" + ep[0] + "/replay", Map.of("since", since.toString()));
        assertThat(replay.json().get("requeued").asInt()).isEqualTo(1);
        assertThat(node.webhooks().deliverDue()).isEqualTo(1);
        assertThat(f.sql("select status from webhook_delivery")).isEqualTo("succeeded");
        assertThat(receiver.requests.stream().map(r -> r.header("webhook-id")).distinct()).hasSize(1);
    }

    @Test
    void a_node_that_dies_after_claiming_leaves_the_delivery_to_another_node_after_its_lease() {
        f = Fixture.manual(clock);
        Outdial dying = node("dying", settings());
        Outdial survivor = node("survivor", settings());
        Receiver receiver = receiver(Receiver.started());
        String[] ep = endpoint(f.api(), receiver.url(), null);
        events(1, "call.finished");

        assertThat(dying.webhooks().claim(ep[0], 10, clock.instant())).hasSize(1); // claimed, then the node is gone before sending
        assertThat(survivor.webhooks().deliverDue()).as("held under the dead node's lease").isZero();
        assertThat(survivor.webhooks().expireLeases()).isZero();

        clock.advance(Duration.ofSeconds(61));
        assertThat(survivor.webhooks().expireLeases()).isEqualTo(1);
        assertThat(survivor.webhooks().deliverDue()).isEqualTo(1);
        assertThat(receiver.requests).hasSize(1);
        assertThat(f.sql("select status || '/' || attempts from webhook_delivery")).isEqualTo("succeeded/2");
    }

    @Test
    void a_hanging_receiver_holds_only_its_own_slots_and_never_delays_a_healthy_one() throws Exception {
        f = Fixture.manual(clock);
        Outdial node = node("hooks", settings());
        int slots = settings().perEndpointConcurrency();
        Receiver slow = receiver(Receiver.started().hang());
        Receiver fast = receiver(Receiver.started());
        endpoint(f.api(), slow.url(), null);
        endpoint(f.api(), fast.url(), null);
        int n = slots + 10;
        events(n, "call.finished");

        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (fast.requests.size() < n && System.nanoTime() < deadline) { // rounds, as the loop runs them
            node.webhooks().startDue();
            Thread.sleep(10);
        }
        assertThat(fast.requests).as("the healthy receiver got everything while the other hangs").hasSize(n);
        assertThat(slow.requests.size()).as("the hanging one holds at most its slots").isLessThanOrEqualTo(slots);
        assertThat(f.sql("select count(*) from webhook_delivery d join webhook_endpoint e on e.id = d.endpoint_id"
                + " where e.url = '" + slow.url() + "' and d.status = 'delivering'")).isEqualTo(Integer.toString(slots));
        slow.release();
    }

    @Test
    void signatures_verify_with_the_standard_webhooks_library_and_a_tampered_body_or_an_old_timestamp_fails() throws Exception {
        f = Fixture.manual(clock);
        Outdial node = node("hooks", settings());
        Receiver receiver = receiver(Receiver.started());
        String[] ep = endpoint(f.api(), receiver.url(), null);
        events(1, "call.finished");
        node.webhooks().deliverDue();
        Receiver.Request r = receiver.requests.get(0);
        verify(ep[1], r);
        assertThat(r.header("webhook-signature")).startsWith("v1,");
        assertThat(ep[1]).startsWith("whsec_");

        Receiver.Request tampered = new Receiver.Request(r.headers(), r.body().replace("call.finished", "call.finishes"));
        assertThatThrownBy(() -> verify(ep[1], tampered)).isInstanceOf(WebhookVerificationException.class);
        assertThatThrownBy(() -> new Webhook("whsec_" + java.util.Base64.getEncoder().encodeToString(new byte[24])).verify(r.body(), r.headers()))
                .as("another secret").isInstanceOf(WebhookVerificationException.class);

        clock.set(Instant.now().minus(Duration.ofMinutes(10))); // a message signed ten minutes ago: a replay
        events(1, "call.finished");
        node.webhooks().deliverDue();
        Receiver.Request old = receiver.requests.get(1);
        assertThat(Long.parseLong(old.header("webhook-timestamp"))).as("signed ten minutes ago")
                .isLessThan(Instant.now().minus(Duration.ofMinutes(9)).getEpochSecond());
        assertThatThrownBy(() -> verify(ep[1], old)).isInstanceOf(WebhookVerificationException.class);
    }

    @Test
    void after_a_rotation_both_secrets_sign_during_the_grace_period_then_only_the_new_one() throws Exception {
        f = Fixture.manual(clock);
        Outdial node = node("hooks", settings());
        Receiver receiver = receiver(Receiver.started());
        String[] ep = endpoint(f.api(), receiver.url(), null);
        TestApi.Answer rotated = f.api().post("/v1/webhook-endpoints/" + ep[0] + "/rotate-secret", Map.of("grace_seconds", 60));
        String fresh = rotated.json().get("secret").asText();
        assertThat(fresh).startsWith("whsec_").isNotEqualTo(ep[1]);
        assertThat(f.api().get("/v1/webhook-endpoints/" + ep[0]).json().has("secret")).as("shown once").isFalse();

        events(1, "call.finished");
        node.webhooks().deliverDue();
        Receiver.Request during = receiver.requests.get(0);
        assertThat(during.header("webhook-signature").split(" ")).hasSize(2);
        verify(ep[1], during);
        verify(fresh, during);

        clock.advance(Duration.ofSeconds(61));
        events(1, "call.finished");
        node.webhooks().deliverDue();
        Receiver.Request after = receiver.requests.get(1);
        verify(fresh, after);
        assertThatThrownBy(() -> verify(ep[1], after)).isInstanceOf(WebhookVerificationException.class);
    }

    @Test
    void an_abort_message_answer_stops_the_retries_and_filters_choose_the_events() {
        f = Fixture.manual(clock);
        Outdial node = node("hooks", settings());
        Receiver aborting = receiver(Receiver.started().answer(410).abortMessages());
        Receiver onlyBatches = receiver(Receiver.started());
        endpoint(f.api(), aborting.url(), null);
        endpoint(f.api(), onlyBatches.url(), List.of("batch.completed"));
        events(2, "call.finished");
        events(1, "batch.completed");
        assertThat(node.webhooks().deliverDue()).isEqualTo(4);
        clock.advance(Duration.ofHours(1));
        assertThat(node.webhooks().deliverDue()).as("aborted messages are not retried").isZero();
        assertThat(f.sql("select count(*) from webhook_delivery where status = 'aborted'")).isEqualTo("3");
        assertThat(onlyBatches.requests).hasSize(1);
        assertThat(onlyBatches.requests.get(0).body()).contains("batch.completed");
    }

    @Test
    void an_agents_hooks_get_only_that_agents_events_with_their_custom_headers() throws Exception {
        f = Fixture.manual(clock);
        Outdial node = node("hooks", settings());
        Receiver crm = receiver(Receiver.started());
        TestApi api = f.api();
        TestApi.Answer created = api.post("/v1/agents", Map.of("name", "With hooks", "prompt", "Hi {{name}}",
                "variables", List.of(Map.of("name", "name", "type", "string")),
                "hooks", List.of(Map.of("url", crm.url(), "headers", List.of(Map.of("key", "X-Api-Key", "value", "abc"))))));
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        String hooked = created.json().get("id").asText();
        assertThat(created.json().at("/hooks/0/headers/0/key").asText()).isEqualTo("X-Api-Key");
        String plain = f.agent();
        String line = f.line(5, 5);
        String mine = api.post("/v1/batches", Map.of("name", "mine", "agent_id", hooked, "line_id", line,
                "recipients", List.of(Map.of("phone_number", "+14155552670", "variables", Map.of("name", "A"))))).json().get("id").asText();
        String theirs = api.post("/v1/batches", Map.of("name", "theirs", "agent_id", plain, "line_id", line,
                "recipients", List.of(Map.of("phone_number", "+14155552671", "variables", Map.of("name", "B"))))).json().get("id").asText();
        node.webhooks().deliverDue();
        assertThat(crm.requests).isNotEmpty();
        for (Receiver.Request r : crm.requests) {
            assertThat(r.header("X-Api-Key")).isEqualTo("abc");
            assertThat(r.body()).contains(mine).doesNotContain(theirs);
        }

        TestApi.Answer dial = api.post("/api/v1/dial/outbound", Map.of("use_case_id", hooked, "number_id", line,
                "phone_number", "+14155552672", "params", Map.of("name", "C")));
        assertThat(dial.json().at("/use_case/hooks/0/url").asText()).isEqualTo(crm.url());

        TestApi.Answer bad = api.patch("/v1/agents/" + hooked, Map.of("hooks", List.of(Map.of("url", crm.url(),
                "headers", List.of(Map.of("key", "webhook-id", "value", "forged"))))));
        assertThat(bad.status()).isEqualTo(422);
        assertThat(bad.json().at("/errors/0/pointer").asText()).isEqualTo("/hooks/0/headers/0/key");
        TestApi.Answer none = api.patch("/v1/agents/" + hooked, Map.of("hooks", List.of()));
        assertThat(none.json().get("hooks")).isEmpty();
    }

    @Test
    void a_receiver_that_stalls_in_the_middle_of_its_answer_times_out_and_frees_its_slot() {
        f = Fixture.manual(clock);
        Outdial node = node("hooks", settings().withRequestTimeout(Duration.ofSeconds(1)));
        Receiver stalling = receiver(Receiver.started().stallBody());
        endpoint(f.api(), stalling.url(), null);
        events(1, "call.finished");
        assertThat(node.webhooks().deliverDue()).as("returns: the body read is bounded by the request timeout").isEqualTo(1);
        assertThat(f.sql("select status || ': ' || last_error from webhook_delivery")).startsWith("pending: timeout").contains("body");
    }

    @Test
    void a_redirect_is_not_followed_but_counted_as_a_failure() {
        f = Fixture.manual(clock);
        Outdial node = node("hooks", settings());
        Receiver target = receiver(Receiver.started());
        Receiver redirecting = receiver(Receiver.started().answer(307).location(target.url()));
        endpoint(f.api(), redirecting.url(), null);
        events(1, "call.finished");
        assertThat(node.webhooks().deliverDue()).isEqualTo(1);
        assertThat(target.requests).as("never followed").isEmpty();
        assertThat(f.sql("select status || '/' || last_status_code from webhook_delivery")).isEqualTo("pending/307");
    }

    @Test
    void urls_inside_the_network_are_refused_unless_their_host_is_allowed() {
        f = Fixture.manual(clock);
        WebhookEndpoints strict = new WebhookEndpoints(f.db, clock, Set.of());
        for (String url : List.of("http://127.0.0.1:8080/x", "http://localhost/x", "http://10.1.2.3/x", "http://192.168.0.10/x",
                "http://169.254.169.254/latest/meta-data", "http://[::1]/x", "ftp://example.com/x", "http://user:pw@example.com/x")) {
            assertThatThrownBy(() -> strict.create(f.orgId, new WebhookEndpoints.Spec(url, null, null, null)))
                    .as(url).isInstanceOf(dev.outdial.campaign.InvalidInputException.class);
        }
        WebhookEndpoints allowing = new WebhookEndpoints(f.db, clock, Set.of("127.0.0.1"));
        assertThat(allowing.create(f.orgId, new WebhookEndpoints.Spec("http://127.0.0.1:8080/x", null, null, null)).secret())
                .startsWith("whsec_");
        TestApi.Answer bad = f.api().post("/v1/webhook-endpoints", Map.of("url", "http://10.0.0.1/hook"));
        assertThat(bad.status()).isEqualTo(422);
        assertThat(bad.json().at("/errors/0/pointer").asText()).isEqualTo("/url");
    }

    @Test
    void an_endpoint_failing_for_five_days_is_disabled_with_an_operational_event() {
        f = Fixture.manual(clock);
        WebhookSettings s = Fixture.manualWebhooks().withRetrySchedule(List.of(Duration.ofDays(3), Duration.ofDays(3)));
        Outdial node = node("hooks", s);
        Receiver down = receiver(Receiver.started().answer(500));
        String[] ep = endpoint(f.api(), down.url(), null);
        events(1, "call.finished");
        node.webhooks().deliverDue();
        clock.advance(Duration.ofDays(3));
        node.webhooks().deliverDue();
        assertThat(f.api().get("/v1/webhook-endpoints/" + ep[0]).json().get("enabled").asBoolean()).isTrue();
        clock.advance(Duration.ofDays(3));
        node.webhooks().deliverDue();
        TestApi.Answer after = f.api().get("/v1/webhook-endpoints/" + ep[0]);
        assertThat(after.json().get("enabled").asBoolean()).isFalse();
        assertThat(after.json().get("disabled_reason").asText()).startsWith("failing since");
        assertThat(f.sql("select count(*) from outbox where type = 'webhook_endpoint.disabled'")).isEqualTo("1");
        Set<String> seen = new HashSet<>();
        down.requests.forEach(r -> seen.add(r.header("webhook-id")));
        assertThat(seen).hasSize(1);
    }
}
