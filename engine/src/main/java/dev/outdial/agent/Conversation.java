package dev.outdial.agent;

import dev.outdial.agent.llm.ChatMessage;
import dev.outdial.agent.llm.Llm;
import dev.outdial.agent.llm.LlmException;
import dev.outdial.agent.llm.Tool;
import dev.outdial.agent.llm.ToolCall;
import dev.outdial.agent.llm.Turn;
import dev.outdial.agent.speech.SpeechException;
import dev.outdial.agent.speech.StreamingTranscriber;
import dev.outdial.agent.speech.Transcriber;
import dev.outdial.agent.speech.Voice;
import dev.outdial.media.MediaChannel;
import dev.outdial.media.MediaListener;
import dev.outdial.telephony.TextCallee;
import dev.outdial.telephony.Transfer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * The agent holding one call: listen for the callee's turn, transcribe it, ask the model, speak its
 * answer sentence by sentence as it streams, and again, until someone hangs up.
 *
 * <p>Listening runs on the media clock ({@link #audio}): {@link Listening} marks where the callee
 * starts and stops (and streams their turns to a {@link StreamingTranscriber}, when the agent has one);
 * if they start while the agent is speaking, playback stops at once (barge-in, within one frame of the
 * detection) and the history keeps only the sentences that were heard whole. Everything else runs on
 * the conversation's own (virtual) thread, which {@link #run} occupies until the call ends. When the
 * callee stays silent, reminders are spoken, and after the last one the agent says goodbye and hangs up. The model may end the call with the
 * {@code end_call} tool. A provider that fails or is too slow costs one turn: the fallback line is
 * spoken with the fallback voice and the error is kept in the transcript, the call goes on.
 *
 * <p>An agent that listens first waits for the callee's hello and answers it with the first message
 * (or says it after one silence). Shortly before the agent's maximum duration the agent says its
 * time-up line and hangs up, so the carrier's hard cut never falls mid-sentence.
 *
 * <p>In text mode ({@link #inText}) the callee is a {@link TextCallee}: its turns arrive as words,
 * the agent's go to it as words, and no speech engine or audio is involved (the simulated carrier).
 */
public final class Conversation implements MediaListener {
    /** The tool the model hands the callee to a person with; offered only when the agent has a transfer number. */
    public static final Tool TRANSFER_CALL = TransferTool.TOOL;

    /** The tool the model ends the call with. */
    public static final Tool END_CALL = new Tool("end_call", "Say goodbye first, then call this to hang up the call.",
            Map.of("type", "object", "properties", Map.of("reason", Map.of("type", "string", "description", "why the call ends"))));

    /**
     * How the agent behaves on the call.
     *
     * @param prompt        the system prompt, already rendered with the call's variables
     * @param firstMessage  said at once when {@code talkFirst}, else after the callee's first turn is answered; may be null
     * @param reminders     said one after another when the callee is silent for {@code silence}; then goodbye and hang up
     * @param fallbackLine  said when a provider fails
     */
    public record Settings(String prompt, String firstMessage, boolean talkFirst, String language, Duration silence,
                           List<String> reminders, String goodbye, String fallbackLine, Duration maxDuration, String timeUpLine) {
        public static Settings of(String prompt, String firstMessage, String language) {
            return new Settings(prompt, firstMessage, true, language, Duration.ofSeconds(8), List.of("Are you still there?"),
                    "Thank you, goodbye.", "Sorry, could you say that again?", null, null);
        }

        /**
         * When the agent wraps up: {@code maxDuration} less a tenth of it, at most {@link #WRAP_UP_MARGIN}
         * (the time-up line needs a few seconds before the carrier cuts the call); null when unbounded.
         */
        Duration wrapUpAfter() {
            if (maxDuration == null) return null;
            Duration tenth = maxDuration.dividedBy(10);
            return maxDuration.minus(tenth.compareTo(WRAP_UP_MARGIN) < 0 ? tenth : WRAP_UP_MARGIN);
        }
    }

    /** How long before the maximum duration the agent starts its time-up line, at most. */
    static final Duration WRAP_UP_MARGIN = Duration.ofSeconds(10);

    /** The call ended (either side): the loop stops. */
    private static final Object END = new Object();

    private final Settings settings;
    private final Llm llm;
    private final Voice voice;
    private final Voice fallbackVoice;
    private final MediaChannel media;
    private final TextCallee textCallee;
    private final Runnable hangup;
    private TransferTool transferTool; // null: no transfers (none configured, or the one try is spent)
    private final LongSupplier clockMs;
    private final Listening listening;
    private final BlockingQueue<Object> events = new LinkedBlockingQueue<>();
    private final Transcript transcript = new Transcript();
    private final List<ChatMessage> history = new ArrayList<>();
    private final long startMs;
    private volatile boolean bargedIn;
    private volatile boolean over;

    /**
     * @param hangup  ends the call (the leg's hangup)
     * @param clockMs milliseconds of a monotonic clock, for the transcript's offsets
     */
    public Conversation(Settings settings, Llm llm, Transcriber stt, Voice voice, Voice fallbackVoice, MediaChannel media,
                        Runnable hangup, LongSupplier clockMs) {
        this(settings, llm, new Listening(stt, null, settings.language(), clockMs), voice, fallbackVoice, media, null, hangup, clockMs);
    }

    /** A conversation whose callee is transcribed while they speak, by one {@code stt} session for the call. */
    public Conversation(Settings settings, Llm llm, StreamingTranscriber stt, Voice voice, Voice fallbackVoice, MediaChannel media,
                        Runnable hangup, LongSupplier clockMs) {
        this(settings, llm, new Listening(null, stt, settings.language(), clockMs), voice, fallbackVoice, media, null, hangup, clockMs);
    }

    private Conversation(Settings settings, Llm llm, Listening listening, Voice voice, Voice fallbackVoice, MediaChannel media,
                         TextCallee textCallee, Runnable hangup, LongSupplier clockMs) {
        this.settings = settings;
        this.llm = llm;
        this.listening = listening;
        this.voice = voice;
        this.fallbackVoice = fallbackVoice;
        this.media = media;
        this.textCallee = textCallee;
        this.hangup = hangup;
        this.clockMs = clockMs;
        this.startMs = clockMs.getAsLong();
        history.add(ChatMessage.system(settings.prompt()));
        if (textCallee != null) textCallee.replyTo(text -> events.add(new Listening.Heard(() -> text, now(), now())));
    }

    /**
     * Lets the model transfer the call to {@code target} (E.164 or SIP URI) through {@code transfer} (the leg's);
     * call before {@link #run}. Without it the model is not offered the {@code transfer_call} tool.
     */
    public Conversation transferringTo(String target, Function<String, CompletableFuture<Transfer>> transfer) {
        this.transferTool = new TransferTool(target, transfer);
        return this;
    }

    /** A conversation in words with a {@link TextCallee}: no transcriber, voice or audio. */
    public static Conversation inText(Settings settings, Llm llm, TextCallee callee, Runnable hangup, LongSupplier clockMs) {
        return new Conversation(settings, llm, new Listening(null, null, settings.language(), clockMs), null, null, MediaChannel.NONE,
                callee, hangup, clockMs);
    }

    /** The callee's audio, one frame each 20 ms, on the media clock. */
    @Override
    public void audio(short[] frame) {
        switch (listening.offer(frame)) {
            case SPEECH_STARTED -> {
                if (media.playing()) {
                    bargedIn = true;
                    media.stopPlayback();
                }
            }
            case TURN_ENDED -> {
                Listening.Heard heard = listening.heard();
                if (heard != null) events.add(heard);
            }
            case NONE -> { }
        }
    }

    /** The call ended: {@link #run} returns. */
    public void callEnded() {
        over = true;
        events.add(END);
    }

    public Transcript transcript() {
        return transcript;
    }

    /** Holds the conversation until the call ends or the agent hangs up; returns what was said. */
    public Transcript run() throws InterruptedException {
        listening.open();
        try {
            return converse();
        } finally {
            listening.close();
        }
    }

    private Transcript converse() throws InterruptedException {
        boolean firstSaid = settings.firstMessage() == null;
        if (settings.talkFirst() && !firstSaid) {
            say(settings.firstMessage());
            firstSaid = true;
        }
        Duration wrapUp = settings.wrapUpAfter();
        long wrapUpAtMs = wrapUp == null ? Long.MAX_VALUE : startMs + wrapUp.toMillis();
        int remindersSaid = 0;
        while (!over) {
            long untilWrapUp = wrapUpAtMs - now();
            if (untilWrapUp <= 0) {
                timeUp();
                break;
            }
            Object e = events.poll(Math.min(settings.silence().toMillis(), untilWrapUp), TimeUnit.MILLISECONDS);
            if (e == END || over) break;
            if (e == null) {
                if (now() >= wrapUpAtMs) continue; // the time-up line comes next, not a reminder
                if (listening.speaking()) continue; // the callee is mid-sentence: wait for the end of their turn
                if (!firstSaid) {
                    say(settings.firstMessage()); // a listening agent whose callee says nothing speaks first after all
                    firstSaid = true;
                } else if (remindersSaid < settings.reminders().size()) {
                    say(settings.reminders().get(remindersSaid++));
                } else {
                    say(settings.goodbye());
                    end();
                }
                continue;
            }
            Listening.Heard u = (Listening.Heard) e;
            String text;
            try {
                text = u.transcription().text();
            } catch (SpeechException ex) {
                transcript.error("stt: " + ex.getMessage());
                sayFallback();
                continue;
            }
            if (text.isBlank()) continue; // a cough, a noise: not a turn
            remindersSaid = 0;
            transcript.add("callee", text, u.startMs() - startMs, u.endMs() - startMs);
            history.add(ChatMessage.user(text));
            if (!firstSaid) {
                say(settings.firstMessage()); // the callee said hello: the first message answers it
                firstSaid = true;
            } else if (answer()) {
                end();
            }
        }
        return transcript;
    }

    /** The maximum duration is near: the time-up line, then hang up before the carrier cuts the call. */
    private void timeUp() throws InterruptedException {
        if (media.playing()) media.stopPlayback();
        String line = settings.timeUpLine() == null ? settings.goodbye() : settings.timeUpLine();
        say(line);
        end();
    }

    /** Asks the model and speaks its answer as it streams; true when the model ended the call. */
    private boolean answer() throws InterruptedException {
        if (over) return false; // the call ended meanwhile: no more paid requests for nobody to hear
        bargedIn = false;
        Sentences sentences = new Sentences();
        List<Spoken> queued = new ArrayList<>();
        List<Tool> tools = transferTool == null ? List.of(END_CALL) : List.of(END_CALL, TRANSFER_CALL);
        Turn turn;
        try {
            turn = llm.complete(history, tools, piece -> {
                for (String s : sentences.offer(piece)) queue(s, queued);
            });
        } catch (LlmException ex) {
            transcript.error("llm: " + ex.getMessage());
            String heard = heard(queued);
            if (!heard.isEmpty()) history.add(ChatMessage.assistant(heard, List.of()));
            sayFallback();
            return false;
        }
        String rest = sentences.flush();
        if (rest != null) queue(rest, queued);
        String heard = heard(queued);
        boolean ending = turn.toolCalls().stream().anyMatch(c -> c.name().equals(END_CALL.name()));
        List<ToolCall> calls = bargedIn ? List.of() : turn.toolCalls(); // a talked-over answer's tools are not acted on
        if (!heard.isEmpty() || !calls.isEmpty()) history.add(ChatMessage.assistant(heard.isEmpty() ? null : heard, calls));
        boolean transferring = transferTool != null && calls.stream().anyMatch(c -> c.name().equals(TRANSFER_CALL.name()));
        Transfer transferred = transferring ? transferTool.run() : null;
        for (ToolCall c : calls) {
            String result;
            if (c.name().equals(END_CALL.name())) result = "{\"ok\":true}";
            else if (c.name().equals(TRANSFER_CALL.name()) && transferred != null) result = TransferTool.result(transferred);
            else result = "{\"error\":\"unknown tool\"}";
            history.add(ChatMessage.tool(c.id(), result));
        }
        if (transferred != null) {
            if (transferred.status() == Transfer.Status.TRANSFERRED) {
                over = true; // the callee is with a person now and our leg has ended: nothing to hang up
                return false;
            }
            transcript.error("transfer: " + TransferTool.result(transferred));
            transferTool = null; // one try per call: the model now tells the callee, and cannot loop on transfers
            return answer();
        }
        return ending && !bargedIn;
    }

    /** Speaks one sentence of a streamed answer (unless the callee has barged in) and remembers it. */
    private void queue(String sentence, List<Spoken> queued) {
        if (bargedIn || over) return;
        if (textCallee != null) {
            queued.add(new Spoken(sentence, CompletableFuture.completedFuture(true), now(), 0));
            return;
        }
        short[] pcm = speak(sentence);
        if (pcm == null) return;
        long at = now();
        queued.add(new Spoken(sentence, media.play(pcm), at, pcm.length / 8));
    }

    /** Waits for the queued sentences to be played; those heard whole go in the transcript and history. */
    private String heard(List<Spoken> queued) throws InterruptedException {
        StringBuilder heard = new StringBuilder();
        for (Spoken s : queued) {
            boolean whole;
            try {
                whole = s.played().get();
            } catch (ExecutionException e) {
                whole = false;
            }
            if (!whole) break;
            transcript.add("agent", s.text(), s.atMs() - startMs, s.atMs() - startMs + s.lengthMs());
            if (!heard.isEmpty()) heard.append(' ');
            heard.append(s.text());
        }
        if (textCallee != null && !heard.isEmpty() && !over) textCallee.heard(heard.toString());
        return heard.toString();
    }

    /** Says a whole line and waits until it has been played; the line goes in the history if it was heard. */
    private void say(String text) throws InterruptedException {
        bargedIn = false;
        List<Spoken> one = new ArrayList<>();
        queue(text, one);
        String heard = heard(one);
        if (!heard.isEmpty()) history.add(ChatMessage.assistant(heard, List.of()));
    }

    private void sayFallback() throws InterruptedException {
        bargedIn = false;
        if (textCallee != null) {
            heard(new ArrayList<>(List.of(new Spoken(settings.fallbackLine(), CompletableFuture.completedFuture(true), now(), 0))));
            return;
        }
        try {
            short[] pcm = fallbackVoice.speak(settings.fallbackLine(), settings.language());
            List<Spoken> one = new ArrayList<>(List.of(new Spoken(settings.fallbackLine(), media.play(pcm), now(), pcm.length / 8)));
            heard(one);
        } catch (SpeechException e) {
            transcript.error("fallback voice: " + e.getMessage());
        }
    }

    /** Text to speech with the agent's voice, else the fallback voice; null if neither can speak. */
    private short[] speak(String text) {
        try {
            return voice.speak(text, settings.language());
        } catch (SpeechException e) {
            transcript.error("tts: " + e.getMessage());
            try {
                return fallbackVoice.speak(text, settings.language());
            } catch (SpeechException again) {
                transcript.error("fallback voice: " + again.getMessage());
                return null;
            }
        }
    }

    private void end() {
        over = true;
        hangup.run();
    }

    private long now() {
        return clockMs.getAsLong();
    }

    /** A sentence handed to playback: its text, whether it was played whole, when it started and how long it is. */
    private record Spoken(String text, CompletableFuture<Boolean> played, long atMs, long lengthMs) {
    }
}
