package dev.outdial.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.outdial.Fixture;
import dev.outdial.TestApi;
import dev.outdial.TestClock;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Invariant 3 end to end on a controlled clock: windows in every zone, at intake, at claim and on retry. */
class LawfulTimingTest {
    /** A San Francisco number: libphonenumber places it in America/Los_Angeles alone. */
    private static final String SF = "+14155552670";
    private static final String SF_BUSY = "+14155552676";

    private TestClock clock;
    private Fixture f;

    @AfterEach
    void tearDown() {
        if (f != null) f.close();
    }

    private void start(String isoNow) {
        clock = TestClock.at(isoNow);
        f = Fixture.manual(clock);
        f.quietHours(true);
    }

    private String submit(String agent, String line, List<Map<String, Object>> recipients, Map<String, Object> extra) {
        Map<String, Object> b = new HashMap<>(extra);
        b.put("name", "B");
        b.put("agent_id", agent);
        b.put("line_id", line);
        b.put("recipients", recipients);
        TestApi.Answer a = f.api().post("/v1/batches", b);
        assertThat(a.status()).as(a.text()).isEqualTo(201);
        return a.json().get("id").asText();
    }

    private static Map<String, Object> person(String number) {
        return Map.of("phone_number", number, "variables", Map.of("name", "P"));
    }

    private JsonNode onlyCall(String batch) {
        String id = f.api().get("/v1/batches/" + batch + "/calls").json().at("/data/0/id").asText();
        return f.api().get("/v1/calls/" + id).json();
    }

    private String sql(String q) {
        return f.db.read(c -> {
            try (ResultSet rs = c.createStatement().executeQuery(q)) {
                return rs.next() ? rs.getString(1) : null;
            }
        });
    }

    @Test
    void a_batch_submitted_at_22_local_is_not_dialed_until_08() {
        start("2026-03-03T06:00:00Z"); // 22:00 PST on Monday 2 March
        String batch = submit(f.agent(), f.line(5, 5), List.of(person(SF)), Map.of());
        JsonNode call = onlyCall(batch);
        assertThat(call.get("due_at").asText()).isEqualTo("2026-03-03T16:00:00Z"); // 08:00 PST
        assertThat(call.get("zones").get(0).asText()).isEqualTo("America/Los_Angeles");
        assertThat(call.get("wait_reason").asText())
                .isEqualTo("outside the calling window in America/Los_Angeles until 2026-03-03 08:00 local");
        assertThat(call.at("/window/quiet_hours_guard").asBoolean()).isTrue();
        assertThat(call.at("/window/effective/tue/0/start").asText()).isEqualTo("08:00");

        assertThat(f.node().dispatcher().claimDue()).isZero();
        clock.set(Instant.parse("2026-03-03T15:59:58.999Z"));
        assertThat(f.node().dispatcher().claimDue()).as("more than the slot horizon (1 s) ahead").isZero();
        clock.set(Instant.parse("2026-03-03T15:59:59.500Z"));
        assertThat(f.node().dispatcher().claimDue()).as("claimed ahead, within the horizon").isEqualTo(1);
        assertThat(dialAt(batch)).isEqualTo("2026-03-03T16:00:00Z");
        assertThat(f.node().dispatcher().startDue()).as("never dialed before its slot").isZero();
        clock.set(Instant.parse("2026-03-03T16:00:00Z"));
        assertThat(f.node().dispatcher().startDue()).isEqualTo(1);
    }

    /** The dial slot the claim gave the batch's only call, as ISO text. */
    private String dialAt(String batch) {
        return f.db.read(c -> {
            try (ResultSet rs = c.createStatement().executeQuery("select a.dial_at from call_attempt a join call c on c.id = a.call_id"
                    + " where c.batch_id = '" + batch + "' order by a.attempt desc limit 1")) {
                return rs.next() ? rs.getTimestamp(1).toInstant().toString() : null;
            }
        });
    }

