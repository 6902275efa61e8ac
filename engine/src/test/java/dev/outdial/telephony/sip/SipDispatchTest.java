package dev.outdial.telephony.sip;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.outdial.Fixture;
import dev.outdial.TestApi;
import dev.outdial.config.OutdialConfig.DispatchSettings;
import dev.outdial.config.OutdialConfig.SimulatedSettings;
import dev.outdial.config.SipSettings;
import dev.outdial.telephony.Telephony;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Batches on sip lines through the running dispatcher to sipp trunks: what Outdial records, and the line limits sipp sees. */
class SipDispatchTest {
    @TempDir
    Path data;
    Fixture f;
    SipTelephony sip;
    dev.outdial.Outdial node;
    TestApi api;
    String agent;

    @BeforeEach
    void start() {
        f = Fixture.manual(Clock.systemUTC());
        sip = new SipTelephony(SipSettings.loopback(25100, 25139, 28000, 29998), "sip-node");
        DispatchSettings fast = DispatchSettings.defaults().withPollInterval(Duration.ofMillis(20));
        node = f.startNode("sip-node", fast, SimulatedSettings.defaults(), Map.<String, Telephony>of("sip", sip), Fixture.manualWebhooks(), data);
        api = f.api();
        agent = f.agent(Map.of("name", "SIP", "prompt", "Hi", "max_duration_seconds", 60, "retry_policy", Map.of("max_attempts", 1)));
    }

    @AfterEach
    void stop() {
        f.close();
    }

    String line(Sipp sipp, int maxConcurrent, double cps) {
        TestApi.Answer a = api.post("/v1/lines", Map.of("name", "trunk", "phone_number", "+14155552671", "provider", "sip",
                "max_concurrent", maxConcurrent, "max_cps", cps, "sip", Map.of("host", "127.0.0.1", "port", sipp.port)));
        assertThat(a.status()).as(a.text()).isEqualTo(201);
        assertThat(a.json().get("sip").get("host").asText()).isEqualTo("127.0.0.1");
        return a.json().get("id").asText();
    }

    String batch(String line, int n) {
        return batch(agent, line, n);
    }

    String batch(String agent, String line, int n) {
        TestApi.Answer b = api.post("/v1/batches", Map.of("name", "sip", "agent_id", agent, "line_id", line,
                "recipients", Fixture.recipients(n, 1)));
        assertThat(b.status()).as(b.text()).isEqualTo(201);
        return b.json().get("id").asText();
    }

    @Test
    void outcomesSipCodesAndTimingsAreRecordedPerAttempt(@TempDir Path dir) throws Exception {
        Path busyDir = java.nio.file.Files.createDirectory(dir.resolve("busy"));
        Path talkDir = java.nio.file.Files.createDirectory(dir.resolve("talk"));
        try (Sipp busy = Sipp.start(busyDir, "reject.xml", Map.of("STATUS", "486"), 1);
             Sipp talk = Sipp.start(talkDir, "short-call.xml", Map.of("TALK_MS", "1500"), 1)) {
            String busyBatch = batch(line(busy, 5, 5), 1);
            String talkBatch = batch(line(talk, 5, 5), 1);
            JsonNode busyCall = awaitFinished(busyBatch);
            JsonNode talkCall = awaitFinished(talkBatch);
            assertThat(busy.awaitExit(Duration.ofSeconds(10))).as(busy.log()).isZero();
            assertThat(talk.awaitExit(Duration.ofSeconds(10))).as(talk.log()).isZero();

            assertThat(busyCall.get("outcome").asText()).isEqualTo("busy");
            assertThat(talkCall.get("outcome").asText()).isEqualTo("completed");
            String busyId = busyCall.get("id").asText();
            String talkId = talkCall.get("id").asText();
            f.awaitSql("select sip_code || ' ' || reason from call_attempt where call_id = '" + busyId + "'", "486 busy");
            f.awaitSql("select sip_code || ' ' || reason from call_attempt where call_id = '" + talkId + "'", "200 callee_hangup");
            assertThat(f.sql("select ringing_at is null and answered_at is null from call_attempt where call_id = '" + busyId + "'")).isEqualTo("t");
            // sipp rings 100 ms, then talks 1.5 s before it hangs up.
            long ringToAnswer = Long.parseLong(f.sql("select (extract(epoch from answered_at - ringing_at) * 1000)::bigint from call_attempt where call_id = '" + talkId + "'"));
            long talkMs = Long.parseLong(f.sql("select (extract(epoch from ended_at - answered_at) * 1000)::bigint from call_attempt where call_id = '" + talkId + "'"));
            assertThat(ringToAnswer).isBetween(50L, 1500L);
            assertThat(talkMs).isBetween(1400L, 3000L);
        }
    }

