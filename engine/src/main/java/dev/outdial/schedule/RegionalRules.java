package dev.outdial.schedule;

import com.google.i18n.phonenumbers.NumberParseException;
import com.google.i18n.phonenumbers.PhoneNumberUtil;
import com.google.i18n.phonenumbers.Phonenumber.PhoneNumber;
import com.google.i18n.phonenumbers.geocoding.PhoneNumberOfflineGeocoder;
import dev.outdial.store.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An organization's stricter rules for some regions, kept as data: each names a country, optionally
 * some regions of it, and a calling window that narrows every call to those places.
 *
 * <pre>
 *   [{"name": "US states with 9:00 starts", "country": "US", "regions": ["FL", "OK"],
 *     "calling_window": {"work_start": "09:00", "work_end": "20:00", "days": ["mon","tue","wed","thu","fri","sat"]}}]
 * </pre>
 *
 * A call's region is its number's country and, where libphonenumber's geocoder knows it, its
 * state or area: {@code US-FL} for a Florida number ("Miami, FL" or "Florida"), {@code US} alone
 * when only the country is known. A rule with no regions covers its whole country.
 */
public final class RegionalRules {
    private static final PhoneNumberUtil PHONES = PhoneNumberUtil.getInstance();
    private static final PhoneNumberOfflineGeocoder GEOCODER = PhoneNumberOfflineGeocoder.getInstance();
    private static final Map<String, List<Rule>> PARSED = new ConcurrentHashMap<>();

    /** US state names as the geocoder writes them, to their postal codes. */
    private static final Map<String, String> US_STATES = Map.ofEntries(
            Map.entry("Alabama", "AL"), Map.entry("Alaska", "AK"), Map.entry("Arizona", "AZ"), Map.entry("Arkansas", "AR"),
            Map.entry("California", "CA"), Map.entry("Colorado", "CO"), Map.entry("Connecticut", "CT"), Map.entry("Delaware", "DE"),
            Map.entry("District of Columbia", "DC"), Map.entry("Washington D.C.", "DC"), Map.entry("Florida", "FL"),
            Map.entry("Georgia", "GA"), Map.entry("Hawaii", "HI"), Map.entry("Idaho", "ID"), Map.entry("Illinois", "IL"),
            Map.entry("Indiana", "IN"), Map.entry("Iowa", "IA"), Map.entry("Kansas", "KS"), Map.entry("Kentucky", "KY"),
            Map.entry("Louisiana", "LA"), Map.entry("Maine", "ME"), Map.entry("Maryland", "MD"), Map.entry("Massachusetts", "MA"),
            Map.entry("Michigan", "MI"), Map.entry("Minnesota", "MN"), Map.entry("Mississippi", "MS"), Map.entry("Missouri", "MO"),
            Map.entry("Montana", "MT"), Map.entry("Nebraska", "NE"), Map.entry("Nevada", "NV"), Map.entry("New Hampshire", "NH"),
            Map.entry("New Jersey", "NJ"), Map.entry("New Mexico", "NM"), Map.entry("New York", "NY"),
            Map.entry("North Carolina", "NC"), Map.entry("North Dakota", "ND"), Map.entry("Ohio", "OH"), Map.entry("Oklahoma", "OK"),
            Map.entry("Oregon", "OR"), Map.entry("Pennsylvania", "PA"), Map.entry("Rhode Island", "RI"),
            Map.entry("South Carolina", "SC"), Map.entry("South Dakota", "SD"), Map.entry("Tennessee", "TN"), Map.entry("Texas", "TX"),
            Map.entry("Utah", "UT"), Map.entry("Vermont", "VT"), Map.entry("Virginia", "VA"), Map.entry("Washington", "WA"),
            Map.entry("West Virginia", "WV"), Map.entry("Wisconsin", "WI"), Map.entry("Wyoming", "WY"));

    private RegionalRules() {
    }

    /** One rule: where it applies and the window it imposes there. */
    public record Rule(String name, String country, Set<String> regions, CallingWindow window) {
        boolean covers(String region) {
            if (region == null) return false;
            int dash = region.indexOf('-');
            String c = dash < 0 ? region : region.substring(0, dash);
            if (!c.equals(country)) return false;
            return regions.isEmpty() || (dash >= 0 && regions.contains(region.substring(dash + 1)));
        }
    }

    /** A number's region, such as {@code US-FL}, {@code DE} or {@code DE-Berlin}; null for SIP URIs and unknown numbers. */
    public static String regionOf(String destination) {
        if (destination == null || !destination.startsWith("+")) return null;
        try {
            return regionOf(PHONES.parse(destination, "ZZ"));
        } catch (NumberParseException e) {
            return null;
        }
    }

