/**
 * The AI agent on the call (issue 8). So far: {@link dev.outdial.agent.Template} and
 * {@link dev.outdial.agent.PromptVariables} fill templates; {@link dev.outdial.agent.Sentences} cuts streamed
 * text into speakable sentences; {@code agent.llm} holds the chat-completions client and {@code agent.speech}
 * the speech engines (OpenAI-compatible speech and transcription, and espeak-ng as the offline voice).
 * {@link dev.outdial.agent.AgentRuntime} is the front door: it runs the {@code Conversation}, or, for an agent
 * with its own bot, the {@code BotBridge}, which streams the call to the bot in the Twilio Media Streams format.
 */
package dev.outdial.agent;
