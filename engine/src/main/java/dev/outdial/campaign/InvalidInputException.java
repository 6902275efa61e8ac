package dev.outdial.campaign;

import java.util.List;

/** The request was understood but some fields are wrong; every error is listed, not only the first. */
public final class InvalidInputException extends RuntimeException {
    private final List<FieldError> errors;

    public InvalidInputException(String message, List<FieldError> errors) {
        super(message);
        this.errors = List.copyOf(errors);
    }

    public static InvalidInputException of(String pointer, String reason) {
        return new InvalidInputException(reason, List.of(FieldError.of(pointer, reason)));
    }

    public List<FieldError> errors() {
        return errors;
    }
}
