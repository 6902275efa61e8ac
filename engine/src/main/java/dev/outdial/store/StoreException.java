package dev.outdial.store;

import java.sql.SQLException;

/** A database operation failed; wraps the SQLException so callers need not declare it. */
public final class StoreException extends RuntimeException {
    public StoreException(SQLException cause) {
        super(cause.getMessage(), cause);
    }

    /** The SQLSTATE of the underlying error, e.g. 23505 for a unique violation. */
    public String sqlState() {
        return ((SQLException) getCause()).getSQLState();
    }
}
