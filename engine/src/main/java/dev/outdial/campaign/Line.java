package dev.outdial.campaign;

import java.time.Instant;

/** A caller identity on a carrier, with its limits (DESIGN §4, invariant 4). */
public record Line(
        String id,
        String name,
        String phoneNumber,
        String provider,
        int maxConcurrent,
        double maxCps,
        Instant createdAt,
        Instant updatedAt) {

    /** The fields a client sets. */
    public record Spec(String name, String phoneNumber, String provider, int maxConcurrent, double maxCps) {
    }
}
