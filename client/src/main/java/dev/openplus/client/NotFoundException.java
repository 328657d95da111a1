package dev.openplus.client;

import java.time.Duration;
import java.util.List;

/** 404 ResourceNotFound: an id that does not exist or lies outside the client's scope, or an unknown route. */
public class NotFoundException extends OpenPlusException {
    private static final long serialVersionUID = 1L;

    /**
     * An exception for an answer.
     *
     * @param status     the HTTP status
     * @param errors     the errors the server reported
     * @param requestId  the answer's request id, or null
     * @param retryAfter the answer's {@code Retry-After}, or null
     * @param message    the message
     */
    public NotFoundException(int status, List<ApiError> errors, String requestId, Duration retryAfter, String message) {
        super(status, errors, requestId, retryAfter, message, null);
    }
}
