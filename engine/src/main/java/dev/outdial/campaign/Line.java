package dev.outdial.campaign;

import dev.outdial.telephony.Trunk;
import java.time.Instant;

/** A caller identity on a carrier, with its limits (DESIGN §4, invariant 4). */
public record Line(
        String id,
        String name,
        String phoneNumber,
        String provider,
        int maxConcurrent,
        double maxCps,
        Trunk sip,
        Instant createdAt,
        Instant updatedAt) {

    /** The fields a client sets; {@code sip} only for the sip provider. */
    public record Spec(String name, String phoneNumber, String provider, int maxConcurrent, double maxCps, Trunk sip) {
    }
}
