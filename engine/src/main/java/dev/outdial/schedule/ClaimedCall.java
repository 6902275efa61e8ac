package dev.outdial.schedule;

import dev.outdial.telephony.Trunk;
import java.time.Duration;
import java.time.Instant;

/**
 * A call this node has claimed: it holds the lease for {@code attempt} and may dial at {@code dialAt}.
 *
 * @param attempt the fencing token: every later write about this try names it, and loses if it changed
 * @param trunk   the line's SIP trunk, for the sip provider; null on other lines
 */
record ClaimedCall(String callId, String orgId, String batchId, String lineId, String provider, String from,
                   String destination, int attempt, Instant dialAt, Duration maxDuration, Trunk trunk) {
}