    @Test
    void aTrunkOutOfServiceFailsTheCallAndBacksTheLineOff(@TempDir Path dir) throws Exception {
        try (Sipp down = Sipp.start(dir, "reject.xml", Map.of("STATUS", "503"), 1)) {
            String line = line(down, 5, 5);
            JsonNode call = awaitFinished(batch(line, 1));
            assertThat(call.get("outcome").asText()).isEqualTo("failed");
            f.awaitSql("select sip_code || ' ' || reason from call_attempt where call_id = '" + call.get("id").asText() + "'", "503 trunk_unavailable");
            f.awaitSql("select next_dial_at > now() + interval '3 seconds' from line where id = '" + line + "'", "t");
            assertThat(f.sql("select count(*) from call where line_id = '" + line + "' and state in ('dialing', 'ringing', 'in_progress')"))
                    .as("the capacity is released").isEqualTo("0");
        }
    }

    @Test
    void twoHundredCallsThroughASippTrunkKeepTheLineLimitsAsTheFarEndSeesThem(@TempDir Path dir) throws Exception {
        int maxConcurrent = 8;
        int cps = 10;
        try (Sipp trunk = Sipp.start(dir, "short-call.xml", Map.of("TALK_MS", "700"), 200)) {
            String batch = batch(line(trunk, maxConcurrent, cps), 200);
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (!"completed".equals(api.get("/v1/batches/" + batch).json().get("status").asText())) {
                assertThat(System.nanoTime()).as("batch finished in time").isLessThan(deadline);
                Thread.sleep(200);
            }
            assertThat(trunk.awaitExit(Duration.ofSeconds(20))).as(trunk.log()).isZero();
            JsonNode counts = api.get("/v1/batches/" + batch).json().get("counts");
            assertThat(counts.get("by_outcome").get("completed").asInt()).isEqualTo(200);

            List<SipTrace.Dialog> dialogs = SipTrace.dialogs(dir);
            assertThat(dialogs).hasSize(200);
            assertThat(SipTrace.maxConcurrent(dialogs)).as("INVITE dialogs up at once at the trunk").isLessThanOrEqualTo(maxConcurrent);
            // Dial slots are exactly 1/cps apart (checked below); a start that runs a few ms late can sit closer to
            // the next one, so a sliding window over arrival times may hold one more: cps + 1 at most.
            assertThat(SipTrace.maxInvitesPerSecond(dialogs)).as("INVITEs in any one second at the trunk").isLessThanOrEqualTo(cps + 1);
            assertThat(f.sql("""
                    select count(*) from (select dial_at - lag(dial_at) over (order by dial_at) as gap from call_attempt) g
                    where gap < interval '100 milliseconds'""")).as("dial slots 1/cps apart").isEqualTo("0");
            assertThat(f.sql("select count(*) from call_attempt where started_at < dial_at - interval '"
                    + DispatchSettings.DEFAULT_ARM_LEAD.toMillis() + " milliseconds'")).as("taken at most the arm lead before its slot").isEqualTo("0");
            assertThat(node.dispatcher().dialedEarly()).as("INVITEs sent before their slots").isZero();
            assertThat(node.dispatcher().startedCalls()).isEqualTo(200);
        }
    }

