package dev.outdial.schedule;

import dev.outdial.agent.PromptVariables;
import dev.outdial.agent.Template;
import dev.outdial.agent.speech.SpeechException;
import dev.outdial.agent.speech.Voice;
import dev.outdial.campaign.AmdSettings;
import dev.outdial.store.Json;
import dev.outdial.telephony.Amd;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * What a claimed call asks of the carrier besides dialing: answering-machine detection as its agent
 * says (with the message to leave rendered from the call's variables and spoken by the voice, only
 * when a machine is reached), and where to record it.
 */
final class CallMediaOptions {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(CallMediaOptions.class);
    private final Path recordings;
    private final Voice voice;
    private final java.time.Clock clock;

    /** Recordings go under {@code recordings}/{organization}/{call}-{attempt}.wav. */
    CallMediaOptions(Path recordings, Voice voice, java.time.Clock clock) {
        this.recordings = recordings;
        this.voice = voice;
        this.clock = clock;
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
        String sources = call.amd().variablesJson();
        return new Amd(Duration.ofMillis(s.decisionMs()), on, s.message() == null || sources == null ? null
                : () -> speak(call, Template.render(s.message(), variables(call, sources)), language));
    }

    private short[] speak(ClaimedCall call, String text, String language) {
        try {
            return voice.speak(text, language);
        } catch (SpeechException e) {
            log.warn("call {}: the message for the answering machine could not be spoken ({}); hanging up without one", call.callId(), e.getMessage());
            return new short[0];
        }
    }

    /** The message's values, rendered when the machine is reached (so local time is then). */
    private Map<String, Object> variables(ClaimedCall call, String sourcesJson) {
        Map<String, Object> sources = Json.map(sourcesJson);
        Object zone = sources.get("zone");
        java.time.ZoneId zoneId = null;
        try {
            if (zone != null) zoneId = java.time.ZoneId.of(zone.toString());
        } catch (java.time.DateTimeException e) {
            // a zone this JDK does not know: the local date and time stay empty
        }
        return PromptVariables.resolve(map(sources.get("call")), map(sources.get("batch")), map(sources.get("agent")),
                call.destination(), call.from(), zoneId, clock.instant(), call.attempt());
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        return o instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    Path recording(ClaimedCall call) {
        return call.record() ? recordings.resolve(call.orgId()).resolve(call.callId() + "-" + call.attempt() + ".wav") : null;
    }
}
