package dev.openplus.db;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;

import org.jooq.exception.DataAccessException;

/**
 * The database cannot be reached now: no connection could be had within the pool's timeout, the embedded
 * PostgreSQL is down until it runs again, or a connection broke under a statement. The web layer answers 503
 * with {@code Retry-After} for it ({@link #is}), never a 500: the request was fine, and may be sent again.
 */
public final class DatabaseUnavailable extends DataAccessException {
    public DatabaseUnavailable(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * Whether a failure, or any of its causes, says the database is out of reach rather than that a statement
     * was wrong. SQLSTATE class 08 is a connection failure; 57P01–57P03 are PostgreSQL shutting down, crashing
     * or starting (admin_shutdown, crash_shutdown, cannot_connect_now); 53300 is too_many_connections.
     */
    public static boolean is(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof DatabaseUnavailable || cause instanceof SQLTransientConnectionException) {
                return true;
            }
            if (cause instanceof SQLException sql && sql.getSQLState() != null) {
                String state = sql.getSQLState();
                if (state.startsWith("08") || state.equals("57P01") || state.equals("57P02") || state.equals("57P03")
                        || state.equals("53300")) {
                    return true;
                }
            }
            if (cause.getCause() == cause) {
                break;
            }
        }
        return false;
    }
}
