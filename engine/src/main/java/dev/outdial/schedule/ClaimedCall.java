package dev.outdial.schedule;

import dev.outdial.telephony.Trunk;
import java.time.Duration;
import java.time.Instant;

/**
 * A call this node has claimed: it holds the lease for {@code attempt} and may dial at {@code dialAt}.
 *
 * @param attempt the fencing token: every later write about this try names it, and loses if it changed
 * @param dueAt   when the call fell due (its due time when claimed): how late its dial is, is measured from it
 * @param spacing the line's 1 / max_cps when claimed: no two dials of the line on this node come closer than this
 * @param trunk   the line's SIP trunk, for the sip provider; null on other lines
 * @param amd     the agent's answering-machine detection, or null when it has none
 * @param record  whether the agent records its calls
 * @param bot     whether the agent hands its calls to its own bot (read with the claim, so a leg that no
 *                other engine could talk on needs no second read when it is answered)
 * @param retry   what the retry policy decides this attempt's sequel from, read with the claim so the end
 *                need not read the call again; null only where a test never ends the call
 */
record ClaimedCall(String callId, String orgId, String batchId, String lineId, String provider, String from,
                   String destination, int attempt, Instant dueAt, Instant dialAt, Duration spacing, Duration maxDuration, Trunk trunk, Media amd,
                   boolean record, boolean bot, CallTransitions.Context retry) {

    /**
     * The agent's amd settings as stored, the call's language, and, when a message must be rendered, what
     * it is rendered from: {@code {"call": {…}, "batch": {…}, "agent": {defaults}, "zone": "America/Chicago"}}.
     */
    record Media(String amdJson, String language, String variablesJson) {
    }
}
