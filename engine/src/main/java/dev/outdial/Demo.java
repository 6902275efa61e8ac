package dev.outdial;

import dev.outdial.campaign.Agent;
import dev.outdial.campaign.ClassificationTag;
import dev.outdial.campaign.ExtractionField;
import dev.outdial.campaign.Line;
import dev.outdial.campaign.VariableSpec;
import dev.outdial.config.OutdialConfig;
import dev.outdial.schedule.RetryPolicy;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code outdial demo}: a node with a demo organization, key, agent and simulated line, and the
 * lines a newcomer (or a script) needs to submit a first batch. Each value is printed as
 * {@code name: value} on its own line.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, description = "Run a node with a demo organization, key, agent and simulated line.")
final class Demo implements Callable<Integer> {
    static final String ORG = "demo";
    static final String AGENT = "Demo reminder agent";
    static final String LINE = "Demo simulated line";
    /** What the demo agent draws from each call, so a newcomer sees typed extraction, tags and a summary. */
    static final List<ExtractionField> DEMO_FIELDS = List.of(
            new ExtractionField("confirmed", "Whether the callee confirmed the appointment", "boolean", "true", false, null),
            new ExtractionField("new_time", "The day and time the callee asked to move the appointment to", "string", "Thursday 3 pm", false, null),
            new ExtractionField("outcome", "How the call went", "enum", "confirmed", true,
                    List.of("confirmed", "reschedule", "declined", "wrong_number", "call_back", "wants_person", "no_response")));
    static final List<ClassificationTag> DEMO_TAGS = List.of(new ClassificationTag("confirmed", "the callee will come"),
            new ClassificationTag("reschedule", "the callee wants another time"), new ClassificationTag("not_interested", "do not call again"),
            new ClassificationTag("wrong_number", "not the person we called"), new ClassificationTag("callback", "call back later"),
            new ClassificationTag("wants_human", "asked for a person"));

    @CommandLine.Mixin
    Main.Common common = new Main.Common();

    @Override
    public Integer call() throws InterruptedException {
        OutdialConfig config = common.config();
        Outdial node = Outdial.start(config);
        String orgId = node.organizations().findOrganizationByName(ORG).orElseGet(() -> node.organizations().createOrganization(ORG));
        String key = node.organizations().createKey(orgId, "demo").secret();
        Agent agent = node.agents().list(orgId, null, 1000).data().stream().filter(a -> a.name().equals(AGENT)).findFirst()
                .orElseGet(() -> node.agents().create(orgId, new Agent.Spec(AGENT,
                        "You are calling {{name}} to confirm their appointment. Be brief and friendly.",
                        "Hi {{name}}, this is a quick reminder call about your appointment.", "en", null,
                        List.of(new VariableSpec("name", "string", true)), Map.of(), "America/New_York", 300,
                        new RetryPolicy(3, Map.of("busy", Duration.ofSeconds(20), "no_answer", Duration.ofSeconds(30),
                                "voicemail", Duration.ofMinutes(1), "interrupted", Duration.ofMinutes(1))), null, null, false, null, null,
                        DEMO_FIELDS, DEMO_TAGS, true)));
        // The demo dials a simulated carrier only, so its organization turns the quiet-hours guard off explicitly:
        // a newcomer trying it at night still sees calls move. Real organizations keep the guard unless they say otherwise.
        var settings = node.organizations().settings(orgId);
        if (settings.quietHoursGuard()) node.organizations().updateSettings(orgId, settings.name(), settings.timezone(), false);
        Line line = node.lines().list(orgId, null, 1000).data().stream().filter(l -> l.name().equals(LINE)).findFirst()
                .orElseGet(() -> node.lines().create(orgId, new Line.Spec(LINE, "+14155552671", "simulated", 5, 2.0, null)));
        String url = "http://localhost:" + node.port();
        System.out.println("url: " + url);
        System.out.println("api_key: " + key);
        System.out.println("agent_id: " + agent.id());
        System.out.println("line_id: " + line.id());
        System.out.println("curl: " + sampleCurl(url, key, agent.id(), line.id()));
        System.out.println("# The last digit of a number picks what the simulated callee does: 0-5 answers, 6 busy, "
                + "7 no answer, 8 voicemail, 9 invalid number. Who answers talks with the agent; the second-to-last digit picks "
                + "how (0 confirms, 1 reschedules, 2 declines, 3 wrong person, 4 asks then confirms, 5 silent, 6 call back later, "
                + "7 wants a person). Watch with: curl -s " + url + "/v1/batches -H 'Authorization: Bearer " + key + "'");
        System.out.println("# Read a call's transcript with: curl -s " + url + "/v1/calls/CALL_ID -H 'Authorization: Bearer " + key + "'");
        System.out.flush();
        Main.awaitShutdown(node);
        return 0;
    }

    static String sampleCurl(String url, String key, String agentId, String lineId) {
        StringBuilder recipients = new StringBuilder();
        String[] names = {"Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Frances", "Ken", "Margaret", "Dennis"};
        // Seven people, each a different persona (second-to-last digit), then busy, no answer and voicemail (last digit).
        String[] numbers = {"+14155552601", "+14155552611", "+14155552621", "+14155552631", "+14155552641", "+14155552651",
                "+14155552661", "+14155552676", "+14155552677", "+14155552678"};
        for (int i = 0; i < 10; i++) {
            if (i > 0) recipients.append(',');
            recipients.append("{\"phone_number\":\"").append(numbers[i]).append("\",\"variables\":{\"name\":\"").append(names[i]).append("\"}}");
        }
        String body = "{\"name\":\"First batch\",\"agent_id\":\"" + agentId + "\",\"line_id\":\"" + lineId
                + "\",\"recipients\":[" + recipients + "]}";
        return "curl -s -X POST " + url + "/v1/batches -H 'Authorization: Bearer " + key + "' -H 'Content-Type: application/json' -d '"
                + body + "'";
    }
}
