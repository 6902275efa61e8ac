package dev.outdial.schedule;

import com.google.i18n.phonenumbers.NumberParseException;
import com.google.i18n.phonenumbers.PhoneNumberToTimeZonesMapper;
import com.google.i18n.phonenumbers.PhoneNumberUtil;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A call's candidate time zones (invariant 3): its explicit zone if given; else every zone
 * libphonenumber gives for the number (a mobile or non-geographic number may give several);
 * else the agent's zone; else the organization's. A call starts only when all of them allow it.
 */
public final class TimezoneResolver {
    private static final PhoneNumberUtil PHONES = PhoneNumberUtil.getInstance();
    private static final PhoneNumberToTimeZonesMapper ZONES = PhoneNumberToTimeZonesMapper.getInstance();

    private TimezoneResolver() {
    }

    /** The zones and why they were chosen: {@code explicit}, {@code phone_number}, {@code agent} or {@code organization}. */
    public record Zones(List<ZoneId> zones, String reason) {
        public List<String> names() {
            return zones.stream().map(ZoneId::getId).toList();
        }
    }

    /** Empty when nothing tells the zone: the caller must refuse the call rather than guess. */
    public static Optional<Zones> resolve(String explicitZone, String destination, String agentZone, String orgZone) {
        if (explicitZone != null) return Optional.of(new Zones(List.of(ZoneId.of(explicitZone)), "explicit"));
        List<ZoneId> byNumber = forNumber(destination);
        if (!byNumber.isEmpty()) return Optional.of(new Zones(byNumber, "phone_number"));
        if (agentZone != null) return Optional.of(new Zones(List.of(ZoneId.of(agentZone)), "agent"));
        if (orgZone != null) return Optional.of(new Zones(List.of(ZoneId.of(orgZone)), "organization"));
        return Optional.empty();
    }

    /** Every zone libphonenumber gives for an E.164 number; none for SIP URIs or unknown numbers. */
    public static List<ZoneId> forNumber(String destination) {
        if (destination == null || !destination.startsWith("+")) return List.of();
        try {
            List<ZoneId> out = new ArrayList<>();
            for (String name : ZONES.getTimeZonesForNumber(PHONES.parse(destination, "ZZ"))) {
                if (name.equals(PhoneNumberToTimeZonesMapper.getUnknownTimeZone())) continue;
                try {
                    out.add(ZoneId.of(name));
                } catch (DateTimeException ignored) {
                    // a zone name this JDK does not know: leave it out rather than fail the call
                }
            }
            return out;
        } catch (NumberParseException e) {
            return List.of();
        }
    }
}
