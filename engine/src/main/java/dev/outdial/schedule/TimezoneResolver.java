package dev.outdial.schedule;

import com.google.i18n.phonenumbers.NumberParseException;
import com.google.i18n.phonenumbers.PhoneNumberToTimeZonesMapper;
import com.google.i18n.phonenumbers.PhoneNumberUtil;
import com.google.i18n.phonenumbers.PhoneNumberUtil.PhoneNumberType;
import com.google.i18n.phonenumbers.Phonenumber.PhoneNumber;
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
        return resolve(explicitZone, parse(destination), agentZone, orgZone);
    }

    /** As above, with the number already parsed (null for a SIP URI). */
    public static Optional<Zones> resolve(String explicitZone, PhoneNumber number, String agentZone, String orgZone) {
        return resolve(explicitZone, number, null, agentZone, orgZone);
    }

    /** As above, with the number's type as libphonenumber gives it, when known (null: work it out). */
    public static Optional<Zones> resolve(String explicitZone, PhoneNumber number, PhoneNumberType type, String agentZone,
                                          String orgZone) {
        if (explicitZone != null) return Optional.of(new Zones(List.of(ZoneId.of(explicitZone)), "explicit"));
        List<ZoneId> byNumber = forNumber(number, type);
        if (!byNumber.isEmpty()) return Optional.of(new Zones(byNumber, "phone_number"));
        if (agentZone != null) return Optional.of(new Zones(List.of(ZoneId.of(agentZone)), "agent"));
        if (orgZone != null) return Optional.of(new Zones(List.of(ZoneId.of(orgZone)), "organization"));
        return Optional.empty();
    }

    /** Every zone libphonenumber gives for an E.164 number; none for SIP URIs or unknown numbers. */
    public static List<ZoneId> forNumber(String destination) {
        return forNumber(parse(destination));
    }

    /** Zone lists are shared by every number with the same prefix, so the few distinct lists are cached. */
    private static final java.util.Map<List<String>, List<ZoneId>> ZONE_LISTS = new java.util.concurrent.ConcurrentHashMap<>();

    static List<ZoneId> forNumber(PhoneNumber number) {
        return forNumber(number, null);
    }

    /**
     * With a known geographic type the mapper's own first step (finding the type, a dozen regular
     * expressions) is skipped: getTimeZonesForNumber is exactly getTimeZonesForGeographicalNumber
     * for such numbers. Other types take the general path.
     */
    private static List<ZoneId> forNumber(PhoneNumber number, PhoneNumberType type) {
        if (number == null) return List.of();
        List<String> names = type != null && type != PhoneNumberType.UNKNOWN && PHONES.isNumberGeographical(type, number.getCountryCode())
                ? ZONES.getTimeZonesForGeographicalNumber(number) : ZONES.getTimeZonesForNumber(number);
        return ZONE_LISTS.computeIfAbsent(names, found -> {
            List<ZoneId> out = new ArrayList<>();
            for (String name : found) {
                if (name.equals(PhoneNumberToTimeZonesMapper.getUnknownTimeZone())) continue;
                try {
                    out.add(ZoneId.of(name));
                } catch (DateTimeException ignored) {
                    // a zone name this JDK does not know: leave it out rather than fail the call
                }
            }
            return List.copyOf(out);
        });
    }

    private static PhoneNumber parse(String destination) {
        if (destination == null || !destination.startsWith("+")) return null;
        try {
            return PHONES.parse(destination, "ZZ");
        } catch (NumberParseException e) {
            return null;
        }
    }
}
