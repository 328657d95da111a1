package dev.openplus.client;

import java.time.Duration;
import java.util.List;

/** 403 Forbidden: a filter outside the client's scope, a client-chosen id, .... */
public class ForbiddenException extends OpenPlusException {
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
    public ForbiddenException(int status, List<ApiError> errors, String requestId, Duration retryAfter, String message) {
        super(status, errors, requestId, retryAfter, message, null);
    }
}
