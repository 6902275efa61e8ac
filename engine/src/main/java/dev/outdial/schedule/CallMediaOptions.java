package dev.outdial.schedule;

import dev.outdial.agent.Template;
import dev.outdial.agent.Voice;
import dev.outdial.campaign.AmdSettings;
import dev.outdial.store.Json;
import dev.outdial.telephony.Amd;
import java.nio.file.Path;
import java.time.Duration;

/**
 * What a claimed call asks of the carrier besides dialing: answering-machine detection as its agent
 * says (with the message to leave rendered from the call's variables and spoken by the voice, only
 * when a machine is reached), and where to record it.
 */
final class CallMediaOptions {
    private final Path recordings;
    private final Voice voice;

    /** Recordings go under {@code recordings}/{organization}/{call}-{attempt}.wav. */
    CallMediaOptions(Path recordings, Voice voice) {
        this.recordings = recordings;
        this.voice = voice;
    }

    Amd amd(ClaimedCall call) {
        if (call.amd() == null) return null;
        AmdSettings s = Json.read(call.amd().amdJson(), AmdSettings.class);
        Amd.OnMachine on = switch (s.behavior()) {
            case "leave_message" -> Amd.OnMachine.LEAVE_MESSAGE;
            case "continue" -> Amd.OnMachine.CONTINUE;
            default -> Amd.OnMachine.HANGUP;
        };
        String language = call.amd().language();
        String variables = call.amd().variablesJson();
        return new Amd(Duration.ofMillis(s.decisionMs()), on, s.message() == null ? null
                : () -> voice.speak(Template.render(s.message(), Json.map(variables)), language));
    }

    Path recording(ClaimedCall call) {
        return call.record() ? recordings.resolve(call.orgId()).resolve(call.callId() + "-" + call.attempt() + ".wav") : null;
    }
}
