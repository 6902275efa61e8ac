package dev.outdial.campaign;

import com.google.i18n.phonenumbers.NumberParseException;
import com.google.i18n.phonenumbers.PhoneNumberUtil;
import com.google.i18n.phonenumbers.PhoneNumberUtil.PhoneNumberType;
import com.google.i18n.phonenumbers.Phonenumber.PhoneNumber;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/** The one place phone numbers are read: E.164 via libphonenumber, or a SIP URI where one is allowed. */
public final class PhoneNumbers {
    private static final PhoneNumberUtil PHONES = PhoneNumberUtil.getInstance();
    /** sip:user@host[:port][;params]; the user part is required, as a trunk needs someone to call. */
    private static final Pattern SIP_URI = Pattern.compile("^sips?:[^@\\s]+@[A-Za-z0-9.\\-\\[\\]:]+(;[^\\s]*)?$");

    private PhoneNumbers() {
    }

    /**
     * A normalized destination, or why the input is not one (exactly one of value and error is set).
     *
     * @param number the parsed number for E.164 destinations (null for SIP URIs), so later steps need not parse again
     * @param region libphonenumber's region for the number ({@code US}, or {@code 001} for non-geographic ones; null for SIP URIs)
     * @param type   libphonenumber's type for the number (null for SIP URIs): with the region, what the time zone
     *               and regional-rule lookups would otherwise work out again
     */
    public record Parsed(String value, String error, PhoneNumber number, String region, PhoneNumberType type) {
        public Parsed(String value, String error) {
            this(value, error, null, null, null);
        }

        public boolean ok() {
            return value != null;
        }
    }

    /**
     * Normalizes {@code raw} to E.164 ({@code +14155552671}), reading numbers without a leading + in
     * {@code defaultRegion} (null: + required); a SIP URI passes through when {@code sipAllowed}.
     */
    public static Parsed parse(String raw, String defaultRegion, boolean sipAllowed) {
        if (raw == null || raw.isBlank()) return new Parsed(null, "is required");
        String s = raw.strip();
        if (s.regionMatches(true, 0, "sip:", 0, 4) || s.regionMatches(true, 0, "sips:", 0, 5)) {
            if (!sipAllowed) return new Parsed(null, "must be a phone number, not a SIP URI: " + raw);
            return SIP_URI.matcher(s).matches() ? new Parsed(s, null)
                    : new Parsed(null, "not a valid SIP URI (expected sip:user@host): " + raw);
        }
        PhoneNumber fast = canonicalE164(s);
        if (fast != null) {
            Parsed p = valid(fast);
            if (p != null && p.value().equals(s)) return p;
        }
        String region = defaultRegion == null ? "ZZ" : defaultRegion.toUpperCase(Locale.ROOT);
        try {
            Parsed p = valid(PHONES.parse(s, region));
            return p != null ? p : new Parsed(null, "not a valid phone number: " + raw);
        } catch (NumberParseException e) {
            String why = switch (e.getErrorType()) {
                case INVALID_COUNTRY_CODE -> "needs a country code: write it in E.164 (+14155552671) or set default_country";
                case NOT_A_NUMBER -> "not a phone number";
                case TOO_SHORT_NSN, TOO_SHORT_AFTER_IDD -> "too short to be a phone number";
                case TOO_LONG -> "too long to be a phone number";
            };
            return new Parsed(null, why + ": " + raw);
        }
    }

    /**
     * The number in E.164 with its region and type, or null if libphonenumber does not know it as a
     * valid number. Its checks all come down to matching the national number against the region's
     * patterns (a dozen regular expressions, about a microsecond per region tried), and
     * isValidNumber, the zone mapper and the geocoder would each repeat them: the type and the
     * region are found once here and handed on. A number is valid exactly when its type is known
     * (isValidNumber is getNumberType(n) != UNKNOWN for the region the number's own code gives).
     */
    private static Parsed valid(PhoneNumber n) {
        PhoneNumberType type = PHONES.getNumberType(n);
        if (type == PhoneNumberType.UNKNOWN) return null;
        int cc = n.getCountryCode();
        List<String> regions = PHONES.getRegionCodesForCountryCode(cc);
        String region = regions.size() == 1 ? regions.get(0) : PHONES.getRegionCodeForNumber(n);
        return new Parsed(PHONES.format(n, PhoneNumberUtil.PhoneNumberFormat.E164), null, n, region, type);
    }

    /**
     * The number of a string already in canonical E.164 ({@code +} and 7 to 15 digits, no leading zero
     * after the country code), built without libphonenumber's general parser: most batches arrive
     * like this, and the general parser's normalizing regular expressions cost ~4.5 of its ~6 µs per
     * number. Country codes are a prefix code, so the first 1–3 digits that name a country are it.
     * Null for anything else, which the general parser then reads; a number built here is still
     * validated by libphonenumber, and kept only if it formats back to the same string.
     */
    static PhoneNumber canonicalE164(String s) {
        int len = s.length();
        if (len < 8 || len > 16 || s.charAt(0) != '+' || s.charAt(1) == '0') return null;
        for (int i = 1; i < len; i++) {
            char ch = s.charAt(i);
            if (ch < '0' || ch > '9') return null;
        }
        for (int ccLength = 1; ccLength <= 3; ccLength++) {
            int cc = Integer.parseInt(s, 1, 1 + ccLength, 10);
            if ("ZZ".equals(PHONES.getRegionCodeForCountryCode(cc))) continue; // no country has this code (001: non-geographic)
            if (1 + ccLength >= len || s.charAt(1 + ccLength) == '0') return null; // leading zeros: the general parser's job
            return new PhoneNumber().setCountryCode(cc).setNationalNumber(Long.parseLong(s, 1 + ccLength, len, 10));
        }
        return null;
    }

    static boolean isKnownRegion(String region) {
        return PHONES.getSupportedRegions().contains(region.toUpperCase(Locale.ROOT));
    }
}
