package dev.outdial.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.outdial.FakeBot;
import dev.outdial.campaign.Providers;
import dev.outdial.media.AnsweringMachineDetector;
import java.net.http.HttpClient;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The runtime's front door with a bot: the bot is the agent, after answering-machine detection, and only its failures leave a transcript. */
@Timeout(120)
class AgentRuntimeBotTest {
    private final FakeBot bot = new FakeBot();
    private final MemoryLine line = new MemoryLine();
    private final List<Transcript> done = new CopyOnWriteArrayList<>();
    private final AgentRuntime runtime = new AgentRuntime(HttpClient.newHttpClient(), null);

    @AfterEach
    void stop() {
        bot.close();
    }

    AgentRuntime.CallSetup setup(String botUrl, boolean talkToMachines) {
        // A model and a transcriber that nothing listens on: if the runtime used them instead of the bot, the test would see it.
        Providers.Endpoint nowhere = new Providers.Endpoint("http://127.0.0.1:9/v1", "m", null, null, null);
        return new AgentRuntime.CallSetup("cal_r", "org_r", "Be brief.", "Hello!", "en",
                new Providers(nowhere, nowhere, null, new Providers.Bot(botUrl, null, null, null)), null,
                Map.of("name", "Ana"), talkToMachines, java.time.Duration.ofMinutes(5));
    }

    @Test
    void an_agent_with_a_bot_and_a_model_hands_the_call_to_the_bot() throws Exception {
        MemoryLeg leg = new MemoryLeg(line);
        assertThat(AgentRuntime.canConverse(new Providers(null, null, null, new Providers.Bot("ws://x", null, null, null)), leg)).isTrue();
        AgentRuntime.Session session = runtime.start(setup(bot.url(), false), leg, done::add);
        assertThat(bot.next().get("event").asText()).isEqualTo("connected");
        JsonNode start = bot.next();
        assertThat(start.at("/start/callSid").asText()).isEqualTo("cal_r");
        assertThat(start.at("/start/accountSid").asText()).isEqualTo("org_r");
        assertThat(start.at("/start/customParameters/name").asText()).isEqualTo("Ana");
        assertThat(line.played).as("Outdial's own voice says nothing: no first message").isEmpty();
        session.callEnded();
        assertThat(bot.next().get("event").asText()).isEqualTo("stop");
        assertThat(bot.awaitClosed()).isTrue();
        assertThat(done).as("a bot that worked keeps its own transcript").isEmpty();
        assertThat(leg.wasHungUp()).isFalse();
    }

    @Test
    void a_machine_never_reaches_the_bot_unless_the_agent_talks_to_machines() throws Exception {
        runtime.start(setup(bot.url(), false), new MemoryLeg(line, AnsweringMachineDetector.Result.MACHINE, new CountDownLatch(1)), done::add);
        AgentRuntime.Session talking = runtime.start(setup(bot.url(), true),
                new MemoryLeg(line, AnsweringMachineDetector.Result.MACHINE, new CountDownLatch(1)), done::add);
        assertThat(bot.awaitHandshake()).isNotNull();
        assertThat(bot.handshakes.poll(1, TimeUnit.SECONDS)).as("only the agent that talks to machines connected").isNull();
        talking.callEnded();
    }

    @Test
    void a_bot_that_cannot_be_reached_leaves_its_error_on_the_call() throws Exception {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        }
        MemoryLeg leg = new MemoryLeg(line);
        runtime.start(setup("ws://127.0.0.1:" + port + "/bot", false), leg, done::add);
        assertThat(leg.awaitHangup()).isTrue();
        for (int i = 0; i < 2000 && done.isEmpty(); i++) Thread.sleep(10);
        assertThat(done).singleElement().satisfies(t -> {
            assertThat(t.entries()).isEmpty();
            assertThat(t.errors()).singleElement().asString().startsWith("bot: could not be reached");
        });
    }
}
