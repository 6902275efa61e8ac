package dev.outdial.campaign;

/**
 * One thing wrong with a request.
 *
 * @param pointer the JSON pointer of the offending field, e.g. {@code /recipients/3/phone_number}
 * @param reason  what is wrong, in words a developer can act on
 * @param index   the recipient's position for row errors, else null
 */
public record FieldError(String pointer, String reason, Integer index) {
    public static FieldError of(String pointer, String reason) {
        return new FieldError(pointer, reason, null);
    }
}
