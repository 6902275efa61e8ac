package dev.outdial.api;

import dev.outdial.campaign.FieldError;
import java.util.List;

/** An HTTP-level failure with its status, rendered as problem+json by {@link Problems}. */
final class ApiException extends RuntimeException {
    final int status;
    final String slug;
    final String title;
    final List<FieldError> errors;

    ApiException(int status, String slug, String title, String detail, List<FieldError> errors) {
        super(detail);
        this.status = status;
        this.slug = slug;
        this.title = title;
        this.errors = errors;
    }

    static ApiException badRequest(String detail, List<FieldError> errors) {
        return new ApiException(400, "malformed-request", "Malformed request", detail, errors);
    }

    static ApiException invalid(List<FieldError> errors) {
        return new ApiException(422, "invalid-request", "Invalid request",
                errors.size() == 1 ? errors.get(0).pointer() + ": " + errors.get(0).reason() : errors.size() + " fields are invalid", errors);
    }

    static ApiException unauthorized() {
        return new ApiException(401, "unauthorized", "Unauthorized",
                "Send an API key as 'Authorization: Bearer <key>', 'x-api-key: <key>' or 'xi-api-key: <key>'", List.of());
    }
}
