package dev.outdial.campaign;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.i18n.phonenumbers.NumberParseException;
import com.google.i18n.phonenumbers.PhoneNumberUtil;
import com.google.i18n.phonenumbers.Phonenumber.PhoneNumber;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PhoneNumbersTest {
    private static final PhoneNumberUtil PHONES = PhoneNumberUtil.getInstance();

    /** What the general parser alone answers: the reference the fast path must match. */
    private static String reference(String s) {
        try {
            PhoneNumber n = PHONES.parse(s, "ZZ");
            return PHONES.isValidNumber(n) ? PHONES.format(n, PhoneNumberUtil.PhoneNumberFormat.E164) : "invalid";
        } catch (NumberParseException e) {
            return "error";
        }
    }

    private static String ours(String s) {
        PhoneNumbers.Parsed p = PhoneNumbers.parse(s, null, false);
        return p.ok() ? p.value() : (p.error().startsWith("not a valid phone number") ? "invalid" : "error");
    }

    @Test
    void the_canonical_e164_fast_path_agrees_with_libphonenumber_on_every_country() {
        Random random = new Random(7);
        List<String> samples = new ArrayList<>();
        for (String region : PHONES.getSupportedRegions()) {
            PhoneNumber example = PHONES.getExampleNumber(region);
            if (example != null) samples.add(PHONES.format(example, PhoneNumberUtil.PhoneNumberFormat.E164));
            int cc = PHONES.getCountryCodeForRegion(region);
            for (int k = 0; k < 100; k++) { // random national numbers under every country code, valid or not
                StringBuilder sb = new StringBuilder("+").append(cc);
                int digits = 4 + random.nextInt(11);
                for (int d = 0; d < digits; d++) sb.append(random.nextInt(10));
                samples.add(sb.toString());
            }
        }
        samples.addAll(List.of("+14155552671", "+442079460958", "+390612345678", "+80012345678", "+8821234567", "+0123456789",
                "+1", "+999123456789", "+12345678901234567"));
        int fast = 0;
        for (String s : samples) {
            assertThat(ours(s)).as(s).isEqualTo(reference(s));
            if (PhoneNumbers.canonicalE164(s) != null) fast++;
        }
        assertThat(fast).as("most canonical inputs take the fast path").isGreaterThan(samples.size() / 2);
    }

    @Test
    void numbers_with_an_italian_leading_zero_still_parse_through_the_general_parser() {
        assertThat(PhoneNumbers.canonicalE164("+390612345678")).as("leading zero after the country code").isNull();
        assertThat(PhoneNumbers.parse("+390612345678", null, false).value()).isEqualTo("+390612345678");
    }

    @Test
    void the_region_and_type_found_once_give_the_same_zones_and_regional_area_as_looking_them_up_again() {
        Random random = new Random(11);
        List<String> samples = new ArrayList<>();
        for (String region : PHONES.getSupportedRegions()) {
            for (PhoneNumberUtil.PhoneNumberType type : PhoneNumberUtil.PhoneNumberType.values()) {
                PhoneNumber example = PHONES.getExampleNumberForType(region, type);
                if (example != null) samples.add(PHONES.format(example, PhoneNumberUtil.PhoneNumberFormat.E164));
            }
            for (int k = 0; k < 20; k++) { // random numbers of the example's length: some valid, some not
                PhoneNumber example = PHONES.getExampleNumber(region);
                if (example == null) continue;
                String e164 = PHONES.format(example, PhoneNumberUtil.PhoneNumberFormat.E164);
                String cc = "+" + example.getCountryCode();
                StringBuilder sb = new StringBuilder(cc);
                for (int d = cc.length(); d < e164.length(); d++) sb.append(random.nextInt(10));
                samples.add(sb.toString());
            }
        }
        for (String region : PHONES.getSupportedGlobalNetworkCallingCodes().stream().map(String::valueOf).toList()) {
            PhoneNumber example = PHONES.getExampleNumberForNonGeoEntity(Integer.parseInt(region));
            if (example != null) samples.add(PHONES.format(example, PhoneNumberUtil.PhoneNumberFormat.E164));
        }
        int valid = 0;
        for (String s : samples) {
            PhoneNumbers.Parsed p = PhoneNumbers.parse(s, null, false);
            assertThat(ours(s)).as(s).isEqualTo(reference(s));
            if (!p.ok()) continue;
            valid++;
            assertThat(p.region()).as(s).isEqualTo(PHONES.getRegionCodeForNumber(p.number()));
            assertThat(p.type()).as(s).isEqualTo(PHONES.getNumberType(p.number()));
            assertThat(dev.outdial.schedule.TimezoneResolver.resolve(null, p.number(), p.type(), null, null)
                    .map(z -> z.zones()).orElse(List.of()))
                    .as(s).isEqualTo(dev.outdial.schedule.TimezoneResolver.forNumber(s));
            assertThat(dev.outdial.schedule.RegionalRules.regionOf(p.number(), p.region()))
                    .as(s).isEqualTo(dev.outdial.schedule.RegionalRules.regionOf(s));
        }
        assertThat(valid).as("most samples are valid numbers").isGreaterThan(1_000);
    }
}
