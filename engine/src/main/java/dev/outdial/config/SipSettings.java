package dev.outdial.config;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;

/**
 * The SIP user agent's settings (the {@code sip} provider; DESIGN §8).
 *
 * @param address      the local address to bind and to put in Via, Contact and SDP ({@code OUTDIAL_SIP_ADDRESS};
 *                     default the address this machine reaches the internet from). Behind NAT, a trunk must
 *                     reach this address: run Outdial where its address is routable, or behind an SBC.
 * @param portFirst    the SIP listening port is the first free one in {@code portFirst..portLast}
 *                     ({@code OUTDIAL_SIP_PORTS}, default 5060-5079)
 * @param portLast     see portFirst
 * @param rtpPortFirst each call's RTP socket takes a free even port in this range ({@code OUTDIAL_SIP_RTP_PORTS},
 *                     default 10000-19999: 5,000 calls)
 * @param rtpPortLast  see rtpPortFirst
 * @param ringTimeout  how long a call may ring before Outdial cancels it, unless its line says otherwise
 *                     ({@code OUTDIAL_SIP_RING_TIMEOUT_S}, default 30 s)
 */
public record SipSettings(String address, int portFirst, int portLast, int rtpPortFirst, int rtpPortLast, Duration ringTimeout) {

    public SipSettings {
        if (address == null || address.isBlank()) throw new IllegalArgumentException("sip.address must be set");
        range("sip.ports", portFirst, portLast, 1);
        range("sip.rtp_ports", rtpPortFirst, rtpPortLast, 1024);
        OutdialConfig.requirePositive("sip.ring_timeout", ringTimeout);
    }

    public static SipSettings defaults() {
        return new SipSettings(defaultAddress(), 5060, 5079, 10000, 19999, Duration.ofSeconds(30));
    }

    /** Defaults overlaid with the {@code OUTDIAL_SIP_*} variables. */
    static SipSettings fromEnv(Map<String, String> env) {
        SipSettings d = defaults();
        String address = env.getOrDefault("OUTDIAL_SIP_ADDRESS", d.address);
        int[] sip = parseRange("OUTDIAL_SIP_PORTS", env.get("OUTDIAL_SIP_PORTS"), d.portFirst, d.portLast);
        int[] rtp = parseRange("OUTDIAL_SIP_RTP_PORTS", env.get("OUTDIAL_SIP_RTP_PORTS"), d.rtpPortFirst, d.rtpPortLast);
        Duration ring = d.ringTimeout;
        String ringText = env.get("OUTDIAL_SIP_RING_TIMEOUT_S");
        if (ringText != null && !ringText.isBlank()) {
            try {
                ring = Duration.ofSeconds(Long.parseLong(ringText.trim()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("OUTDIAL_SIP_RING_TIMEOUT_S must be whole seconds, got '" + ringText + "'");
            }
        }
        return new SipSettings(address, sip[0], sip[1], rtp[0], rtp[1], ring);
    }

    /** Loopback with the given port ranges: for tests and a one-box trial against a local peer. */
    public static SipSettings loopback(int portFirst, int portLast, int rtpPortFirst, int rtpPortLast) {
        return new SipSettings("127.0.0.1", portFirst, portLast, rtpPortFirst, rtpPortLast, Duration.ofSeconds(30));
    }

    public SipSettings withRingTimeout(Duration ringTimeout) {
        return new SipSettings(address, portFirst, portLast, rtpPortFirst, rtpPortLast, ringTimeout);
    }

    private static int[] parseRange(String name, String text, int first, int last) {
        if (text == null || text.isBlank()) return new int[] {first, last};
        String[] parts = text.trim().split("-");
        try {
            int a = Integer.parseInt(parts[0].trim());
            int b = parts.length > 1 ? Integer.parseInt(parts[1].trim()) : a;
            return new int[] {a, b};
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a port or a range like 10000-19999, got '" + text + "'");
        }
    }

    private static void range(String name, int first, int last, int min) {
        if (first < min || last > 65535 || first > last) {
            throw new IllegalArgumentException(name + " must be a range within " + min + "-65535 with first <= last, got " + first + "-" + last);
        }
    }

    /** The source address of a route to the internet (no packet is sent), else loopback. */
    private static String defaultAddress() {
        try (DatagramSocket probe = new DatagramSocket()) {
            probe.connect(new InetSocketAddress(InetAddress.getByAddress(new byte[] {8, 8, 8, 8}), 53));
            InetAddress local = probe.getLocalAddress();
            if (local != null && !local.isAnyLocalAddress()) return local.getHostAddress();
        } catch (Exception e) {
            // no route: a machine without a network still runs its tests and demo on loopback
        }
        return "127.0.0.1";
    }
}