    @Test
    void a_batch_window_overrides_the_agents_at_intake_claim_and_in_the_api() {
        start("2026-03-03T18:00:00Z"); // Tuesday 10:00 PST
        Map<String, Object> window = Map.of("work_start", "14:00", "work_end", "16:00");
        String batch = submit(f.agent(), f.line(5, 5), List.of(person(SF)), Map.of("calling_window", window,
                "retry_policy", Map.of("max_attempts", 2, "delay_seconds", Map.of("busy", 5))));
        TestApi.Answer b = f.api().get("/v1/batches/" + batch);
        assertThat(b.json().at("/calling_window/tue/0/start").asText()).isEqualTo("14:00");
        assertThat(b.json().at("/retry_policy/max_attempts").asInt()).isEqualTo(2);
        JsonNode call = onlyCall(batch);
        assertThat(call.get("due_at").asText()).isEqualTo("2026-03-03T22:00:00Z"); // 14:00 PST
        assertThat(call.at("/window/source").asText()).isEqualTo("batch");
        // Even if the call were due now, the claim would hold it to the batch's window.
        f.db.tx(c -> c.createStatement().executeUpdate("update call set due_at = '2026-03-03T18:00:00Z'"));
        assertThat(f.node().dispatcher().claimDue()).isZero();
        assertThat(onlyCall(batch).get("due_at").asText()).isEqualTo("2026-03-03T22:00:00Z");
    }

    @Test
    void an_organization_that_turns_the_guard_off_is_dialed_at_once() {
        start("2026-03-03T06:00:00Z");
        TestApi.Answer off = f.api().patch("/v1/organization", Map.of("quiet_hours_guard", false));
        assertThat(off.json().get("quiet_hours_guard").asBoolean()).isFalse();
        submit(f.agent(), f.line(5, 5), List.of(person(SF)), Map.of());
        assertThat(f.node().dispatcher().claimDue()).isEqualTo(1);
    }

    @Test
    void a_number_with_several_zones_is_dialed_only_when_all_allow_it() {
        String aussieMobile = "+61412345678";
        List<ZoneId> zones = TimezoneResolver.forNumber(aussieMobile);
        assertThat(zones).as("libphonenumber gives an Australian mobile every Australian zone").hasSizeGreaterThan(1);
        // 2026-06-01T22:00Z is 08:00 in Sydney but 06:00 in Perth (UTC+8): Perth opens last, at 00:00Z.
        start("2026-06-01T22:00:00Z");
        String batch = submit(f.agent(), f.line(5, 5), List.of(person(aussieMobile)), Map.of());
        JsonNode call = onlyCall(batch);
        assertThat(call.get("zone_reason").asText()).isEqualTo("phone_number");
        Instant due = Instant.parse(call.get("due_at").asText());
        for (ZoneId z : zones) {
            assertThat(CallingWindow.QUIET_HOURS_GUARD.allows(due, z)).as(z.getId()).isTrue();
        }
        assertThat(CallingWindow.QUIET_HOURS_GUARD.allowsAll(due.minusSeconds(60), zones)).isFalse();
        clock.set(due.minusSeconds(1).minusMillis(1));
        assertThat(f.node().dispatcher().claimDue()).isZero();
        clock.set(due.minusMillis(500));
        assertThat(f.node().dispatcher().claimDue()).isEqualTo(1);
        assertThat(dialAt(batch)).isEqualTo(due.toString());
        assertThat(f.node().dispatcher().startDue()).isZero();
        clock.set(due);
        assertThat(f.node().dispatcher().startDue()).isEqualTo(1);
    }

