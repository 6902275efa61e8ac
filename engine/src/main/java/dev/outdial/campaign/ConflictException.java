package dev.outdial.campaign;

/** The request conflicts with the object's current state, e.g. cancelling a completed batch. */
public final class ConflictException extends RuntimeException {
    public ConflictException(String message) {
        super(message);
    }
}
