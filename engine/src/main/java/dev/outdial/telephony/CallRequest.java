package dev.outdial.telephony;

import java.time.Duration;

/**
 * One outbound leg to place.
 *
 * @param callId       the call this leg serves, for logs and correlation
 * @param attempt      the attempt number (the lease's fencing token)
 * @param from         the caller identity (the line's number)
 * @param to           the destination: E.164 number or SIP URI
 * @param ringTimeout  give up (no answer) after ringing this long
 * @param maxDuration  hang up an answered call after this long
 * @param trunk        how to reach the carrier, for providers that need it (sip); null otherwise
 */
public record CallRequest(String callId, int attempt, String from, String to, Duration ringTimeout, Duration maxDuration,
                          Trunk trunk) {

    public CallRequest(String callId, int attempt, String from, String to, Duration ringTimeout, Duration maxDuration) {
        this(callId, attempt, from, to, ringTimeout, maxDuration, null);
    }
}
