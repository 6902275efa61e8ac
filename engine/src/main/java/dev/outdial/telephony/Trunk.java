package dev.outdial.telephony;

import java.time.Duration;
import java.util.List;

/**
 * How a line reaches its carrier over SIP (the line's {@code sip} settings). Null fields take the
 * defaults below.
 *
 * @param host          the trunk's SIP server (name or address); required
 * @param port          its port (default 5060)
 * @param transport     {@code udp} (default) or {@code tcp}
 * @param username      digest auth user, used when the trunk challenges (401/407)
 * @param password      digest auth password; never shown by the API
 * @param fromUser      the user part of From (the caller id; default the line's number)
 * @param displayName   the caller name in From
 * @param outboundProxy a proxy every request goes through first ({@code host[:port]}), as a loose Route
 * @param ringTimeoutS  seconds of ringing before Outdial cancels (default from the node's settings, 30)
 * @param codecs        offered in this order, of {@code PCMU} and {@code PCMA} (default both, PCMU first)
 */
public record Trunk(String host, Integer port, String transport, String username, String password, String fromUser,
                    String displayName, String outboundProxy, Integer ringTimeoutS, List<String> codecs) {

    public static final List<String> TRANSPORTS = List.of("udp", "tcp");
    public static final List<String> CODECS = List.of("PCMU", "PCMA");

    public int portOrDefault() {
        return port == null ? 5060 : port;
    }

    public String transportOrDefault() {
        return transport == null ? "udp" : transport;
    }

    public List<String> codecsOrDefault() {
        return codecs == null || codecs.isEmpty() ? CODECS : codecs;
    }

    /** The ring timeout this trunk asks for, or {@code fallback}. */
    public Duration ringTimeout(Duration fallback) {
        return ringTimeoutS == null ? fallback : Duration.ofSeconds(ringTimeoutS);
    }

    /** The same settings with the password hidden, for API answers and logs. */
    public Trunk withoutPassword() {
        return new Trunk(host, port, transport, username, null, fromUser, displayName, outboundProxy, ringTimeoutS, codecs);
    }

    @Override
    public String toString() {
        return "Trunk[" + username + "@" + host + ":" + portOrDefault() + ";" + transportOrDefault() + "]";
    }
}
