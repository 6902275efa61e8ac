package dev.outdial.campaign;

/** No such object in the caller's organization (also the answer for another organization's objects). */
public final class NotFoundException extends RuntimeException {
    public NotFoundException(String kind, String id) {
        super(kind + " " + id + " not found");
    }
}
