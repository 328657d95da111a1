package dev.openplus.http;

import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.openplus.db.DatabaseUnavailable;
import dev.openplus.jsonapi.ApiError;
import dev.openplus.jsonapi.ErrorCode;

/**
 * The answer while the database cannot be reached: 503 {@code ServiceUnavailable} with {@code Retry-After},
 * alike on both request paths (Javalin's and {@link DirectReads}). Logged in one line without a stack trace:
 * during an outage every request fails alike, and the cause is logged where it is detected.
 */
final class Unavailable {
    private static final Logger LOG = LoggerFactory.getLogger(Unavailable.class);
    /** Seconds: an embedded PostgreSQL is usually running again within two, and a pool wait lasts two. */
    static final String RETRY_AFTER = "5";

    private Unavailable() {
    }

    /** The errors to answer with when {@code failure} means the database is out of reach, else null. */
    static List<ApiError> errors(Throwable failure, String method, String path, String reqId) {
        if (!DatabaseUnavailable.is(failure)) {
            return null;
        }
        LOG.warn("request {} {} answered 503 (req_id {}): {}", method, path, reqId, failure.getMessage());
        return List.of(new ApiError(ErrorCode.ServiceUnavailable,
                "the database cannot be reached at the moment; send the request again after Retry-After seconds"));
    }
}
