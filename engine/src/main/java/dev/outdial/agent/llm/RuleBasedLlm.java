package dev.outdial.agent.llm;

import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * A built-in stand-in for a language model, for the demo and tests when no model is configured: it
 * answers the callee's last turn by keyword rules, so simulated calls produce real, deterministic
 * transcripts without any provider. It is not an AI; transcripts made with it are labelled
 * {@link #NAME}. The rules, first match wins:
 *
 * <pre>
 *   wrong number / no one by that name   → apologize, end the call
 *   not interested / don't call          → promise not to call again, end the call
 *   call me back / driving / busy        → promise a call back, end the call
 *   a real person / human / someone      → transfer the call when it may, else say the team will call, end the call
 *   can't make it / move / reschedule    → ask which day and time suit better
 *   names a day or time (after a move)   → confirm the new time, end the call
 *   a question (?)                       → repeat the first message, ask whether it still works
 *   yes / sure / works / will be there   → thank, end the call
 *   no / that's all / bye                → thank, end the call
 *   anything else                        → ask to repeat; the second time, end the call
 * </pre>
 */
public final class RuleBasedLlm implements Llm {
    /** The label transcripts made with these rules carry in place of a model's name. */
    public static final String NAME = "outdial-rules (built-in demo rules, not an AI model)";

    @Override
    public Turn complete(List<ChatMessage> messages, List<Tool> tools, Consumer<String> text) {
        String said = lastUserText(messages);
        CalleeIntent intent = CalleeIntent.of(said);
        String dayOrTime = CalleeIntent.dayOrTime(said);
        Reply reply = switch (intent) {
            case WRONG_PERSON -> Reply.end("I'm sorry for the trouble. Have a good day, goodbye.");
            case DECLINED -> Reply.end("Understood, we won't call you again. Goodbye.");
            case CALL_BACK -> Reply.end("No problem, we'll call you back later. Goodbye.");
            case WANTS_PERSON -> offered(tools, "transfer_call")
                    ? new Reply("Of course, let me transfer you to a member of our team.", "transfer_call")
                    : Reply.end("I'll ask a member of our team to call you. Thank you, goodbye.");
            case RESCHEDULE -> Reply.goOn("Of course. Which day and time would suit you better?");
            default -> {
                if (assistantSaid(messages, "which day and time") && !dayOrTime.isEmpty()) {
                    yield Reply.end("Great, I've noted " + dayOrTime + ". Thank you, goodbye!");
                }
                yield switch (intent) {
                    case QUESTION -> {
                        String first = firstAssistantText(messages);
                        yield Reply.goOn(first == null ? "Let me check that for you. Does the plan still work for you?"
                                : "Let me repeat: " + first + " Does that still work for you?");
                    }
                    case CONFIRMED -> Reply.end("Wonderful, thank you. Goodbye!");
                    case NO -> Reply.end("Thank you for your time. Goodbye!");
                    default -> assistantSaid(messages, "could you say that again")
                            ? Reply.end("Sorry, I'm having trouble understanding. We'll try again another time. Goodbye.")
                            : Reply.goOn("Sorry, could you say that again?");
                };
            }
        };
        text.accept(reply.text());
        List<ToolCall> calls = reply.tool() != null && offered(tools, reply.tool())
                ? List.of(new ToolCall("rules-" + reply.tool(), reply.tool(), "{}")) : List.of();
        return new Turn(reply.text(), calls, calls.isEmpty() ? "stop" : "tool_calls");
    }

    /** What the rules say, and the tool they call after it (null: none). */
    private record Reply(String text, String tool) {
        static Reply end(String text) {
            return new Reply(text, "end_call");
        }

        static Reply goOn(String text) {
            return new Reply(text, null);
        }
    }

    private static boolean offered(List<Tool> tools, String name) {
        return tools.stream().anyMatch(t -> t.name().equals(name));
    }

    private static String lastUserText(List<ChatMessage> messages) {
        for (int i = messages.size() - 1; i >= 0; i--) {
            if (messages.get(i).role().equals("user")) return messages.get(i).content();
        }
        return "";
    }

    private static String firstAssistantText(List<ChatMessage> messages) {
        for (ChatMessage m : messages) {
            if (m.role().equals("assistant") && m.content() != null) return m.content();
        }
        return null;
    }

    private static boolean assistantSaid(List<ChatMessage> messages, String phrase) {
        for (int i = messages.size() - 1; i >= 0; i--) {
            ChatMessage m = messages.get(i);
            if (m.role().equals("user")) continue;
            if (m.role().equals("assistant") && m.content() != null) return m.content().toLowerCase(Locale.ROOT).contains(phrase);
        }
        return false;
    }
}
