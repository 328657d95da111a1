package dev.openplus.client;

import java.time.Duration;
import java.util.List;

/** 409 (invalid query parameter or body, failed validation) and the other 4xx statuses: 400, 405, 406, 408, 410, 413, 414, 415, 431. */
public class InvalidRequestException extends OpenPlusException {
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
    public InvalidRequestException(int status, List<ApiError> errors, String requestId, Duration retryAfter, String message) {
        super(status, errors, requestId, retryAfter, message, null);
    }
}
