package dev.outdial.telephony.sip;

import static org.assertj.core.api.Assertions.assertThat;

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

/** The end-to-end SIP tests' node and call: a node that dispatches at once over SIP, and one call to sipp through it. */
final class SipNodes {
    private SipNodes() {
    }

    /** A node on the real clock whose dispatcher claims every 20 ms, with a SIP carrier on {@code settings}' ports. */
    static Fixture start(String node, SipSettings settings, Path data) {
        Fixture f = Fixture.manual(Clock.systemUTC());
        DispatchSettings fast = DispatchSettings.defaults().withPollInterval(Duration.ofMillis(20));
        f.startNode(node, fast, SimulatedSettings.defaults(), Map.<String, Telephony>of("sip", new SipTelephony(settings, node)),
                Fixture.manualWebhooks(), data);
        return f;
    }

    /** A sip line (+14155552671) to the sipp on {@code port} and a batch of one call to +14155550101 named Ana; returns the call's id. */
    static String callAna(TestApi api, String agent, int port) {
        TestApi.Answer line = api.post("/v1/lines", Map.of("name", "trunk", "phone_number", "+14155552671", "provider", "sip",
                "max_concurrent", 1, "max_cps", 1, "sip", Map.of("host", "127.0.0.1", "port", port)));
        assertThat(line.status()).as(line.text()).isEqualTo(201);
        TestApi.Answer b = api.post("/v1/batches", Map.of("name", "one call", "agent_id", agent, "line_id", line.json().get("id").asText(),
                "recipients", List.of(Map.of("phone_number", "+14155550101", "variables", Map.of("name", "Ana")))));
        assertThat(b.status()).as(b.text()).isEqualTo(201);
        return api.get("/v1/batches/" + b.json().get("id").asText() + "/calls").json().get("data").get(0).get("id").asText();
    }
}
