package dev.outdial.campaign;

import com.google.i18n.phonenumbers.NumberParseException;
import com.google.i18n.phonenumbers.PhoneNumberUtil;
import com.google.i18n.phonenumbers.Phonenumber.PhoneNumber;
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
     */
    public record Parsed(String value, String error, PhoneNumber number) {
        public Parsed(String value, String error) {
            this(value, error, null);
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
        String region = defaultRegion == null ? "ZZ" : defaultRegion.toUpperCase(Locale.ROOT);
        try {
            PhoneNumber n = PHONES.parse(s, region);
            if (!PHONES.isValidNumber(n)) return new Parsed(null, "not a valid phone number: " + raw);
            return new Parsed(PHONES.format(n, PhoneNumberUtil.PhoneNumberFormat.E164), null, n);
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

    static boolean isKnownRegion(String region) {
        return PHONES.getSupportedRegions().contains(region.toUpperCase(Locale.ROOT));
    }
}
