/**
 * The AI agent on the call (issue 8). So far: {@link dev.outdial.agent.Template} and
 * {@link dev.outdial.agent.PromptVariables} fill templates; {@link dev.outdial.agent.Sentences} cuts streamed
 * text into speakable sentences; {@code agent.llm} holds the chat-completions client and {@code agent.speech}
 * the speech engines (OpenAI-compatible speech and transcription, Deepgram-compatible streaming transcription,
 * and espeak-ng as the offline voice).
 * Two front doors: {@link dev.outdial.agent.AgentRuntime} puts the agent on a call: it runs the {@code Conversation},
 * or, for an agent with its own bot, the {@code BotBridge}, which streams the call to the bot in the Twilio Media
 * Streams format; and {@link dev.outdial.agent.CallAnalysis} draws the typed fields, tags and summary from its
 * transcript after the call, through an {@link dev.outdial.agent.Analyst} (the agent's model, or a fallback).
 */
package dev.outdial.agent;