    /** As above for a parsed, valid number (null: none). */
    public static String regionOf(PhoneNumber n) {
        return n == null ? null : regionOf(n, PHONES.getRegionCodeForNumber(n));
    }

    /** As above, with libphonenumber's region for the number already known ({@code US}, {@code 001}…). */
    public static String regionOf(PhoneNumber n, String country) {
        if (n == null) return null;
        if (country == null || country.equals("ZZ") || country.equals("001")) return null;
        // The geocoder's three-argument form looks the region up again only to compare it with the one given.
        String area = GEOCODER.getDescriptionForValidNumber(n, Locale.ENGLISH);
        return area == null || area.isBlank() ? country : country + "-" + areaCode(country, area);
    }

    /** "Miami, FL" → FL; "Florida" → FL (US); elsewhere the geocoder's last part as written. */
    private static String areaCode(String country, String description) {
        int comma = description.lastIndexOf(", ");
        String last = comma >= 0 ? description.substring(comma + 2) : description;
        if (country.equals("US")) return US_STATES.getOrDefault(last, last);
        return last;
    }

    /** A US state given by name in any case ("florida") or by postal code ("fl") → FL. */
    private static String usState(String s) {
        for (var e : US_STATES.entrySet()) {
            if (e.getKey().equalsIgnoreCase(s)) return e.getValue();
        }
        return s.toUpperCase(Locale.ROOT);
    }

    /** Parses and validates rules; errors are IllegalArgumentException whose message starts with the path, e.g. {@code 0/country}. */
    public static List<Rule> parse(List<?> json) {
        List<Rule> out = new ArrayList<>();
        for (int i = 0; i < json.size(); i++) {
            if (!(json.get(i) instanceof Map<?, ?> m)) throw new IllegalArgumentException(i + ": must be an object");
            for (Object k : m.keySet()) {
                if (!Set.of("name", "country", "regions", "calling_window").contains(String.valueOf(k))) {
                    throw new IllegalArgumentException(i + "/" + k + ": unknown field");
                }
            }
            if (!(m.get("country") instanceof String country) || !PHONES.getSupportedRegions().contains(country.toUpperCase(Locale.ROOT))) {
                throw new IllegalArgumentException(i + "/country: must be an ISO 3166 country code, e.g. US");
            }
            Set<String> regions = new java.util.TreeSet<>();
            if (m.get("regions") != null) {
                if (!(m.get("regions") instanceof List<?> list)) throw new IllegalArgumentException(i + "/regions: must be a list");
                for (Object r : list) {
                    String s = String.valueOf(r);
                    regions.add(country.equalsIgnoreCase("US") ? usState(s) : s);
                }
            }
            if (!(m.get("calling_window") instanceof Map<?, ?> w)) {
                throw new IllegalArgumentException(i + "/calling_window: is required");
            }
            CallingWindow window;
            try {
                @SuppressWarnings("unchecked")
                Map<String, Object> wm = (Map<String, Object>) w;
                window = WindowJson.parse(wm);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(i + "/calling_window/" + e.getMessage());
            }
            out.add(new Rule(m.get("name") == null ? "" : String.valueOf(m.get("name")), country.toUpperCase(Locale.ROOT),
                    Set.copyOf(regions), window));
        }
        return out;
    }

    /** The canonical JSON of rules (regions normalized, windows canonical). */
    public static List<Map<String, Object>> toJson(List<Rule> rules) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Rule r : rules) {
            out.add(Map.of("name", r.name(), "country", r.country(), "regions", List.copyOf(r.regions()),
                    "calling_window", WindowJson.toJson(r.window())));
        }
        return out;
    }

    /** {@code base} narrowed by every stored rule that covers {@code region}. */
    static CallingWindow narrow(CallingWindow base, String rulesJson, String region) {
        if (rulesJson == null || region == null || rulesJson.equals("[]")) return base;
        CallingWindow w = base;
        for (Rule r : PARSED.computeIfAbsent(rulesJson, j -> parse(Json.MAPPER.convertValue(Json.tree(j), List.class)))) {
            if (r.covers(region)) w = w.intersect(r.window());
        }
        return w;
    }

    /** The names of the stored rules that cover {@code region}, for the API's explanation. */
    public static List<String> matching(String rulesJson, String region) {
        if (rulesJson == null || region == null) return List.of();
        return PARSED.computeIfAbsent(rulesJson, j -> parse(Json.MAPPER.convertValue(Json.tree(j), List.class))).stream()
                .filter(r -> r.covers(region)).map(Rule::name).toList();
    }
}