    @Test
    void the_claim_rechecks_the_window_and_reschedules_when_it_has_closed() {
        start("2026-03-03T18:00:00Z"); // Tuesday 10:00 PST
        String agent = f.agent();
        String batch = submit(agent, f.line(5, 5), List.of(person(SF)), Map.of());
        // The agent now calls only on weekends: the call accepted for now must not be dialed.
        TestApi.Answer p = f.api().patch("/v1/agents/" + agent, Map.of("calling_window",
                Map.of("work_start", "10:00", "work_end", "16:00", "days", List.of("sat", "sun"))));
        assertThat(p.status()).as(p.text()).isEqualTo(200);
        assertThat(f.node().dispatcher().claimDue()).isZero();
        JsonNode call = onlyCall(batch);
        assertThat(call.get("state").asText()).isEqualTo("scheduled");
        assertThat(call.get("due_at").asText()).isEqualTo("2026-03-07T18:00:00Z"); // Saturday 10:00 PST
        assertThat(call.get("wait_reason").asText()).contains("America/Los_Angeles");
        assertThat(call.at("/window/source").asText()).isEqualTo("agent");
        assertThat(sql("select count(*) from call_attempt")).isEqualTo("0");
    }

    @Test
    void a_retry_lands_inside_the_window_and_a_deadline_stops_it() throws Exception {
        start("2026-03-03T00:15:00Z"); // Monday 16:15 PST
        String agent = f.agent(Map.of("name", "Office hours", "calling_window",
                Map.of("work_start", "09:00", "work_end", "17:00", "days", List.of("mon", "tue", "wed", "thu", "fri")),
                "retry_policy", Map.of("max_attempts", 3, "delay_seconds", Map.of("busy", 3600))));
        String line = f.line(5, 5);
        String batch = submit(agent, line, List.of(person(SF_BUSY)), Map.of());
        assertThat(f.node().dispatcher().claimDue()).isEqualTo(1);
        assertThat(f.node().dispatcher().startDue()).isEqualTo(1);
        awaitSql("select state from call", "scheduled");
        JsonNode call = onlyCall(batch);
        // Busy at 16:15; the policy wants 17:15, after hours: Tuesday 09:00 PST instead.
        assertThat(call.get("due_at").asText()).isEqualTo("2026-03-03T17:00:00Z");
        assertThat(call.get("attempts").asInt()).isEqualTo(1);

        // Same again with a deadline before the next opening: the call finishes busy, with the reason.
        String batch2 = submit(agent, line, List.of(person(SF_BUSY)),
                Map.of("deadline", "2026-03-03T10:00:00Z"));
        clock.advance(Duration.ofSeconds(2));
        assertThat(f.node().dispatcher().claimDue()).isEqualTo(1);
        clock.advance(Duration.ofSeconds(1));
        assertThat(f.node().dispatcher().startDue()).isEqualTo(1);
        awaitSql("select state from call where batch_id = '" + batch2 + "'", "finished");
        JsonNode done = onlyCall(batch2);
        assertThat(done.get("outcome").asText()).isEqualTo("busy");
        assertThat(done.get("outcome_reason").asText()).isEqualTo("no_window_before_deadline");
        assertThat(done.get("wait_reason").asText()).contains("before the deadline");
    }

    @Test
    void no_opening_before_the_deadline_expires_the_call_at_intake() {
        start("2026-03-03T06:00:00Z"); // 22:00 PST
        String batch = submit(f.agent(), f.line(5, 5), List.of(person(SF)), Map.of("deadline", "2026-03-03T12:00:00Z"));
        JsonNode call = onlyCall(batch);
        assertThat(call.get("state").asText()).isEqualTo("finished");
        assertThat(call.get("outcome").asText()).isEqualTo("expired");
        assertThat(call.get("wait_reason").asText()).contains("before the deadline");
        assertThat(f.node().dispatcher().claimDue()).isZero();
    }

