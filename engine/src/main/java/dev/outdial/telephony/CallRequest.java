package dev.outdial.telephony;

import java.time.Duration;

/**
 * One outbound leg to place.
 *
 * @param callId       the call this leg serves, for logs and correlation
 * @param attempt      the attempt number (the lease's fencing token)
 * @param from         the caller identity (the line's number)
 * @param to           the destination: E.164 number or SIP URI
 * @param ringTimeout  give up (no answer) after ringing this long; null for the provider's default
 * @param maxDuration  hang up an answered call after this long
 * @param trunk        how to reach the carrier, for providers that need it (sip); null otherwise
 * @param amd          answering-machine detection, or null for none
 * @param recording    where to record both directions as WAV, or null for no recording
 */
public record CallRequest(String callId, int attempt, String from, String to, Duration ringTimeout, Duration maxDuration,
                          Trunk trunk, Amd amd, java.nio.file.Path recording) {

    public CallRequest(String callId, int attempt, String from, String to, Duration ringTimeout, Duration maxDuration) {
        this(callId, attempt, from, to, ringTimeout, maxDuration, null, null, null);
    }

    public CallRequest(String callId, int attempt, String from, String to, Duration ringTimeout, Duration maxDuration, Trunk trunk) {
        this(callId, attempt, from, to, ringTimeout, maxDuration, trunk, null, null);
    }
}