    @Test
    void anAgentWithAmdLeavesItsMessageOnAMachineAndRecordsTheCall(@TempDir Path dir) throws Exception {
        AudioChecks.greetingWithBeep(dir);
        String vm = f.agent(Map.of("name", "VM", "prompt", "Hi", "max_duration_seconds", 60, "retry_policy", Map.of("max_attempts", 1),
                "variables", List.of(Map.of("name", "name", "type", "string"), Map.of("name", "callback", "type", "string")),
                "record_calls", true,
                // Only the batch gives {{callback}}: if batch variables did not reach the message, it would be empty and
                // nothing would be left (the call would end answering_machine, not message_left).
                "amd", Map.of("behavior", "leave_message", "message", "{{callback}}")));
        JsonNode shown = api.get("/v1/agents/" + vm).json();
        assertThat(shown.get("amd").get("behavior").asText()).isEqualTo("leave_message");
        assertThat(shown.get("amd").get("decision_ms").asInt()).isEqualTo(4000);
        try (Sipp machine = Sipp.start(dir, "answer-play-wait-bye.xml", 1)) {
            TestApi.Answer b = api.post("/v1/batches", Map.of("name", "vm", "agent_id", vm, "line_id", line(machine, 5, 5),
                    "variables", Map.of("callback", "Please call Acme Clinic back today."), "recipients", Fixture.recipients(1, 1)));
            assertThat(b.status()).as(b.text()).isEqualTo(201);
            JsonNode call = awaitFinished(b.json().get("id").asText());
            assertThat(machine.awaitExit(Duration.ofSeconds(10))).as(machine.log()).isZero();
            assertThat(call.get("outcome").asText()).isEqualTo("voicemail");
            JsonNode attempt = awaitAttemptEnded(call.get("id").asText());
            assertThat(attempt.get("answered_by").asText()).isEqualTo("machine");
            assertThat(attempt.get("reason").asText()).isEqualTo("message_left");
            String url = attempt.get("recording_url").asText();
            java.net.http.HttpResponse<byte[]> wav = java.net.http.HttpClient.newHttpClient().send(
                    java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://localhost:" + f.node().port() + url))
                            .header("Authorization", "Bearer " + f.key).build(), java.net.http.HttpResponse.BodyHandlers.ofByteArray());
            assertThat(wav.statusCode()).isEqualTo(200);
            assertThat(wav.headers().firstValue("content-type")).hasValue("audio/wav");
            Path copy = dir.resolve("fetched.wav");
            java.nio.file.Files.write(copy, wav.body());
            short[][] channels = AudioChecks.stereo(copy);
            int beep = AudioChecks.firstFrameWithTone(channels[0], 1000);
            assertThat(beep).as("the machine's beep is on the left channel").isPositive();
            assertThat(AudioChecks.firstSpeechAfter(channels[1], beep + 500)).as("the spoken message follows the beep on the right channel")
                    .isBetween(beep + 500, beep + 2500);
            // Another organization cannot fetch it.
            String otherOrg = f.node().organizations().createOrganization("other");
            String otherKey = f.node().organizations().createKey(otherOrg, "k").secret();
            assertThat(f.api(otherKey).get(url).status()).isEqualTo(404);
        }
    }

    @Test
    void aPersonIsClassifiedHumanAndTheCallCompletes(@TempDir Path dir) throws Exception {
        Speech.file(dir, "speech.alaw", "al", "Hello?");
        String amd = f.agent(Map.of("name", "AMD", "prompt", "Hi", "max_duration_seconds", 60, "retry_policy", Map.of("max_attempts", 1),
                "amd", Map.of("behavior", "hangup")));
        try (Sipp person = Sipp.start(dir, "answer-play-far-hangup.xml", 1)) {
            JsonNode call = awaitFinished(batch(amd, line(person, 5, 5), 1));
            assertThat(call.get("outcome").asText()).isEqualTo("completed");
            JsonNode attempt = awaitAttemptEnded(call.get("id").asText());
            assertThat(attempt.get("answered_by").asText()).isEqualTo("human");
            assertThat(attempt.get("reason").asText()).isEqualTo("callee_hangup");
            assertThat(attempt.has("recording_url")).as("the agent does not record").isFalse();
        }
    }

    private JsonNode awaitAttemptEnded(String callId) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            JsonNode attempt = api.get("/v1/calls/" + callId).json().get("history").get(0);
            if (attempt.has("ended_at")) return attempt;
            assertThat(System.nanoTime()).as("attempt of " + callId + " recorded its end").isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    private JsonNode awaitFinished(String batch) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            JsonNode calls = api.get("/v1/batches/" + batch + "/calls").json().get("data");
            if (calls.size() == 1 && "finished".equals(calls.get(0).get("state").asText())) return calls.get(0);
            assertThat(System.nanoTime()).as("call of batch " + batch + " finished in time: " + calls).isLessThan(deadline);
            Thread.sleep(100);
        }
    }

}