    @Test
    void regional_rules_narrow_the_window_for_the_regions_they_name() {
        String miami = "+13052001234";
        assertThat(RegionalRules.regionOf(miami)).isEqualTo("US-FL");
        assertThat(RegionalRules.regionOf(SF)).isEqualTo("US-CA");
        start("2026-03-08T13:30:00Z"); // Sunday 08:30 in Miami (EST → EDT later that day), 05:30 in San Francisco
        TestApi.Answer set = f.api().patch("/v1/organization", Map.of("regional_rules", List.of(Map.of(
                "name", "Florida: 9 to 8, no Sundays", "country", "US", "regions", List.of("Florida"),
                "calling_window", Map.of("work_start", "09:00", "work_end", "20:00",
                        "days", List.of("mon", "tue", "wed", "thu", "fri", "sat"))))));
        assertThat(set.status()).as(set.text()).isEqualTo(200);
        assertThat(set.json().at("/regional_rules/0/regions/0").asText()).isEqualTo("FL");
        String batch = submit(f.agent(), f.line(5, 5), List.of(person(miami)), Map.of());
        JsonNode call = onlyCall(batch);
        assertThat(call.get("due_at").asText()).isEqualTo("2026-03-09T13:00:00Z"); // Monday 09:00 EDT
        assertThat(call.at("/window/region").asText()).isEqualTo("US-FL");
        assertThat(call.at("/window/regional_rules/0").asText()).isEqualTo("Florida: 9 to 8, no Sundays");
        assertThat(call.at("/window/effective/sun")).isEmpty();

        String other = submit(f.agent(), f.line(5, 5), List.of(person(SF)), Map.of());
        assertThat(onlyCall(other).get("due_at").asText()).as("California is not narrowed").isEqualTo("2026-03-08T15:00:00Z"); // 08:00 PDT: DST began at 02:00

        TestApi.Answer bad = f.api().patch("/v1/organization", Map.of("regional_rules", List.of(Map.of("country", "Narnia",
                "calling_window", Map.of()))));
        assertThat(bad.status()).isEqualTo(422);
        assertThat(bad.json().at("/errors/0/pointer").asText()).isEqualTo("/regional_rules/0/country");
    }

    @Test
    void max_attempts_1_means_exactly_one_dial_whatever_the_outcome() throws Exception {
        start("2026-03-03T18:00:00Z");
        String agent = f.agent(Map.of("name", "Once", "retry_policy",
                Map.of("max_attempts", 1, "delay_seconds", Map.of("busy", 60, "no_answer", 60, "voicemail", 60))));
        String line = f.line(10, 10);
        submit(agent, line, List.of(person("+14155552676"), person("+14155552677"), person("+14155552678")), Map.of());
        assertThat(f.node().dispatcher().claimDue()).isEqualTo(3);
        clock.advance(Duration.ofSeconds(1));
        f.node().dispatcher().startDue();
        awaitSql("select count(*) from call where state = 'finished'", "3");
        clock.advance(Duration.ofHours(2));
        assertThat(f.node().dispatcher().claimDue()).isZero();
        assertThat(sql("select sum(dials) from call")).isEqualTo("3");
    }

    @Test
    void a_call_may_carry_its_own_retry_policy() throws Exception {
        start("2026-03-03T18:00:00Z");
        String agent = f.agent(Map.of("name", "Thrice", "retry_policy", Map.of("max_attempts", 3, "delay_seconds", Map.of("busy", 60))));
        String batch = submit(agent, f.line(10, 10), List.of(Map.of("phone_number", SF_BUSY, "variables", Map.of("name", "x"),
                "retry_policy", Map.of("max_attempts", 1))), Map.of());
        assertThat(onlyCall(batch).get("max_attempts").asInt()).isEqualTo(1);
        assertThat(f.node().dispatcher().claimDue()).isEqualTo(1);
        clock.advance(Duration.ofSeconds(1));
        f.node().dispatcher().startDue();
        awaitSql("select state from call", "finished");
        assertThat(onlyCall(batch).get("outcome").asText()).isEqualTo("busy");
    }

    private void awaitSql(String q, String expected) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!expected.equals(sql(q))) {
            if (System.nanoTime() > deadline) throw new AssertionError(q + " never became " + expected + "; is " + sql(q));
            Thread.sleep(20);
        }
    }
}
