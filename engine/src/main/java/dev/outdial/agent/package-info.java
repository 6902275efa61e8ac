/**
 * The AI agent on the call (issue 8 builds the conversation loop here). So far: {@link dev.outdial.agent.Template}
 * fills {@code {{variable}}} placeholders, and {@link dev.outdial.agent.Voice} speaks text for the phone, offline
 * through espeak-ng ({@link dev.outdial.agent.EspeakVoice}), used for messages left on answering machines.
 */
package dev.outdial.agent;
